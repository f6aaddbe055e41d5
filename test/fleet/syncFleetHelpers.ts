/**
 * Fleets on the emulator: one loopback server, a Defender tenant per lane (or one shared tenant) and a workspace
 * per lane in one subscription, written by one MSSP principal (so every lane spends the same ARM budgets).
 */
import type { TokenCredential } from "@azure/core-auth";
import {
  ARM_RATE_LIMITS,
  createMappingProfile,
  DefenderClient,
  defenderIncidentSchema,
  FleetBudgets,
  GRAPH_RATE_LIMITS,
  InMemoryStateStore,
  type LaneOptions,
  RateLimiter,
  type RateLimitOptions,
  SentinelClient,
  type StateStore,
  SyncFleet,
  type SyncFleetOptions,
} from "defender-sentinel-sync";
import {
  type AddedTenant,
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  type EmulatorServer,
  type SentinelControl,
} from "defender-sentinel-sync/testing";
import { canonicalDiff, mapEmulatorSentinel } from "../helpers/engine";

export const FAST_RETRIES = { retryDelayInMs: 1, maxRetryDelayInMs: 20, maxRetries: 4 } as const;

/** Deterministic GUID-shaped tenant ids. */
export function tenantIdOf(i: number): string {
  return `7e1a0000-0000-4000-8000-${String(i).padStart(12, "0")}`;
}

export function scaled(limits: RateLimitOptions, timeScale: number): RateLimitOptions {
  const s = (b: { capacity: number; refillPerSecond: number } | undefined) =>
    b && { capacity: b.capacity, refillPerSecond: b.refillPerSecond * timeScale };
  return { read: s(limits.read)!, write: s(limits.write), delete: s(limits.delete) };
}

export interface FleetLaneSetup {
  id: string;
  tenant: AddedTenant;
  workspace: SentinelControl;
  defender: DefenderClient;
  sentinel: SentinelClient;
}

export interface FleetEnv {
  emu: Emulator;
  server: EmulatorServer;
  fleet: SyncFleet;
  lanes: FleetLaneSetup[];
  /** Ledgers the fleet handed out, by lane id. */
  stores: Map<string, StateStore>;
  /** Builds clients and lane options for one more lane (not added). */
  laneFor(
    i: number,
    overrides?: Partial<LaneOptions> & {
      wrapCredential?: (tenantCredential: TokenCredential) => TokenCredential;
    },
  ): FleetLaneSetup & { options: LaneOptions };
  close(): Promise<void>;
}

export interface FleetEnvOptions {
  lanes: number;
  /** Incidents per lane's tenant (a number, or per lane). */
  incidents: number | ((i: number) => number);
  /** All lanes read one tenant (each into its own workspace). */
  sharedTenant?: boolean;
  emulator?: Omit<EmulatorOptions, "incidents">;
  fleet?: Omit<SyncFleetOptions, "budgets" | "stateStore">;
  /**
   * "shared": the fleet's budgets (scaled by `timeScale`); "sharedFifo": one plain RateLimiter per budget key
   * (shared, first come first served); "perClient": each client its own limiter of the services' size (what
   * lanes get without a fleet); "off": none. Default "off".
   */
  limits?: "shared" | "sharedFifo" | "perClient" | "off";
  /** Budget sizes instead of the services' (scaled) ones. */
  sizes?: { graph?: RateLimitOptions; arm?: RateLimitOptions };
  /** FleetBudgets `headroom` (default: its own). */
  headroom?: number;
  timeScale?: number;
  /** Wraps the fleet's ledgers (e.g. to slow one down). */
  wrapStore?: (laneId: string, store: StateStore) => StateStore;
}

