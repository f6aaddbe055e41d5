import { InvalidArgumentError } from "../core/errors";
import type { DefenderIncidentsApi } from "../defender/defenderApi";
import { createMappingProfile, type MappingProfile } from "../mapping";
import type { SentinelAlertRulesApi, SentinelIncidentsApi } from "../sentinel/sentinelApi";
import { SentinelTarget } from "../targets/sentinelTarget";
import type { UnifiedTarget } from "../targets/unifiedTarget";
import type { ConflictPolicy } from "./conflictPolicy";
import type { EngineSettings, SyncDirection } from "./cycleContext";
import { InMemoryStateStore } from "./inMemoryStateStore";
import type { SyncPairHook } from "./pairHook";
import type { StateStore } from "./stateStore";

/**
 * Options of `SyncEngine`: the Defender source, the target (a Sentinel workspace or a unified Defender portal), the
 * state store, mapping profile, direction, conflict policy, poll interval, backfill start, concurrency, pair hooks
 * and timeouts.
 */
export interface SyncEngineOptions {
  /**
   * The source: Graph of the Defender XDR tenant whose incidents are mirrored. A `DefenderClient`, or any object
   * of the `DefenderIncidentsApi` members (e.g. a decorator delegating to one).
   */
  defender: DefenderIncidentsApi;
  /**
   * The classic target's workspace (same as `target: new SentinelTarget(sentinel)`). A `SentinelClient`, or any
   * object of the `SentinelIncidentsApi` members.
   */
  sentinel?: SentinelIncidentsApi;
  /**
   * Where incidents are mirrored. `SentinelTarget` (classic): Sentinel incidents created through the incidents
   * API. `UnifiedTarget` (relay): incidents of the target tenant's Defender portal created through alerts, for
   * workspaces onboarded to the unified portal (all of them after 2027-03-31); needs `tenantId`.
   */
  target?: SentinelTarget | UnifiedTarget;
  /**
   * Unified target: a pair still pending after this long has its alerts relayed again (a rule run may have
   * capped them away). Default 1,800,000 (30 minutes: several runs of a PT5M rule plus its 5-minute delay).
   */
  pendingTimeoutInMs?: number;
  /** Ledger and watermarks. Default: InMemoryStateStore (lost on exit; use FileStateStore in production). */
  stateStore?: StateStore;
  /** Default "both". */
  direction?: SyncDirection;
  /** Default "latest-wins". */
  conflictPolicy?: ConflictPolicy;
  /** Default `createMappingProfile()`. */
  mapping?: MappingProfile;
  /** First cycle only: ignore incidents older than this (not in the future). Default: the whole history the services keep. */
  backfillSince?: Date;
  /** Pause between cycles of `start()`, an integer of at least 1,000. Default 60000. */
  pollIntervalInMs?: number;
  /** Read everything, write nothing (neither services nor the ledger); the report lists the writes. */
  dryRun?: boolean;
  /** Incidents processed in parallel within a page, an integer of at least 1. Default 4. */
  maxConcurrency?: number;
  /** Re-read window before each watermark, for late-committed changes (≥ 0). Default 120000. */
  overlapInMs?: number;
  /** Every Nth cycle lists both sides fully to catch drift (0 = never). Default 24. */
  reconcileEveryNCycles?: number;
  /** Copies made by Microsoft's Defender XDR connector: link to them (default) or ignore them. */
  connectorCopies?: "link" | "ignore";
  /** Also write status/owner/classification on connector copies (the connector mirrors them). Default false. */
  writeConnectorFields?: boolean;
  /** Tenant id used for deterministic Sentinel names. Default: each incident's `tenantId`. */
  tenantId?: string;
  /** Retries of a Sentinel PUT after 409 (re-read, re-merge). Default 3. */
  maxConflictRetries?: number;
  /** Backoff of quarantined incidents. Default 60 s doubling to 1 h. */
  quarantineBackoff?: { initialInMs?: number; maxInMs?: number };
  /** Read alerts with incidents (activity times, alert summary). Default true. */
  expandAlerts?: boolean;
  /** Sync comments. Default true. */
  syncComments?: boolean;
  /**
   * Uploads every alert version of the incidents the engine touches to a Log Analytics table (each version
   * once; failed uploads are retried when the pair is next processed). See `LogsIngestionAlertSink`.
   */
  alertSink?: SyncPairHook;
  /**
   * More work to run after each pair's writes (see `SyncPairHook`); each keeps its own per-pair checkpoint.
   * Run in order, after `alertSink`.
   */
  pairHooks?: readonly SyncPairHook[];
  /**
   * Longest a cycle may run. Its requests are then aborted, what it finished stays checkpointed, and the cycle
   * fails with `CycleTimeoutError`; the next cycle resumes from the checkpoint (a large backfill under the
   * services' rate limits simply spans several cycles). Default 900000 (15 minutes).
   */
  cycleTimeoutInMs?: number;
  /** Clock (tests). */
  now?: () => Date;
}

