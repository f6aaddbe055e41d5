/**
 * Route modules: each service the emulator speaks (Graph, ARM, and later e.g. Azure Monitor Logs Ingestion)
 * is one module. The emulator core picks the module for a request, counts it, applies injected faults and
 * hands it over; the module authenticates, throttles and answers in its service's shape.
 * Register an extra module with `emu.registerRoutes(module)`.
 */
import type { ServiceKey } from "./faults";
import type { Throttler } from "./throttling";
import type { EmulatorClock } from "./time";

/** Shared services a route module can use. */
export interface EmulatorServices {
  readonly clock: EmulatorClock;
  readonly throttler: Throttler;
  /** Refill speed-up of the token buckets (and divisor of Retry-After). */
  readonly timeScale: number;
  /** A fresh GUID from the emulator's seeded id stream (etags, request ids, resource names). */
  newGuid(): string;
}

/**
 * What a route module gets for one request: the request and URL, its IDs, arrival time, route key, the emulator's
 * shared services, and the body.
 */
export interface RequestContext {
  readonly request: Request;
  readonly url: URL;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Id the emulator gives the request (`request-id` / `x-ms-request-id`). */
  readonly requestId: string;
  /** The caller's `client-request-id` (or the request id when absent). */
  readonly clientRequestId: string;
  /** Time the request arrived. */
  readonly now: Date;
  /** Route key ("GET /security/incidents") or "<METHOD> (unmatched)". */
  readonly routeKey: string;
  readonly services: EmulatorServices;
  /** The request body as text (read once, cached). */
  text(): Promise<string>;
  /** Count this request as throttled in `emu.stats()`. */
  markThrottled(): void;
}

/**
 * A route a request matched: its key (as in stats and fault scripts), path parameters, and whether the method is
 * allowed.
 */
export interface RouteMatch {
  /** Stats / fault-script key, e.g. "PUT /incidents/{id}". */
  key: string;
  params: Record<string, string>;
  /** False when the path exists but not for this method. */
  methodAllowed: boolean;
}

/**
 * One emulated service (Graph, ARM, Logs Ingestion, or your own): the origins and paths it owns, route matching,
 * error shape, and request handling. Add one with `Emulator.registerRoutes`.
 */
export interface RouteModule {
  /** Stats and fault key: "defender", "sentinel", or the extra module's own name. */
  readonly name: ServiceKey;
  /** Origins the msw handlers intercept for this module, e.g. "https://graph.microsoft.com". */
  readonly origins: readonly string[];
  /** Whether a path on the loopback server belongs to this module. */
  ownsPath(pathname: string): boolean;
  /** Route key and parameters (no side effects); undefined when no route matches. */
  match(method: string, url: URL): RouteMatch | undefined;
  /** An error response in the service's shape (used for injected faults). */
  error(
    ctx: RequestContext,
    status: number,
    code: string,
    message: string,
    headers?: Record<string, string>,
  ): Response;
  /** Answers the request: authentication, throttling, validation, state changes. */
  handle(ctx: RequestContext, match: RouteMatch | undefined): Promise<Response>;
}

/** A route compiled by `compileRoute`: method, key, and the path pattern with its parameter names. */
export interface CompiledRoute {
  method: string;
  key: string;
  pattern: RegExp;
  names: string[];
}

/**
 * Compiles `"/security/incidents/{id}"` into a matcher. Literal segments match case-insensitively when
 * `caseInsensitive` (ARM paths are case-insensitive), parameters match one path segment.
 */
export function compileRoute(
  method: string,
  path: string,
  key: string,
  caseInsensitive = false,
): CompiledRoute {
  const names: string[] = [];
  const source = path
    .split("/")
    .map((segment) => {
      const m = /^\{(\w+)\}$/.exec(segment);
      if (m) {
        names.push(m[1]!);
        return "([^/]+)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { method, key, pattern: new RegExp(`^${source}/?$`, caseInsensitive ? "i" : ""), names };
}

/** Finds the route for `method path` among `routes`; a path match with another method gives methodAllowed=false. */
export function matchCompiled(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): RouteMatch | undefined {
  let pathOnly: RouteMatch | undefined;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = safeDecode(m[i + 1]!);
    });
    if (route.method === method) return { key: route.key, params, methodAllowed: true };
    pathOnly ??= {
      key: `${method} ${route.key.slice(route.key.indexOf(" ") + 1)}`,
      params,
      methodAllowed: false,
    };
  }
  return pathOnly;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Case-insensitive lookup of an OData system query option (`$top`, `$Top`). */
export function queryOption(url: URL, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of url.searchParams) if (k.toLowerCase() === lower) return v;
  return undefined;
}
