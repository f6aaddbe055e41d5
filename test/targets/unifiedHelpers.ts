/** A customer tenant mirrored into the MSSP's workspace through the unified (relay) target, on a manual clock. */
import {
  DEFAULT_RELAY_STREAM_NAME,
  DEFAULT_RELAY_TABLE_NAME,
  DefenderClient,
  type DefenderIncident,
  InMemoryStateStore,
  type RelayPacer,
  SentinelClient,
  type StateStore,
  SyncEngine,
  type SyncEngineOptions,
  type SyncRecord,
  sourceKeysOfIncident,
  UnifiedTarget,
  type UnifiedTargetIngestion,
  type Watermarks,
} from "defender-sentinel-sync";
import {
  createEmulator,
  createManualClock,
  type Emulator,
  type EmulatorServer,
  type GraphIncident,
  type ManualClock,
  type UnifiedPortalOptions,
} from "defender-sentinel-sync/testing";
import type { FrontEnd } from "./unifiedFrontEnd";

export type { FrontEndRule, FrontEndSide } from "./unifiedFrontEnd";

export const CUSTOMER = "0f7c1d3e-5a6b-4c8d-9e0f-1a2b3c4d5e6f";
export const MINUTE = 60_000;
export const TABLE = DEFAULT_RELAY_TABLE_NAME;
const DCR = "dcr-00112233445566778899aabbccddeeff";

export interface Lane {
  clock: ManualClock;
  emu: Emulator;
  srv: EmulatorServer;
  /** Graph of the MSSP tenant (where unified incidents live). */
  mssp: DefenderClient;
  /** Graph of the customer tenant (the source). */
  customer: DefenderClient;
  target: UnifiedTarget;
  store: InMemoryStateStore;
  engine: SyncEngine;
  events: { name: string; event: unknown }[];
  /** Moves the emulator clock; rule runs that are due happen on the next request. */
  advance(ms: number): void;
  /** One engine cycle after moving the clock. */
  cycle(ms?: number): ReturnType<SyncEngine["runOnce"]>;
  /** MSSP incidents made by the relay rule. */
  targetIncidents(): Promise<DefenderIncident[]>;
  close(): Promise<void>;
  /** Set with `crashable`: the "process" of the engine, its crash switches and its restart. */
  crash?: CrashControl;
}

export interface LaneOptions {
  customerIncidents?: number;
  unified?: UnifiedPortalOptions;
  engine?: Partial<SyncEngineOptions>;
  pacer?: RelayPacer;
  mssPIncidents?: number;
  /**
   * The engine runs as a "process" that can crash: its store (`CrashingStateStore` over `store`) and a front end
   * in front of the emulator that can store a request and then drop its connection (`lane.crash`).
   */
  crashable?: boolean;
  /** `additionalPolicies` of the target's ingestion client. */
  ingestionPolicies?: UnifiedTargetIngestion["additionalPolicies"];
}

const EVENTS = [
  "incident.pending",
  "incident.linked",
  "incident.updated",
  "incident.duplicate",
  "incident.redirected",
  "incident.failed",
  "comment.synced",
  "warning",
] as const;

