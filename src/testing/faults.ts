/**
 * Fault injection: random (seeded, a probability per service) and scripted ("the next N requests matching
 * route X fail with Y"). Scripts win over random faults; random draws depend only on the seed and the order
 * of requests, so the same seed and the same traffic give the same faults.
 */
import { createRng, type Rng } from "./prng";

/**
 * A fault the emulator injects into a request: an error status with a service-shaped body, a dropped connection, a
 * slow answer, or a truncated body.
 */
export type Fault =
  /** Answer with this status and a service-shaped error body (`code`/`message` default per status). */
  | { kind: "status"; status: number; code?: string; message?: string; retryAfterSeconds?: number }
  /** Drop the connection without an answer (loopback: socket destroyed; msw: an `ECONNRESET` error). */
  | { kind: "reset" }
  /** Answer normally, but only after `delayMs` (default 2,000 ms divided by `timeScale`). */
  | { kind: "slow"; delayMs?: number }
  /** Answer with the real status and headers but only the first half of the JSON body. */
  | { kind: "truncate" };

/** Shorthands: `500`, `503` (status faults), `"reset"`, `"slow"`, `"truncate"`. */
export type FaultShorthand = 500 | 503 | "reset" | "slow" | "truncate";

/**
 * Random faults of one service: the chance per request (0 to 1), the faults to choose from and the routes affected.
 */
export interface RandomFaultOptions {
  /** Chance per request, 0..1. */
  probability: number;
  /** Faults to choose from (uniformly). Default `[500, 503, "reset", "slow", "truncate"]`. */
  kinds?: readonly (Fault | FaultShorthand)[];
  /** Only requests whose route key (e.g. "GET /security/incidents") is listed. Default: all. */
  routes?: readonly string[];
}

/** `"defender"`, `"sentinel"` or the name of an extra route module. */
export type ServiceKey = "defender" | "sentinel" | (string & {});

/** Random fault settings per service (Defender, Sentinel, extra modules), reproducible from `seed`. */
export interface FaultConfig {
  seed?: number;
  defender?: RandomFaultOptions;
  sentinel?: RandomFaultOptions;
  /** Extra route modules, by name. */
  services?: Record<string, RandomFaultOptions>;
}

/** A scripted fault: the next `times` requests of a service that match the method and route fail with `fault`. */
export interface FaultScript {
  service: ServiceKey;
  /** HTTP method to match (any when omitted). */
  method?: string;
  /**
   * Route to match: a route key ("PUT /incidents/{id}"), its path part ("/incidents/{id}"), or a RegExp
   * tested against the route key and the request path. Any when omitted.
   */
  route?: string | RegExp;
  /** How many matching requests fail. Default 1. */
  times?: number;
  fault: Fault | FaultShorthand;
}

/** A handle on a scripted fault: how many matching requests it will still fail, and `cancel`. */
export interface FaultScriptHandle {
  /** Matching requests this script will still fail. */
  remaining(): number;
  cancel(): void;
}

export interface FaultDecisionInput {
  service: ServiceKey;
  method: string;
  routeKey: string;
  path: string;
}

export const DEFAULT_FAULT_KINDS: readonly FaultShorthand[] = [500, 503, "reset", "slow", "truncate"];

export function normalizeFault(f: Fault | FaultShorthand): Fault {
  if (typeof f === "number") return { kind: "status", status: f };
  if (typeof f === "string") return { kind: f } as Fault;
  return f;
}

interface ScriptEntry {
  script: FaultScript;
  left: number;
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class FaultInjector {
  private scripts: ScriptEntry[] = [];
  private random = new Map<string, { options: RandomFaultOptions; rng: Rng }>();
  private seed = 0;

  /** Sets (replaces) the random faults. Services not named get none. */
  configure(config: FaultConfig): void {
    this.seed = config.seed ?? 0;
    this.random.clear();
    const all: [string, RandomFaultOptions | undefined][] = [
      ["defender", config.defender],
      ["sentinel", config.sentinel],
      ...Object.entries(config.services ?? {}),
    ];
    for (const [service, options] of all) {
      if (!options) continue;
      if (!(options.probability >= 0 && options.probability <= 1)) {
        throw new RangeError(`fault probability for ${service} must be within 0..1`);
      }
      this.random.set(service, { options, rng: createRng(this.seed ^ hashString(service)) });
    }
  }

  /** Adds a scripted fault; scripts are consumed in the order they were added. */
  script(script: FaultScript): FaultScriptHandle {
    const entry: ScriptEntry = { script, left: script.times ?? 1 };
    if (!(entry.left >= 1)) throw new RangeError("times must be at least 1");
    this.scripts.push(entry);
    return {
      remaining: () => entry.left,
      cancel: () => {
        entry.left = 0;
        this.scripts = this.scripts.filter((e) => e !== entry);
      },
    };
  }

  /** Removes every script and random fault. */
  clear(): void {
    this.scripts = [];
    this.random.clear();
  }

  /** The fault for this request, if any (consumes a script use or a random draw). */
  decide(input: FaultDecisionInput): Fault | undefined {
    for (const entry of this.scripts) {
      if (entry.left > 0 && matches(entry.script, input)) {
        entry.left--;
        if (entry.left === 0) this.scripts = this.scripts.filter((e) => e !== entry);
        return normalizeFault(entry.script.fault);
      }
    }
    const random = this.random.get(input.service);
    if (!random) return undefined;
    if (random.options.routes && !random.options.routes.includes(input.routeKey)) return undefined;
    const draw = random.rng.next();
    if (draw >= random.options.probability) return undefined;
    const kinds =
      random.options.kinds && random.options.kinds.length > 0 ? random.options.kinds : DEFAULT_FAULT_KINDS;
    return normalizeFault(random.rng.pick(kinds));
  }
}

function matches(script: FaultScript, input: FaultDecisionInput): boolean {
  if (script.service !== input.service) return false;
  if (script.method && script.method.toUpperCase() !== input.method.toUpperCase()) return false;
  const route = script.route;
  if (route === undefined) return true;
  if (typeof route === "string") {
    const pathPart = input.routeKey.slice(input.routeKey.indexOf(" ") + 1);
    return route === input.routeKey || route === pathPart;
  }
  route.lastIndex = 0;
  if (route.test(input.routeKey)) return true;
  route.lastIndex = 0;
  return route.test(input.path);
}
