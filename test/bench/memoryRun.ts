/**
 * The engine side of the memory benchmark, in a process of its own so its RSS is the engine's alone:
 * syncs everything the emulator at argv[2] (JSON coordinates) serves into a FileStateStore, sampling RSS.
 * Prints one JSON line with the result.
 */

import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The built package when there is one (what users run); the sources through tsx otherwise.
const built = new URL("../../dist/index.js", import.meta.url);
const lib = (
  existsSync(built) ? await import(built.href) : await import("../../src/index")
) as typeof import("../../src/index");
const testing = (
  existsSync(built)
    ? await import(new URL("../../dist/testing/index.js", import.meta.url).href)
    : await import("../../src/testing/index")
) as typeof import("../../src/testing/index");
const { DefenderClient, FileStateStore, SentinelClient, SyncEngine } = lib;
const { createEmulatorCredential } = testing;

const coords = JSON.parse(process.argv[2]!) as Record<string, string>;
const dir = await mkdtemp(join(tmpdir(), "dss-mem-"));
const store = new FileStateStore(dir);
const credential = createEmulatorCredential(coords.tenantId!);
const defender = new DefenderClient(credential, { endpoint: coords.defenderEndpoint, rateLimit: false });
const sentinel = new SentinelClient(credential, {
  endpoint: coords.sentinelEndpoint!,
  subscriptionId: coords.subscriptionId!,
  resourceGroupName: coords.resourceGroupName!,
  workspaceName: coords.workspaceName!,
  rateLimit: false,
});
const engine = new SyncEngine({
  defender,
  sentinel,
  stateStore: store,
  tenantId: coords.tenantId,
  maxConcurrency: 8,
});
const baseline = process.memoryUsage().rss;
let peak = baseline;
const samples: number[] = [];
const liveHeap: number[] = [];
let pages = 0;
engine.on("progress", (p) => {
  if (p.side !== "defender") return;
  const rss = process.memoryUsage().rss;
  peak = Math.max(peak, rss);
  samples.push(rss);
  // Every 10th page: the live heap after a full GC, the figure that shows memory is bounded by a page.
  if (++pages % 10 === 0 && typeof (globalThis as { gc?: () => void }).gc === "function") {
    (globalThis as { gc?: () => void }).gc!();
    liveHeap.push(process.memoryUsage().heapUsed);
  }
});
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 25);
const started = performance.now();
const report = await engine.runOnce();
clearInterval(timer);
const at = (f: number) => samples[Math.min(samples.length - 1, Math.floor(f * samples.length))] ?? 0;
const liveAt = (f: number) => liveHeap[Math.min(liveHeap.length - 1, Math.floor(f * liveHeap.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    created: report.counts.created,
    failed: report.counts.failed,
    seconds: (performance.now() - started) / 1000,
    baseline,
    peak,
    at10: at(0.1),
    at50: at(0.5),
    at100: at(1),
    live10: liveAt(0.1),
    live50: liveAt(0.5),
    live100: liveAt(1),
    maxOldSpaceMb: Number(/--max-old-space-size=(\d+)/.exec(process.execArgv.join(" "))?.[1] ?? 0),
    records: store.size,
    build: existsSync(built) ? "dist" : "src via tsx",
  })}\n`,
);
await store.close();
await rm(dir, { recursive: true, force: true });