/** SyncEngineOptions checked and with their defaults applied. */
export interface ResolvedEngineOptions {
  settings: EngineSettings;
  /** Set when the target is a `UnifiedTarget`: the engine runs relay cycles. */
  relay: RelayOptions | undefined;
  pollIntervalInMs: number;
  maxConcurrency: number;
  overlapInMs: number;
  reconcileEvery: number;
  backfillSince: Date | undefined;
  cycleTimeoutInMs: number;
}

export interface RelayOptions {
  target: UnifiedTarget;
  sourceTenantId: string;
  pendingTimeoutInMs: number;
}

/** Node's timers fire at once for longer delays (TimeoutOverflowWarning), so no interval may exceed it. */
const MAX_TIMER_IN_MS = 2_147_483_647;
const DIRECTIONS: readonly SyncDirection[] = ["both", "defender-to-sentinel", "sentinel-to-defender"];
const POLICIES: readonly string[] = ["latest-wins", "defender-wins", "sentinel-wins"];

/** Checks every option (InvalidArgumentError naming the first bad one) and applies the defaults. */
export function resolveEngineOptions(options: SyncEngineOptions): ResolvedEngineOptions {
  if (typeof options !== "object" || options === null)
    throw new InvalidArgumentError("options", "SyncEngine needs an options object");
  requireClient("defender", options.defender, "DefenderClient", DEFENDER_METHODS);
  const { sentinel, relay } = resolveTarget(options);
  const o = options;
  requireMethods("stateStore", o.stateStore, ["getRecord", "putRecord", "getWatermarks", "putWatermarks"]);
  requireMethods("mapping", o.mapping, ["defenderToCanonical", "sentinelToCanonical", "renderSentinel"]);
  const pairHooks = resolvePairHooks(o.alertSink, o.pairHooks);
  oneOf("direction", o.direction, DIRECTIONS);
  if (typeof o.conflictPolicy !== "function") oneOf("conflictPolicy", o.conflictPolicy, POLICIES);
  oneOf("connectorCopies", o.connectorCopies, ["link", "ignore"]);
  for (const flag of ["dryRun", "writeConnectorFields", "expandAlerts", "syncComments"] as const)
    if (o[flag] !== undefined && typeof o[flag] !== "boolean")
      throw new InvalidArgumentError(flag, "must be a boolean");
  if (o.tenantId !== undefined && (typeof o.tenantId !== "string" || o.tenantId.trim() === ""))
    throw new InvalidArgumentError("tenantId", "must be a non-empty string");
  if (o.now !== undefined && typeof o.now !== "function")
    throw new InvalidArgumentError("now", "must be a function returning a Date");
  const now = o.now ?? (() => new Date());
  const backfillSince = checkBackfillSince(o.backfillSince, now);
  if (
    o.quarantineBackoff !== undefined &&
    (typeof o.quarantineBackoff !== "object" || o.quarantineBackoff === null)
  )
    throw new InvalidArgumentError("quarantineBackoff", "must be an object { initialInMs?, maxInMs? }");
  const initialInMs = integer("quarantineBackoff.initialInMs", o.quarantineBackoff?.initialInMs, 60_000, 0);
  const maxInMs = integer("quarantineBackoff.maxInMs", o.quarantineBackoff?.maxInMs, 3_600_000, initialInMs);
  const settings: EngineSettings = {
    defender: o.defender,
    sentinel,
    store: o.stateStore ?? new InMemoryStateStore(),
    profile: o.mapping ?? createMappingProfile(),
    direction: o.direction ?? "both",
    conflictPolicy: o.conflictPolicy ?? "latest-wins",
    dryRun: o.dryRun ?? false,
    connectorCopies: o.connectorCopies ?? "link",
    writeConnectorFields: o.writeConnectorFields ?? false,
    tenantId: o.tenantId,
    maxConflictRetries: integer("maxConflictRetries", o.maxConflictRetries, 3, 0, 100),
    quarantineBackoff: { initialInMs, maxInMs },
    expandAlerts: o.expandAlerts ?? true,
    syncComments: o.syncComments ?? true,
    classic: o.target instanceof SentinelTarget ? o.target : new SentinelTarget(sentinel),
    pairHooks,
    now,
  };
  return {
    settings,
    relay,
    pollIntervalInMs: integer("pollIntervalInMs", o.pollIntervalInMs, 60_000, 1_000, MAX_TIMER_IN_MS),
    maxConcurrency: integer("maxConcurrency", o.maxConcurrency, 4, 1, 1_000),
    overlapInMs: integer("overlapInMs", o.overlapInMs, 120_000, 0),
    reconcileEvery: integer("reconcileEveryNCycles", o.reconcileEveryNCycles, 24, 0),
    backfillSince,
    cycleTimeoutInMs: integer("cycleTimeoutInMs", o.cycleTimeoutInMs, 900_000, 1, MAX_TIMER_IN_MS),
  };
}

