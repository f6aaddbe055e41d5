/** A customer tenant mirrored into the MSSP's workspace through the unified (relay) target, on a manual clock. */
import { DefenderClient } from "../../src/defender/defenderClient";
import { SentinelClient } from "../../src/sentinel/sentinelClient";
import { InMemoryStateStore } from "../../src/sync/inMemoryStateStore";
import { SyncEngine, type SyncEngineOptions } from "../../src/sync/syncEngine";
import type { RelayPacer } from "../../src/targets/relayPacer";
import { DEFAULT_RELAY_STREAM_NAME, DEFAULT_RELAY_TABLE_NAME } from "../../src/targets/relayRow";
import { UnifiedTarget } from "../../src/targets/unifiedTarget";
import {
  createEmulator,
  createManualClock,
  type Emulator,
  type EmulatorServer,
  type ManualClock,
  type UnifiedPortalOptions,
} from "../../src/testing/index";

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
  targetIncidents(): Promise<import("../../src/defender/models").DefenderIncident[]>;
  close(): Promise<void>;
}

export interface LaneOptions {
  customerIncidents?: number;
  unified?: UnifiedPortalOptions;
  engine?: Partial<SyncEngineOptions>;
  pacer?: RelayPacer;
  mssPIncidents?: number;
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
  const srv = await emu.listen();
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
  const target = new UnifiedTarget({
    defender: mssp,
    sentinel,
    ingestion: { endpoint: srv.url, ruleId: DCR, streamName: DEFAULT_RELAY_STREAM_NAME },
    credential: emu.credential,
    ingestionRetryOptions: retryOptions,
    pacer: options.pacer,
    now: clock.now,
  });
  await target.ensureRelayRule();
  const store = new InMemoryStateStore();
  const engine = new SyncEngine({
    defender: customer,
    target,
    tenantId: CUSTOMER,
    stateStore: store,
    now: clock.now,
    overlapInMs: 0,
    ...options.engine,
  });
  const events: { name: string; event: unknown }[] = [];
  for (const name of EVENTS) engine.on(name, (event: unknown) => events.push({ name, event }));
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
      return engine.runOnce();
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
  return lane;
}

/** Cycles every 5 minutes until every pending pair is linked (or the budget of cycles is spent). */
export async function cycleUntilLinked(lane: Lane, expected: number, maxCycles = 12): Promise<number> {
  for (let i = 0; i < maxCycles; i++) {
    await lane.cycle(5 * MINUTE);
    const linked = lane.events.filter((e) => e.name === "incident.linked").length;
    if (linked >= expected) return i + 1;
  }
  return maxCycles;
}