export async function unifiedLane(options: LaneOptions = {}): Promise<Lane> {
  const clock = createManualClock("2026-11-30T00:00:00Z");
  const emu = createEmulator({
    seed: 11,
    incidents: options.mssPIncidents ?? 3,
    now: clock.now,
    throttling: false,
    unified: options.unified ?? {},
  });
  const added = emu.addTenant({ tenantId: CUSTOMER, incidents: options.customerIncidents ?? 4 });
  const process: CrashSwitch = { dead: false, crashes: 0 };
  // Loaded only for crash tests: the front end needs the emulator's internal loopback server, which the public
  // tests (this harness against the built package) cannot load.
  const frontEnd = options.crashable
    ? new (await import("./unifiedFrontEnd")).FrontEnd(emu, process, CUSTOMER)
    : undefined;
  const srv = frontEnd ? await frontEnd.listen() : await emu.listen();
  const retryOptions = { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 10 };
  const mssp = new DefenderClient(emu.credential, { endpoint: srv.defenderEndpoint, retryOptions });
  const customer = new DefenderClient(added.credential, { endpoint: srv.defenderEndpoint, retryOptions });
  const sentinel = new SentinelClient(emu.credential, {
    endpoint: srv.sentinelEndpoint,
    subscriptionId: srv.subscriptionId,
    resourceGroupName: srv.resourceGroupName,
    workspaceName: srv.workspaceName,
    retryOptions,
  });
  const makeTarget = () =>
    new UnifiedTarget({
      defender: mssp,
      sentinel,
      ingestion: {
        endpoint: srv.url,
        ruleId: DCR,
        streamName: DEFAULT_RELAY_STREAM_NAME,
        retryOptions,
        additionalPolicies: options.ingestionPolicies,
      },
      credential: emu.credential,
      pacer: options.pacer,
      now: clock.now,
    });
  const target = makeTarget();
  await target.ensureRelayRule();
  const store = new InMemoryStateStore();
  const engineStore = options.crashable ? new CrashingStateStore(store, process) : store;
  const events: { name: string; event: unknown }[] = [];
  const makeEngine = (t: UnifiedTarget) => {
    const e = new SyncEngine({
      defender: customer,
      target: t,
      tenantId: CUSTOMER,
      stateStore: engineStore,
      now: clock.now,
      overlapInMs: 0,
      ...options.engine,
    });
    for (const name of EVENTS) e.on(name, (event: unknown) => events.push({ name, event }));
    return e;
  };
  const engine = makeEngine(target);
  const lane: Lane = {
    clock,
    emu,
    srv,
    mssp,
    customer,
    target,
    store,
    engine,
    events,
    advance: (ms) => {
      clock.advance(ms);
    },
    cycle: async (ms = 0) => {
      clock.advance(ms);
      return lane.engine.runOnce();
    },
    async targetIncidents() {
      const out = [];
      for await (const i of mssp.listIncidents({ expandAlerts: true })) {
        if (i.alerts?.some((a) => a.serviceSource === "microsoftSentinel")) out.push(i);
      }
      return out.sort((a, b) => Number(a.id) - Number(b.id));
    },
    close: () => srv.close(),
  };
  if (frontEnd && engineStore instanceof CrashingStateStore) {
    lane.crash = {
      process,
      store: engineStore,
      frontEnd,
      restart() {
        // A new process: nothing of the old one survives but the store (and what the services hold).
        process.dead = false;
        lane.target = makeTarget();
        lane.engine = makeEngine(lane.target);
      },
    };
  }
  return lane;
}

/** Cycles every 5 minutes until every pending pair is linked (or the budget of cycles is spent). */
export async function cycleUntilLinked(
  lane: Lane,
  expected: number,
  maxCycles = 12,
  stepMs = 5 * MINUTE,
): Promise<number> {
  for (let i = 0; i < maxCycles; i++) {
    await lane.cycle(stepMs);
    const linked = lane.events.filter((e) => e.name === "incident.linked").length;
    if (linked >= expected) return i + 1;
  }
  return maxCycles;
}

/** The engine's "process" is gone: its store refuses every call and its requests never reach the services. */
export class ProcessCrashed extends Error {
  override name = "ProcessCrashed";
}

/** Shared by the crashing store and the front end: one process, dead or alive. */
export interface CrashSwitch {
  dead: boolean;
  crashes: number;
}

/**
 * A store that dies with its process: `crashOnPut` makes the next matching `putRecord` crash the process before
 * it writes (the services already hold whatever the process wrote before); from then on every call throws
 * until `restart()`. Reads through the inner store (`lane.store`) always work.
 */
export class CrashingStateStore implements StateStore {
  private trap:
    | ((record: Omit<SyncRecord, "version">, before: SyncRecord | undefined) => boolean)
    | undefined;

  constructor(
    readonly inner: StateStore,
    private readonly process: CrashSwitch,
  ) {}

  /** Arms a crash at the next `putRecord` matching `match` (given the record to write and the stored one). */
  crashOnPut(match: (record: Omit<SyncRecord, "version">, before: SyncRecord | undefined) => boolean): void {
    this.trap = match;
  }

  get armed(): boolean {
    return this.trap !== undefined;
  }

  private alive(): void {
    if (this.process.dead) throw new ProcessCrashed("the process crashed");
  }

  async getRecord(id: string): Promise<SyncRecord | undefined> {
    this.alive();
    return this.inner.getRecord(id);
  }

  async findBySentinelName(name: string): Promise<SyncRecord | undefined> {
    this.alive();
    return this.inner.findBySentinelName(name);
  }

  async putRecord(record: Omit<SyncRecord, "version">, expectedVersion: number): Promise<SyncRecord> {
    this.alive();
    if (this.trap?.(record, await this.inner.getRecord(record.defenderId))) {
      this.trap = undefined;
      this.process.dead = true;
      this.process.crashes++;
      throw new ProcessCrashed(`crashed before writing the record of ${record.defenderId}`);
    }
    return this.inner.putRecord(record, expectedVersion);
  }

  async deleteRecord(id: string, expectedVersion: number): Promise<void> {
    this.alive();
    return this.inner.deleteRecord(id, expectedVersion);
  }

  async *listRecords(): AsyncIterable<SyncRecord> {
    this.alive();
    yield* this.inner.listRecords();
  }

  async getWatermarks(): Promise<Watermarks> {
    this.alive();
    return this.inner.getWatermarks();
  }