/** The classic target's client, or the unified target with what relay cycles need. */
function resolveTarget(
  o: SyncEngineOptions,
): Pick<ResolvedEngineOptions, "relay"> & { sentinel: SentinelIncidentsApi } {
  const target = o.target;
  if (target === undefined) {
    requireClient("sentinel", o.sentinel, "SentinelClient", SENTINEL_METHODS);
    return { sentinel: o.sentinel as SentinelIncidentsApi, relay: undefined };
  }
  if (target instanceof SentinelTarget || (target as { kind?: unknown }).kind === "sentinel") {
    const classic = (target as SentinelTarget).sentinel;
    if (o.sentinel !== undefined && o.sentinel !== classic)
      throw new InvalidArgumentError("sentinel", "must be left out or be the target's own SentinelClient");
    requireClient("sentinel", classic, "SentinelClient", SENTINEL_METHODS);
    return { sentinel: classic, relay: undefined };
  }
  if ((target as { kind?: unknown }).kind !== "unified")
    throw new InvalidArgumentError("target", "must be a SentinelTarget or a UnifiedTarget");
  const unified = target as UnifiedTarget;
  if (o.tenantId === undefined)
    throw new InvalidArgumentError(
      "tenantId",
      "is required with a UnifiedTarget: it names the source tenant, and target incidents relayed from other tenants belong to other lanes",
    );
  requireClient("target.defender", unified.defender, "DefenderClient", DEFENDER_METHODS);
  requireMethods("target.sentinel", unified.sentinel, Object.keys(ALERT_RULE_METHODS));
  if (unified.sentinel === undefined || unified.sentinel === null)
    throw new InvalidArgumentError("target.sentinel", "UnifiedTarget needs a SentinelClient");
  const pendingTimeoutInMs = integer(
    "pendingTimeoutInMs",
    o.pendingTimeoutInMs,
    1_800_000,
    60_000,
    MAX_TIMER_IN_MS,
  );
  return {
    sentinel: NO_CLASSIC_TARGET,
    relay: { target: unified, sourceTenantId: o.tenantId, pendingTimeoutInMs },
  };
}

