/**
 * Set-up of the unified demo: three customer tenants and one MSSP tenant on the emulator, one SyncEngine per
 * customer lane, all writing relay rows to the one relay rule of the MSSP's workspace.
 */
import {
  DEFAULT_RELAY_STREAM_NAME,
  DefenderClient,
  InMemoryStateStore,
  RelayPacer,
  SentinelClient,
  SyncEngine,
  type SyncReport,
  UnifiedTarget,
} from "defender-sentinel-sync";
import {
  createEmulator,
  createManualClock,
  type Emulator,
  type EmulatorServer,
  type ManualClock,
} from "defender-sentinel-sync/testing";

export interface Customer {
  name: string;
  tenantId: string;
}

export const CUSTOMERS: readonly Customer[] = [
  { name: "Contoso", tenantId: "0f7c1d3e-5a6b-4c8d-9e0f-1a2b3c4d5e6f" },
  { name: "Fabrikam", tenantId: "5b2e8a41-7c3d-4f6e-8a9b-0c1d2e3f4a5b" },
  { name: "Northwind", tenantId: "9d4f6b83-2e1a-4c5b-9d8e-7f6a5b4c3d2e" },
];

/** Source incidents generated per customer when `--incidents` is not given. */
export const DEFAULT_CUSTOMER_INCIDENTS = [6, 4, 8] as const;

/** The data collection rule of the relay table (any `dcr-…` id: the emulator accepts every rule). */
const RELAY_DCR = "dcr-7a1b2c3d4e5f60718293a4b5c6d7e8f9";
const retryOptions = { maxRetries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 20 };
// The clients' own rate limiters wait in real time, which a manual clock never lets pass; the emulator's
// throttling is off too. Against Azure keep the defaults (Graph allows 150 requests a minute per tenant).
const clientOptions = { retryOptions, rateLimit: false } as const;

export interface Lane {
  customer: Customer;
  /** Graph of the customer tenant: the source of this lane. */
  source: DefenderClient;
  /** Graph of the MSSP tenant, as this lane's target uses it (its own client, so its calls count per lane). */
  msspGraph: DefenderClient;
  target: UnifiedTarget;
  engine: SyncEngine;
  reports: SyncReport[];
}

export interface MsspSetup {
  clock: ManualClock;
  emu: Emulator;
  server: EmulatorServer;
  pacer: RelayPacer;
  lanes: Lane[];
  /** Reads the MSSP tenant for the demo's own report (not counted in the lanes' calls). */
  reader: DefenderClient;
  close(): Promise<void>;
}

export interface MsspSetupOptions {
  seed: number;
  /** Source incidents per customer, in `CUSTOMERS` order. */
  incidents: readonly number[];
  /** The MSSP's own incidents (never touched by the lanes). */
  msspIncidents: number;
}

export async function createMsspSetup(options: MsspSetupOptions): Promise<MsspSetup> {
  // A manual clock: the demo moves it in steps, so rule runs that take minutes in Azure take milliseconds.
  const clock = createManualClock("2026-11-30T08:00:00Z");
  const emu = createEmulator({
    seed: options.seed,
    incidents: options.msspIncidents,
    now: clock.now,
    // Rate limits refill on the emulator clock; this demo is about the relay, not about throttling.
    throttling: false,
    unified: {},
  });
  const customers = CUSTOMERS.map((customer, i) => ({
    customer,
    added: emu.addTenant({ tenantId: customer.tenantId, incidents: options.incidents[i] ?? 0 }),
  }));
  const server = await emu.listen();
  const sentinel = new SentinelClient(emu.credential, {
    endpoint: server.sentinelEndpoint,
    subscriptionId: server.subscriptionId,
    resourceGroupName: server.resourceGroupName,
    workspaceName: server.workspaceName,
    ...clientOptions,
  });
  // One pacer for every lane: they write to the same relay rule, whose per-run cap is shared.
  const pacer = new RelayPacer({ now: () => clock.now().getTime() });
  const lanes = customers.map(({ customer, added }): Lane => {
    const source = new DefenderClient(added.credential, {
      endpoint: server.defenderEndpoint,
      ...clientOptions,
    });
    const msspGraph = new DefenderClient(emu.credential, {
      endpoint: server.defenderEndpoint,
      ...clientOptions,
    });
    const target = new UnifiedTarget({
      defender: msspGraph,
      sentinel,
      ingestion: {
        endpoint: server.url,
        ruleId: RELAY_DCR,
        streamName: DEFAULT_RELAY_STREAM_NAME,
        retryOptions,
      },
      credential: emu.credential,
      pacer,
      now: clock.now,
    });
    const engine = new SyncEngine({
      defender: source,
      target,
      tenantId: customer.tenantId,
      stateStore: new InMemoryStateStore(),
      now: clock.now,
    });
    return { customer, source, msspGraph, target, engine, reports: [] };
  });
  const reader = new DefenderClient(emu.credential, { endpoint: server.defenderEndpoint, ...clientOptions });
  return { clock, emu, server, pacer, lanes, reader, close: () => server.close() };
}
