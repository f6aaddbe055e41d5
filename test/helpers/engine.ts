/**
 * Test harness for SyncEngine scenarios: an emulator on real loopback HTTP, fast-retrying clients, an engine over
 * a shared state store, and `expectConverged`, which checks that both services hold the same incidents in the
 * canonical view with no duplicates and no lost comments.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import {
  type CanonicalField,
  type CanonicalIncident,
  createMappingProfile,
  DEFAULT_MAPPING_PROFILE,
  DefenderClient,
  defenderIncidentSchema,
  InMemoryStateStore,
  type MappingProfile,
  SentinelClient,
  type StateStore,
  SyncEngine,
  type SyncEngineOptions,
  type SyncReport,
  sentinelNameFor,
} from "defender-sentinel-sync";
import {
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  type EmulatorServer,
  XDR_PROVIDER_NAMES,
} from "defender-sentinel-sync/testing";
import { afterEach, expect } from "vitest";

/**
 * Canonical fields that flow both ways (all but `redirectTarget`, which only flows Defender → Sentinel). Spelled
 * out here so this harness needs only the package's public entry points (the public tests run it against dist).
 */
const SYNCED_FIELDS: readonly CanonicalField[] = [
  "title",
  "description",
  "severity",
  "status",
  "classification",
  "classificationDetail",
  "closingComment",
  "owner",
  "tags",
];

export const FAST_RETRIES = { retryDelayInMs: 1, maxRetryDelayInMs: 20, maxRetries: 4 } as const;

export type EngineOptions = Partial<Omit<SyncEngineOptions, "defender" | "sentinel">>;
type Policies = { policy: PipelinePolicy; position: "perCall" | "perRetry" }[];

export interface SetupOptions {
  /** Defender incidents to generate. Default 5. */
  incidents?: number;
  /** Emulator seed. Default 1. */
  seed?: number;
  /** More emulator options (throttling is off unless given). */
  emulator?: Omit<EmulatorOptions, "seed" | "incidents">;
  /** Engine options (tenantId defaults to the emulator's). */
  engine?: EngineOptions;
  /** Default: a fresh InMemoryStateStore. */
  store?: StateStore;
  /** Extra pipeline policies of the clients (e.g. a crash injector). */
  policies?: { defender?: Policies; sentinel?: Policies };
}

export interface SyncSetup {
  emu: Emulator;
  server: EmulatorServer;
  defender: DefenderClient;
  sentinel: SentinelClient;
  engine: SyncEngine;
  store: StateStore;
  /** New clients on the same server (e.g. with other policies). */
  clients(policies?: SetupOptions["policies"]): { defender: DefenderClient; sentinel: SentinelClient };
  /** A new engine over the same store (unless given) and the same clients (unless given) — a "restart". */
  restart(options?: EngineOptions & { defender?: DefenderClient; sentinel?: SentinelClient }): SyncEngine;
  close(): Promise<void>;
}

export async function setupSync(options: SetupOptions = {}): Promise<SyncSetup> {
  const emu = createEmulator({
    throttling: false,
    ...options.emulator,
    seed: options.seed ?? 1,
    incidents: options.incidents ?? 5,
  });
  const server = await emu.listen();
  const clients = (policies: SetupOptions["policies"] = {}) => ({
    defender: new DefenderClient(emu.credential, {
      endpoint: server.defenderEndpoint,
      retryOptions: FAST_RETRIES,
      rateLimit: false,
      additionalPolicies: policies.defender,
    }),
    sentinel: new SentinelClient(emu.credential, {
      endpoint: server.sentinelEndpoint,
      subscriptionId: server.subscriptionId,
      resourceGroupName: server.resourceGroupName,
      workspaceName: server.workspaceName,
      retryOptions: FAST_RETRIES,
      rateLimit: false,
      additionalPolicies: policies.sentinel,
    }),
  });
  const { defender, sentinel } = clients(options.policies);
  const store = options.store ?? new InMemoryStateStore();
  const makeEngine = (o: EngineOptions & { defender?: DefenderClient; sentinel?: SentinelClient } = {}) =>
    new SyncEngine({
      tenantId: server.tenantId,
      ...options.engine,
      ...o,
      defender: o.defender ?? defender,
      sentinel: o.sentinel ?? sentinel,
      stateStore: o.stateStore ?? store,
    });
  const engine = makeEngine();
  return {
    emu,
    server,
    defender,
    sentinel,
    engine,
    store,
    clients,
    restart: makeEngine,
    close: async () => {
      await server.close();
      await emu.close();
    },
  };
}