export async function fleetOnEmulator(options: FleetEnvOptions): Promise<FleetEnv> {
  const timeScale = options.timeScale ?? 1;
  const emu = createEmulator({ throttling: false, seed: 3, ...options.emulator, incidents: 0, timeScale });
  const server = await emu.listen();
  const sizes = {
    graph: options.sizes?.graph ?? scaled(GRAPH_RATE_LIMITS, timeScale),
    arm: options.sizes?.arm ?? scaled(ARM_RATE_LIMITS, timeScale),
  };
  const budgets = new FleetBudgets({ ...sizes, headroom: options.headroom });
  const fifo = new Map<string, RateLimiter>();
  const stores = new Map<string, StateStore>();
  const fleet = new SyncFleet({
    ...options.fleet,
    budgets,
    stateStore: (laneId) => {
      const store = options.wrapStore?.(laneId, new InMemoryStateStore()) ?? new InMemoryStateStore();
      stores.set(laneId, store);
      return store;
    },
  });
  const count = (i: number) =>
    typeof options.incidents === "number" ? options.incidents : options.incidents(i);
  const tenants = new Map<string, AddedTenant>();
  const tenantFor = (i: number): AddedTenant => {
    const id = tenantIdOf(options.sharedTenant ? 0 : i);
    let tenant = tenants.get(id);
    if (!tenant) {
      tenant = emu.addTenant({ tenantId: id, incidents: count(i) });
      tenants.set(id, tenant);
    }
    return tenant;
  };
  const rateLimit = (kind: "graph" | "arm", key: string): RateLimiter | RateLimitOptions | false => {
    if (options.limits === "shared") return kind === "graph" ? budgets.graph(key) : budgets.arm(key);
    if (options.limits === "sharedFifo") {
      const k = `${kind}|${key}`;
      if (!fifo.has(k)) fifo.set(k, new RateLimiter(sizes[kind]));
      return fifo.get(k)!;
    }
    if (options.limits === "perClient") return sizes[kind];
    return false;
  };
  const laneFor: FleetEnv["laneFor"] = (i, overrides = {}) => {
    const tenant = tenantFor(i);
    const workspace = emu.addWorkspace({
      subscriptionId: server.subscriptionId,
      resourceGroupName: server.resourceGroupName,
      workspaceName: `ws-lane-${i}`,
    });
    const { wrapCredential, ...laneOverrides } = overrides;
    const defender = new DefenderClient(wrapCredential?.(tenant.credential) ?? tenant.credential, {
      endpoint: server.defenderEndpoint,
      retryOptions: FAST_RETRIES,
      rateLimit: rateLimit("graph", tenant.tenantId),
    });
    const sentinel = new SentinelClient(emu.credential, {
      endpoint: server.sentinelEndpoint,
      subscriptionId: server.subscriptionId,
      resourceGroupName: server.resourceGroupName,
      workspaceName: workspace.workspaceName,
      retryOptions: FAST_RETRIES,
      rateLimit: rateLimit("arm", server.subscriptionId),
    });
    const id = `lane-${i}`;
    const laneOptions: LaneOptions = { id, defender, sentinel, tenantId: tenant.tenantId, ...laneOverrides };
    return { id, tenant, workspace, defender, sentinel, options: laneOptions };
  };
  const lanes: FleetLaneSetup[] = [];
  for (let i = 0; i < options.lanes; i++) {
    const lane = laneFor(i);
    fleet.addLane(lane.options);
    lanes.push(lane);
  }
  return {
    emu,
    server,
    fleet,
    lanes,
    stores,
    laneFor,
    close: async () => {
      await fleet.close();
      await server.close();
      await emu.close();
    },
  };
}

/**
 * Problems of one lane's mirror: every Defender incident of its tenant has a ledger record linking one
 * existing incident of its workspace whose synced fields agree, and the workspace holds nothing else.
 */
export async function laneProblems(lane: FleetLaneSetup, store: StateStore): Promise<string[]> {
  const profile = createMappingProfile();
  const problems: string[] = [];
  const incidents = lane.tenant.defender.listIncidents();
  const mirrored = lane.workspace.listIncidents();
  if (mirrored.length !== incidents.length)
    problems.push(
      `${lane.id}: ${mirrored.length} Sentinel incidents for ${incidents.length} Defender incidents`,
    );
  for (const d of incidents) {
    const record = await store.getRecord(d.id);
    if (!record) {
      problems.push(`${lane.id}/${d.id}: no ledger record`);
      continue;
    }
    const s = lane.workspace.getIncident(record.sentinelName);
    if (!s) {
      problems.push(`${lane.id}/${d.id}: ${record.sentinelName} missing`);
      continue;
    }
    const a = profile.defenderToCanonical(defenderIncidentSchema.parse(d));
    const b = mapEmulatorSentinel(s, profile);
    if (!a.ok || !b.ok) {
      problems.push(`${lane.id}/${d.id}: not mappable`);
      continue;
    }
    const differ = canonicalDiff(a.value, b.value);
    if (differ.length > 0) problems.push(`${lane.id}/${d.id}: ${differ.join(", ")} differ`);
  }
  return problems;
}

/**
 * A credential that can be revoked: it then gets tokens for a tenant the service does not know (401). Its tokens
 * expire within the clients' refresh margin, so each request asks it again and sees the change at once.
 */
export function revocable(): {
  wrap(inner: TokenCredential): TokenCredential;
  revoke(): void;
  restore(): void;
} {
  let revoked = false;
  const soon = () => Date.now() + 30_000;
  return {
    wrap: (inner) => ({
      async getToken(scopes, options) {
        if (revoked)
          return { token: "emulator-token:00000000-dead-4000-8000-000000000000", expiresOnTimestamp: soon() };
        const token = await inner.getToken(scopes, options);
        return token && { ...token, expiresOnTimestamp: soon() };
      },
    }),
    revoke: () => {
      revoked = true;
    },
    restore: () => {
      revoked = false;
    },
  };
}

/** Resolves once `condition` holds; fails after `timeoutInMs`. */
export async function waitFor(condition: () => boolean, timeoutInMs: number): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A ledger whose reads fail (a store outage that does not heal). */
export function failingStore(store: StateStore): StateStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === "getWatermarks") return () => Promise.reject(new Error("ledger unavailable"));
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A ledger whose first read of each cycle takes `delayInMs`. */
export function slowStore(store: StateStore, delayInMs: number): StateStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === "getWatermarks")
        return async () => {
          await new Promise((r) => setTimeout(r, delayInMs));
          return target.getWatermarks();
        };
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A ledger that reports its `close`. */
export function tracked(store: StateStore, onClose: () => void): StateStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === "close")
        return async () => {
          onClose();
          await target.close?.();
        };
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