/** The alert sink and the other pair hooks, checked; their checkpoint namespaces must differ. */
function resolvePairHooks(
  alertSink: SyncPairHook | undefined,
  others: readonly SyncPairHook[] | undefined,
): SyncPairHook[] {
  const hookMethods = ["hasPendingWork", "afterPair"];
  requireMethods("alertSink", alertSink, hookMethods);
  if (others !== undefined && !Array.isArray(others))
    throw new InvalidArgumentError("pairHooks", "must be an array of pair hooks");
  const hooks = [...(alertSink ? [alertSink] : []), ...(others ?? [])];
  const names = new Set<string>();
  hooks.forEach((hook, i) => {
    const name = i === 0 && alertSink ? "alertSink" : `pairHooks[${i - (alertSink ? 1 : 0)}]`;
    requireMethods(name, hook, hookMethods);
    const namespace = hook.checkpointName;
    if (typeof namespace !== "string" || namespace === "" || names.has(namespace))
      throw new InvalidArgumentError(name, "needs a checkpointName of its own (a non-empty string)");
    names.add(namespace);
  });
  return hooks;
}

/** The methods of an interface, as keys (see the method tables below). */
type MethodsOf<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];

// One entry per method of each interface: adding a method to an interface without listing it here fails to
// compile, so what the engine checks at construction stays what it calls.
const DEFENDER_METHODS: Record<MethodsOf<DefenderIncidentsApi>, true> = {
  onWarning: true,
  listIncidents: true,
  countIncidents: true,
  getIncident: true,
  updateIncident: true,
  addIncidentComment: true,
};
const SENTINEL_METHODS: Record<MethodsOf<SentinelIncidentsApi>, true> = {
  onWarning: true,
  listIncidents: true,
  getIncident: true,
  createOrUpdateIncident: true,
  listIncidentComments: true,
  createIncidentComment: true,
};
const ALERT_RULE_METHODS: Record<MethodsOf<SentinelAlertRulesApi>, true> = {
  getAlertRule: true,
  createOrUpdateAlertRule: true,
};
const METRICS_METHODS: Record<MethodsOf<DefenderIncidentsApi["metrics"]>, true> = {
  snapshot: true,
  onThrottle: true,
};

/**
 * A client (or an object standing in for one): every method of its interface, and `metrics` with `snapshot`
 * and `onThrottle`.
 */
function requireClient(name: string, client: unknown, className: string, methods: object): void {
  if (!client || typeof client !== "object")
    throw new InvalidArgumentError(name, `SyncEngine needs a ${className}`);
  requireMethods(name, client, Object.keys(methods));
  const metrics = (client as { metrics?: unknown }).metrics;
  if (!metrics || typeof metrics !== "object")
    throw new InvalidArgumentError(name, "lacks metrics (an object with snapshot and onThrottle)");
  requireMethods(`${name}.metrics`, metrics, Object.keys(METRICS_METHODS));
}

/**
 * The classic client of a lane whose target is a `UnifiedTarget`: relay cycles never use it (they read and write
 * through the target), so any call is a bug.
 */
const NO_CLASSIC_TARGET: SentinelIncidentsApi = (() => {
  const fail = (): never => {
    throw new Error("internal: a relay lane has no classic Sentinel client");
  };
  return {
    metrics: { snapshot: fail, onThrottle: fail },
    onWarning: fail,
    listIncidents: fail,
    getIncident: fail,
    createOrUpdateIncident: fail,
    listIncidentComments: fail,
    createIncidentComment: fail,
  };
})();

function requireMethods(name: string, value: unknown, methods: readonly string[]): void {
  if (value === undefined) return;
  const missing = methods.filter(
    (m) =>
      typeof value !== "object" ||
      value === null ||
      typeof (value as Record<string, unknown>)[m] !== "function",
  );
  if (missing.length > 0) throw new InvalidArgumentError(name, `lacks ${missing.join(", ")}`);
}

function oneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string))
    throw new InvalidArgumentError(name, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
}

/** An integer option within [min, max], or its default when omitted. */
function integer(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new InvalidArgumentError(name, `must be an integer ${range} (got ${String(value)})`);
  }
  return value;
}

function checkBackfillSince(value: unknown, now: () => Date): Date | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new InvalidArgumentError("backfillSince", "must be a valid Date");
  if (value.getTime() > now().getTime())
    throw new InvalidArgumentError("backfillSince", `is in the future (${value.toISOString()})`);
  return value;
}