/** Writes (PUT/PATCH/POST that change state) the emulator saw, per service. */
export function writeCounts(emu: Emulator): { defender: number; sentinel: number } {
  const stats = emu.stats();
  const count = (byRoute: Record<string, number>, service: "defender" | "sentinel") =>
    Object.entries(byRoute)
      .filter(([route]) => {
        if (route.startsWith("PATCH ")) return true;
        if (route.startsWith("PUT ")) return true;
        // Graph comment posts write; ARM's POST …/alerts and …/entities are reads.
        return service === "defender" && route.startsWith("POST ") && route.includes("comments");
      })
      .reduce((n, [, c]) => n + c, 0);
  return {
    defender: count(stats.defender.byRoute, "defender"),
    sentinel: count(stats.sentinel.byRoute, "sentinel"),
  };
}

/** Requests per route key of one service matching `pattern`. */
export function routeCount(emu: Emulator, service: "defender" | "sentinel", pattern: RegExp): number {
  return Object.entries(emu.stats()[service].byRoute)
    .filter(([route]) => pattern.test(route))
    .reduce((n, [, c]) => n + c, 0);
}

/**
 * Runs cycles until one makes no writes and has no failures (quiescence). A cycle that rejects (a side could
 * not be listed at all) counts as not quiet. Returns every report; fails after `maxCycles`.
 */
export async function runToQuiescence(engine: SyncEngine, maxCycles = 8): Promise<SyncReport[]> {
  const reports: SyncReport[] = [];
  for (let i = 0; i < maxCycles; i++) {
    let report: SyncReport;
    try {
      report = await engine.runOnce();
    } catch {
      continue;
    }
    reports.push(report);
    if (report.writes.defender + report.writes.sentinel === 0 && report.failures.length === 0) return reports;
  }
  throw new Error(
    `No quiescence after ${maxCycles} cycles: ${JSON.stringify(reports.map((r) => ({ writes: r.writes, failures: r.failures })))}`,
  );
}

/** Fields Microsoft's connector mirrors itself on linked copies (left alone unless `writeConnectorFields`). */
export const CONNECTOR_FIELDS: readonly CanonicalField[] = [
  "status",
  "classification",
  "classificationDetail",
  "closingComment",
  "owner",
];

export interface ConvergenceOptions {
  profile?: MappingProfile;
  /** Also compare status/owner/classification on connector-linked pairs. Default false. */
  connectorFields?: boolean;
  /** Check comments. Default true. */
  comments?: boolean;
  /** Defender ids to leave out (e.g. known poison incidents). */
  except?: readonly string[];
}

export function defenderCanonical(
  emu: Emulator,
  id: string,
  profile: MappingProfile = createMappingProfile(),
) {
  const raw = emu.defender.getIncident(id);
  if (!raw) throw new Error(`no Defender incident ${id}`);
  const result = profile.defenderToCanonical(defenderIncidentSchema.parse(raw));
  if (!result.ok) throw result.error;
  return result.value;
}