  async putWatermarks(w: Omit<Watermarks, "version">, expectedVersion: number): Promise<Watermarks> {
    this.alive();
    return this.inner.putWatermarks(w, expectedVersion);
  }
}

/** The crash controls of a `crashable` lane. */
export interface CrashControl {
  process: CrashSwitch;
  store: CrashingStateStore;
  frontEnd: FrontEnd;
  /** A fresh process: new target (pacer) and engine over the same store; the events list continues. */
  restart(): void;
}

/** A quiet cycle: nothing written, nothing failed, nothing pending. */
export function isQuiet(report: Awaited<ReturnType<SyncEngine["runOnce"]>>): boolean {
  return (
    report.writes.defender + report.writes.sentinel === 0 &&
    report.failures.length === 0 &&
    (report.counts.linked ?? 0) === 0
  );
}

/**
 * Cycles (5 emulated minutes apart, so rule runs happen) until two in a row are quiet and no pair is pending
 * (rows uploaded in a cycle become an incident within two rule periods). With `stepMs` of 10 minutes one
 * quiet cycle is enough (`quietCycles: 1`). A cycle that rejects (a crashed process) restarts the process when
 * the lane is crashable. Returns the cycles run.
 */
export async function cycleUntilQuiet(
  lane: Lane,
  maxCycles = 20,
  stepMs = 5 * MINUTE,
  quietCycles = 2,
): Promise<number> {
  let quiet = 0;
  for (let i = 0; i < maxCycles; i++) {
    let report: Awaited<ReturnType<SyncEngine["runOnce"]>> | undefined;
    try {
      report = await lane.cycle(stepMs);
    } catch (e) {
      if (!lane.crash?.process.dead) throw e;
      lane.crash.restart();
    }
    const pending = (await lane.store.getWatermarks()).relayPending ?? [];
    quiet = report && isQuiet(report) && pending.length === 0 ? quiet + 1 : 0;
    if (quiet >= quietCycles) return i + 1;
  }
  throw new Error(`no quiet cycle after ${maxCycles} cycles`);
}

/** Relay incidents of the MSSP tenant (alerts carrying source keys), read from the emulator itself. */
export function relayIncidents(lane: Lane): GraphIncident[] {
  return lane.emu.unified
    .tenant(lane.emu.tenantId)
    .listIncidents()
    .filter((i) => sourceKeysOfIncident(i as unknown as DefenderIncident).length > 0);
}

const isOpen = (status: string | null | undefined) => status !== "resolved" && status !== "redirected";

/**
 * The relay's invariants once quiet: every source incident linked, none pending; per source incident exactly
 * one open target incident while the source is open (the linked one) and none once it is closed, every other
 * target incident holding its alerts resolved; the linked target's status follows the source's; and no text we
 * wrote appears twice on an incident. Returns the problems (empty when sound).
 */
export async function relayProblems(lane: Lane, expectedTargets?: number): Promise<string[]> {
  const problems: string[] = [];
  const all = relayIncidents(lane);
  if (expectedTargets !== undefined && all.length !== expectedTargets)
    problems.push(`${all.length} target incidents, expected ${expectedTargets}`);
  const mssp = lane.emu.unified.tenant(lane.emu.tenantId);
  const sources = lane.emu.unified.tenant(CUSTOMER).listIncidents();
  for (const s of sources) {
    const linked = (await lane.store.getRecord(s.id))?.relay?.targetId;
    if (!linked) {
      problems.push(`source ${s.id} is not linked`);
      continue;
    }
    const holding = all.filter((t) =>
      sourceKeysOfIncident(t as unknown as DefenderIncident).some((k) => k.incidentId === s.id),
    );
    const open = holding.filter((t) => isOpen(t.status)).map((t) => t.id);
    const want = isOpen(s.status) ? [linked] : [];
    if (JSON.stringify(open) !== JSON.stringify(want))
      problems.push(`source ${s.id} (${s.status}): open target incidents ${open}, expected ${want}`);
    // A merged source's mirror is resolved (the API cannot redirect an incident).
    const status = mssp.getIncident(linked)?.status;
    if (status !== (s.status === "redirected" ? "resolved" : s.status))
      problems.push(`source ${s.id} is ${s.status}, its target ${linked} is ${status}`);
  }
  for (const i of [...sources, ...all]) {
    const ours = new Set(i.comments.filter((c) => c.createdByDisplayName?.startsWith("API-App:")));
    const texts = i.comments.map((c) => c.comment.trim());
    const twice = i.comments.filter((c, n) => ours.has(c) && texts.indexOf(c.comment.trim()) !== n);
    for (const c of twice) problems.push(`incident ${i.id}: comment twice: ${c.comment.slice(0, 60)}`);
  }
  const pending = (await lane.store.getWatermarks()).relayPending ?? [];
  if (pending.length > 0) problems.push(`pending pairs left: ${pending}`);
  return problems;
}
