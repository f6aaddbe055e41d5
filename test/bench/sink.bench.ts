/**
 * Alert sink benchmark (issue #6): rows per second through mapping + upload to the emulator's Logs Ingestion
 * endpoint over loopback HTTP (gzip, real `LogsIngestionClient`), and bytes sent per row against the alert's raw
 * Graph JSON.
 *
 * Two alert sets: the emulator's generated alerts (1–4 evidence items each, like most real alerts) and a heavy
 * set (the mapping bench's realistic alert with 25 evidence items). The numbers are measured when the file is
 * collected (best of a few rounds; vitest does not run afterAll in bench mode) and printed as a "[bench]" block;
 * vitest's table then shows per-batch throughput of the same operations.
 */
import { gzipSync } from "node:zlib";
import {
  DEFAULT_ALERT_STREAM_NAME,
  type DefenderAlert,
  LogsIngestionAlertSink,
} from "defender-sentinel-sync";
import { createEmulator } from "defender-sentinel-sync/testing";
import { bench, describe } from "vitest";
import { defenderAlertSchema } from "../../src/defender/models";
import { defaultAlertRowMapper } from "../../src/mapping/alertRow";
import { sampleAlerts } from "../sink/helpers";
import { report, SHORT } from "./benchHelpers";

const BATCH = 500; // one page of the standalone feed
const ROUNDS = SHORT ? 2 : 4;

const emu = createEmulator({ seed: 21, incidents: SHORT ? 400 : 1500, throttling: false });
const server = await emu.listen();
const sink = new LogsIngestionAlertSink(emu.credential, {
  endpoint: server.url,
  ruleId: "dcr-bench",
  streamName: DEFAULT_ALERT_STREAM_NAME,
});

const generatedRaw = emu.defender.listIncidents().flatMap((i) => i.alerts) as unknown[];
const sets: { name: string; raw: unknown[]; alerts: DefenderAlert[] }[] = [
  {
    name: "generated alerts (1–4 evidence)",
    raw: generatedRaw,
    alerts: generatedRaw.map((a) => defenderAlertSchema.parse(a)),
  },
];
{
  const heavy = sampleAlerts(SHORT ? 500 : 2000, 25);
  sets.push({ name: "heavy alerts (25 evidence)", raw: heavy, alerts: heavy });
}

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

async function measure(set: (typeof sets)[number]): Promise<Record<string, string | number>> {
  const n = set.alerts.length;
  // Warm-up.
  for (const a of set.alerts.slice(0, 200)) defaultAlertRowMapper(a);
  let mapBest = Number.POSITIVE_INFINITY;
  let fullBest = Number.POSITIVE_INFINITY;
  let wire = 0;
  let json = 0;
  let requests = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let t0 = performance.now();
    for (const a of set.alerts) {
      const r = defaultAlertRowMapper(a);
      if (!r.ok) throw r.error;
    }
    mapBest = Math.min(mapBest, performance.now() - t0);

    emu.logs.clear();
    const before = sink.stats().bytesSent;
    t0 = performance.now();
    for (const batch of batches(set.alerts)) {
      const result = await sink.uploadAlerts(batch);
      if (result.failed.length > 0) throw new Error(`${result.failed.length} alerts failed`);
    }
    fullBest = Math.min(fullBest, performance.now() - t0);
    const stats = emu.logs.stats();
    if (stats.rows !== n) throw new Error(`expected ${n} rows, the emulator has ${stats.rows}`);
    wire = sink.stats().bytesSent - before;
    json = stats.jsonBytes;
    requests = stats.requests;
  }
  const rawJson = set.raw.reduce<number>((sum, a) => sum + Buffer.byteLength(JSON.stringify(a)), 0);
  const rawGzip = batches(set.raw).reduce((sum, b) => sum + gzipSync(JSON.stringify(b)).length, 0);
  const perRow = (bytes: number) => (bytes / n).toFixed(0);
  return {
    alerts: n,
    "upload requests (≤ 1 MB each)": requests,
    "mapping only, rows/s": Math.round(n / (mapBest / 1000)),
    "mapping + upload to the emulator, rows/s": Math.round(n / (fullBest / 1000)),
    "raw Graph alert JSON, bytes/alert": perRow(rawJson),
    "raw Graph alert JSON gzip-compressed, bytes/alert": perRow(rawGzip),
    "row JSON (uncompressed), bytes/row": perRow(json),
    "sent on the wire (gzip), bytes/row": perRow(wire),
    "wire bytes / raw JSON bytes": (wire / rawJson).toFixed(3),
  };
}

for (const set of sets) report(`alert sink: ${set.name}`, await measure(set));

describe("alert sink", () => {
  for (const set of sets) {
    const batch = set.alerts.slice(0, BATCH);
    bench(`${set.name}: map ${batch.length} alerts to rows`, () => {
      for (const a of batch) defaultAlertRowMapper(a);
    });
    bench(
      `${set.name}: map + upload ${batch.length} alerts to the emulator (loopback, gzip)`,
      async () => {
        emu.logs.clear();
        const result = await sink.uploadAlerts(batch);
        if (result.failed.length > 0) throw new Error("upload failed");
      },
      { iterations: 5, warmupIterations: 1 },
    );
  }
});