export function sentinelCanonical(
  emu: Emulator,
  name: string,
  profile: MappingProfile = createMappingProfile(),
) {
  const raw = emu.sentinel.getIncident(name);
  if (!raw) throw new Error(`no Sentinel incident ${name}`);
  const result = mapEmulatorSentinel(raw, profile);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * An emulator's Sentinel incident through a profile. The emulator stores incidents in the service's wire shape,
 * which the parsed model describes loosely (its types carry no index signatures); mapped from a copy, so the
 * profile never touches the emulator's state.
 */
export function mapEmulatorSentinel(
  raw: ReturnType<Emulator["sentinel"]["listIncidents"]>[number],
  profile: MappingProfile = createMappingProfile(),
): ReturnType<MappingProfile["sentinelToCanonical"]> {
  return profile.sentinelToCanonical(
    structuredClone(raw) as unknown as Parameters<MappingProfile["sentinelToCanonical"]>[0],
  );
}

/** Fields of `a` and `b` that are not equal (default: the default profile's `equals`, lossy pairs compare equal). */
export function canonicalDiff(
  a: CanonicalIncident,
  b: CanonicalIncident,
  fields: readonly CanonicalField[] = SYNCED_FIELDS,
  equals: MappingProfile["equals"] = DEFAULT_MAPPING_PROFILE.equals,
): CanonicalField[] {
  return fields.filter((f) => !equals(f, a, b));
}

const isXdr = (providerName: string | undefined) =>
  providerName !== undefined && (XDR_PROVIDER_NAMES as readonly string[]).includes(providerName);

/**
 * For every Defender incident: exactly one linked Sentinel incident (no duplicate copies, no orphan copy under
 * the deterministic name), the canonical views agree on the synced fields, and every comment exists on both
 * sides exactly once (comments are matched by text: a copy's text contains the original's).
 */
export async function expectConverged(
  emu: Emulator,
  store: StateStore,
  profileOrOptions: MappingProfile | ConvergenceOptions = {},
) {
  const options: ConvergenceOptions =
    "defenderToCanonical" in profileOrOptions ? { profile: profileOrOptions } : profileOrOptions;
  const profile = options.profile ?? createMappingProfile();
  const except = new Set(options.except ?? []);
  const sentinelIncidents = emu.sentinel.listIncidents();
  const byName = new Map(sentinelIncidents.map((s) => [s.name.toLowerCase(), s]));
  const linkedNames = new Map<string, string>();
  const problems: string[] = [];

  for (const d of emu.defender.listIncidents()) {
    if (except.has(d.id)) continue;
    const record = await store.getRecord(d.id);
    if (!record) {
      problems.push(`${d.id}: no ledger record`);
      continue;
    }
    if (record.quarantine) problems.push(`${d.id}: quarantined (${record.quarantine.reason})`);
    const name = record.sentinelName.toLowerCase();
    const other = linkedNames.get(name);
    if (other) problems.push(`${d.id}: Sentinel incident ${name} is also linked to ${other}`);
    linkedNames.set(name, d.id);
    const s = byName.get(name);
    if (!s) {
      problems.push(`${d.id}: linked Sentinel incident ${name} does not exist`);
      continue;
    }
    // No second copy: neither a connector copy nor our deterministic name besides the linked one.
    const copies = sentinelIncidents.filter(
      (x) =>
        (isXdr(x.properties.providerName) && x.properties.providerIncidentId === d.id) ||
        x.name.toLowerCase() === sentinelNameFor(emu.tenantId, d.id),
    );
    const extra = copies.filter((x) => x.name.toLowerCase() !== name);
    if (extra.length > 0)
      problems.push(`${d.id}: duplicate Sentinel copies ${extra.map((x) => x.name).join(", ")}`);

    const cD = defenderCanonical(emu, d.id, profile);
    const cS = sentinelCanonical(emu, s.name, profile);
    const fields = SYNCED_FIELDS.filter(
      (f) => record.link !== "connector" || options.connectorFields || !CONNECTOR_FIELDS.includes(f),
    );
    const diff = canonicalDiff(cD, cS, fields, profile.equals);
    if (diff.length > 0) {
      problems.push(
        `${d.id}: fields differ ${diff.map((f) => `${f}: D=${JSON.stringify(cD[f])} S=${JSON.stringify(cS[f])}`).join("; ")}`,
      );
    }

    if (options.comments !== false) {
      // A copy names its original's creation time in its header (times are unique: one emulator clock), and
      // carries its text. A Sentinel comment edited after it was copied is re-posted to Defender as "(edited) …".
      type C = { text: string; time: string };
      const dComments: C[] = d.comments.map((c) => ({ text: c.comment, time: c.createdDateTime }));
      const sComments: C[] = emu.sentinel
        .listComments(s.name)
        .map((c) => ({ text: c.properties.message, time: c.properties.createdTimeUtc }))
        .filter((c) => !c.text.startsWith("This incident was merged into"));
      const copyOfD = (dc: C, sc: C) => sc.text.includes(dc.time) && sc.text.includes(dc.text);
      const copyOfS = (dc: C, sc: C) => dc.text.includes(sc.time);
      const related = (dc: C, sc: C) => copyOfD(dc, sc) || copyOfS(dc, sc);
      const isRepost = (dc: C) => /\n\(edited\) /.test(dc.text);
      const short = (c: C) => JSON.stringify(c.text.slice(0, 80));
      for (const dc of dComments) {
        const n = sComments.filter((sc) => related(dc, sc)).length;
        if (n !== 1) problems.push(`${d.id}: Defender comment ${short(dc)} has ${n} Sentinel counterparts`);
      }
      for (const sc of sComments) {
        const rel = dComments.filter((dc) => related(dc, sc));
        const originals = rel.filter((dc) => !isRepost(dc));
        const reposts = rel.filter(isRepost).map((dc) => dc.text.slice(dc.text.indexOf("\n(edited) ")));
        if (originals.length !== 1) {
          problems.push(
            `${d.id}: Sentinel comment ${short(sc)} has ${originals.length} Defender counterparts`,
          );
        }
        if (new Set(reposts).size !== reposts.length)
          problems.push(`${d.id}: an edit of ${short(sc)} was re-posted twice`);
      }
    }
  }
  // Every non-native Sentinel incident belongs to exactly one Defender incident.
  for (const s of sentinelIncidents) {
    if (linkedNames.has(s.name.toLowerCase())) continue;
    if (isXdr(s.properties.providerName) && except.has(s.properties.providerIncidentId)) continue;
    if (s.properties.providerName !== "Azure Sentinel" || isOurs(emu, s.name)) {
      problems.push(`Sentinel incident ${s.name} (${s.properties.providerName}) is linked to nothing`);
    }
  }
  expect(problems).toEqual([]);
}

function isOurs(emu: Emulator, name: string): boolean {
  return emu.defender.listIncidents().some((d) => sentinelNameFor(emu.tenantId, d.id) === name.toLowerCase());
}

/**
 * A `setup()` whose emulators and servers are closed after each test (registers the `afterEach`). Call it
 * at the top level of a test file.
 */
export function useSyncSetups(): (options?: SetupOptions) => Promise<SyncSetup> {
  let current: SyncSetup[] = [];
  afterEach(async () => {
    await Promise.all(current.map((t) => t.close()));
    current = [];
  });
  return async (options: SetupOptions = {}) => {
    const t = await setupSync(options);
    current.push(t);
    return t;
  };
}

/** Writes of a cycle, both services. */
export const totalWrites = (r: SyncReport) => r.writes.defender + r.writes.sentinel;

/** Open (not resolved, not redirected) Defender incidents, oldest id first. */
export function openIncidents(t: SyncSetup) {
  return t.emu.defender.listIncidents().filter((i) => i.status !== "resolved" && i.status !== "redirected");
}

/** The Sentinel name the ledger links to a Defender incident. */
export async function nameOf(t: SyncSetup, id: string): Promise<string> {
  const record = await t.store.getRecord(id);
  if (!record) throw new Error(`no record for ${id}`);
  return record.sentinelName;
}
