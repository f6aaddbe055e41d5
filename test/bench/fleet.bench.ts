/**
 * Fleet benchmark: many lanes in one process against the emulator (in a process of its own), each lane with a
 * FileStateStore. Measures peak RSS as lanes are added (it should stay flat: memory follows the pages in flight,
 * not lanes × history) and the CPU of an idle lane's cycle. BENCH_SHORT=1: 20 lanes × 100 incidents.
 */
import { spawn } from "node:child_process";
import { afterAll, bench, describe } from "vitest";
import { once, report, SHORT } from "./benchHelpers";

const LANES = SHORT ? 20 : 100;
const INCIDENTS = SHORT ? 100 : 1_000;
const PHASES = SHORT ? [5, 10, 20] : [25, 50, 100];
const MAX_CONCURRENT_LANES = 8;
/** Heap cap of the fleet process (a worker is deployed with one; V8 otherwise grows lazily up to its default). */
const MAX_OLD_SPACE_MB = 160;

interface Phase {
  lanes: number;
  created: number;
  backfillFailed: number;
  backfillSeconds: number;
  peakRss: number;
  rssAfter: number;
  liveHeapAfterGc: number;
  baseline: number;
  quietCompleted: number;
  quietWrites: number;
  quietCalls: number;
  quietWallMs: number;
  quietCpuMs: number;
}

const results: [string, Record<string, string | number>][] = [];
afterAll(() => {
  for (const [title, rows] of results) report(title, rows);
});

/** Starts the emulator process; resolves with the coordinates it prints, and a way to stop it. */
async function startEmulator(): Promise<{ coords: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/bench/fleetEmulatorServer.ts", String(LANES), String(INCIDENTS), "7"],
    {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=16000" },
    },
  );
  const coords = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.on("exit", (code) => reject(new Error(`emulator exited ${code}`)));
  });
  return { coords, stop: () => child.stdin.end() };
}

async function runFleet(coords: string): Promise<Phase[]> {
  const runner = spawn(
    process.execPath,
    [
      "--expose-gc",
      `--max-old-space-size=${MAX_OLD_SPACE_MB}`,
      "--import",
      "tsx",
      "test/bench/fleetRun.ts",
      coords,
      PHASES.join(","),
      String(MAX_CONCURRENT_LANES),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  runner.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => runner.on("exit", resolve));
  if (code !== 0) throw new Error(`fleet runner exited ${code}`);
  return out
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Phase);
}

describe("fleet: memory and CPU", () => {
  bench(
    `${LANES} lanes × ${INCIDENTS} incidents, lanes added in steps of ${PHASES.join(" / ")}`,
    async () => {
      const emulator = await startEmulator();
      try {
        const phases = await runFleet(emulator.coords);
        const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
        const first = phases[0]!;
        const last = phases.at(-1)!;
        const rows: Record<string, string | number> = {
          "RSS at start (MB)": mb(first.baseline),
        };
        for (const p of phases) {
          rows[`${p.lanes} lanes: peak RSS / live heap after GC (MB)`] =
            `${mb(p.peakRss)} / ${mb(p.liveHeapAfterGc)}`;
          rows[`${p.lanes} lanes: backfill created / failed, seconds`] =
            `${p.created} / ${p.backfillFailed}, ${p.backfillSeconds.toFixed(1)}`;
          rows[`${p.lanes} lanes: idle round CPU per lane (ms), wall (ms)`] =
            `${(p.quietCpuMs / p.lanes).toFixed(1)}, ${p.quietWallMs.toFixed(0)}`;
          rows[`${p.lanes} lanes: idle round calls per lane (target 2), writes (target 0)`] =
            `${(p.quietCalls / p.lanes).toFixed(2)}, ${p.quietWrites}`;
        }
        rows[`peak RSS ${last.lanes} lanes / ${first.lanes} lanes (flat: ≈ 1)`] = (
          last.peakRss / first.peakRss
        ).toFixed(2);
        rows["peak RSS (MB, target ≤ 300)"] = mb(Math.max(...phases.map((p) => p.peakRss)));
        rows["node flags"] =
          `--max-old-space-size=${MAX_OLD_SPACE_MB}, maxConcurrentLanes ${MAX_CONCURRENT_LANES}`;
        results.push([`Fleet: ${LANES} lanes × ${INCIDENTS} incidents (FileStateStore per lane)`, rows]);
      } finally {
        emulator.stop();
      }
    },
    once,
  );
});
