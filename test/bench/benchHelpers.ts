import {
  ARM_RATE_LIMITS,
  DefenderClient,
  GRAPH_RATE_LIMITS,
  type RateLimitOptions,
  SentinelClient,
  SyncEngine,
  type SyncEngineOptions,
} from "defender-sentinel-sync";
import { createEmulator, type EmulatorOptions } from "defender-sentinel-sync/testing";

export const SHORT = process.env.BENCH_SHORT === "1";
export const LONG = process.env.BENCH_LONG === "1";

/** Runs a measurement exactly once inside a vitest bench. */
export const once = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 } as const;

export function scaledLimits(limits: RateLimitOptions, timeScale: number): RateLimitOptions {
  const scale = (b: { capacity: number; refillPerSecond: number } | undefined) =>
    b ? { capacity: b.capacity, refillPerSecond: b.refillPerSecond * timeScale } : undefined;
  return { read: scale(limits.read)!, write: scale(limits.write), delete: scale(limits.delete) };
}

export interface BenchSetup {
  emu: ReturnType<typeof createEmulator>;
  engine: SyncEngine;
  defender: DefenderClient;
  sentinel: SentinelClient;
  close: () => Promise<void>;
}

/** An emulator on loopback and an engine talking to it over real HTTP. */
export async function setupBench(
  emulator: EmulatorOptions,
  engine: Partial<SyncEngineOptions> = {},
  rateLimits: "off" | { timeScale: number } = "off",
): Promise<BenchSetup> {
  const emu = createEmulator(emulator);
  const server = await emu.listen();
  const rl = (limits: RateLimitOptions) =>
    rateLimits === "off" ? false : scaledLimits(limits, rateLimits.timeScale);
  const defender = new DefenderClient(emu.credential, {
    endpoint: server.defenderEndpoint,
    rateLimit: rl(GRAPH_RATE_LIMITS),
  });
  const sentinel = new SentinelClient(emu.credential, {
    endpoint: server.sentinelEndpoint,
    subscriptionId: server.subscriptionId,
    resourceGroupName: server.resourceGroupName,
    workspaceName: server.workspaceName,
    rateLimit: rl(ARM_RATE_LIMITS),
  });
  const syncEngine = new SyncEngine({
    defender,
    sentinel,
    tenantId: server.tenantId,
    maxConcurrency: 8,
    ...engine,
  });
  return { emu, engine: syncEngine, defender, sentinel, close: () => server.close() };
}

/** Prints a result block that survives vitest's bench reporter. */
export function report(title: string, rows: Record<string, string | number>): void {
  const lines = Object.entries(rows).map(([k, v]) => `  ${k.padEnd(44)} ${v}`);
  process.stdout.write(`\n[bench] ${title}\n${lines.join("\n")}\n`);
}
