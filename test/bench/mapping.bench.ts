/**
 * Mapping benchmark: a realistic Defender incident (10 alerts × 5 evidence items) as JSON text.
 *
 * Compares, in one run, `JSON.parse` of the payload with the full path a SyncEngine takes for it:
 * `JSON.parse` + validation (`defenderIncidentSchema`, whose reader is compiled from the models' zod shapes) +
 * mapping to the Sentinel PUT body (which itself validates its output with zod). Target from issue #9:
 * validation + mapping cost ≤ 1.5× the `JSON.parse` time, as shipped (the esbuild bundle).
 *
 * vitest's table shows the throughput of each case. vitest does not run `afterAll` hooks in bench mode, so the
 * ratios are measured when the file is collected (same process, interleaved timing loops after a warm-up, best
 * of rounds) and printed as "RATIO …" lines before the table:
 * - under vitest's module runner (what the table measures; every cross-module call goes through a getter), and
 * - on an esbuild bundle of the same sources built in memory (what tsup ships), when esbuild can be loaded.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bench, describe } from "vitest";
import { defenderIncidentSchema } from "../../src/defender/models";
import { DEFAULT_MAPPING_PROFILE, defenderToSentinel } from "../../src/mapping";
import { realisticIncidentPayload } from "../mapping/builders";

const payload = JSON.stringify(realisticIncidentPayload(10, 5));
const preParsed = defenderIncidentSchema.parse(JSON.parse(payload));

function parseOnly(): unknown {
  return JSON.parse(payload);
}

function parseValidateMap(): unknown {
  const incident = defenderIncidentSchema.parse(JSON.parse(payload));
  const result = defenderToSentinel(incident, { profile: DEFAULT_MAPPING_PROFILE });
  if (!result.ok) throw result.error;
  return result.value;
}

function parseValidate(): unknown {
  return defenderIncidentSchema.parse(JSON.parse(payload));
}

function parseMap(): unknown {
  // The part mapping/ owns: mapping (with its own output validation) of an already-validated incident.
  JSON.parse(payload);
  const result = defenderToSentinel(preParsed);
  if (!result.ok) throw result.error;
  return result.value;
}

interface Api {
  parse: (text: string) => unknown;
  toSentinel: (incident: unknown) => { ok: boolean };
}

function casesFor(api: Api) {
  const pre = api.parse(payload);
  return {
    parse: () => JSON.parse(payload),
    full: () => {
      if (!api.toSentinel(api.parse(payload)).ok) throw new Error("mapping failed");
    },
    validate: () => api.parse(payload),
    map: () => {
      JSON.parse(payload);
      if (!api.toSentinel(pre).ok) throw new Error("mapping failed");
    },
  };
}

type Timings = Record<"parse" | "full" | "validate" | "map", number>;

const ROUNDS = 41;

/**
 * Interleaved timing loops after a warm-up; per case the best round, in ms per call. The minimum (not the mean)
 * is the estimator least disturbed by other processes on a shared machine.
 */
function measure(api: Api): Timings {
  const cases = casesFor(api);
  const entries = Object.entries(cases) as [keyof Timings, () => unknown][];
  for (let i = 0; i < 500; i++) for (const [, fn] of entries) fn();
  const samples: Record<keyof Timings, number[]> = { parse: [], full: [], validate: [], map: [] };
  const iterations = 25;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of entries) {
      const t0 = performance.now();
      for (let i = 0; i < iterations; i++) fn();
      samples[name].push((performance.now() - t0) / iterations);
    }
  }
  const best = (xs: number[]) => Math.min(...xs);
  return {
    parse: best(samples.parse),
    full: best(samples.full),
    validate: best(samples.validate),
    map: best(samples.map),
  };
}

function report(label: string, m: Timings): string {
  const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`.padStart(10);
  const x = (ms: number) => `${((ms - m.parse) / m.parse).toFixed(2)}x`;
  return [
    `mapping bench, ${label} (${payload.length} bytes of JSON, best of ${ROUNDS} interleaved rounds):`,
    `  JSON.parse                                     ${us(m.parse)}`,
    `  JSON.parse + validation + mapping              ${us(m.full)}`,
    `  JSON.parse + validation (input model only)     ${us(m.validate)}`,
    `  JSON.parse + mapping (input pre-validated)     ${us(m.map)}`,
    `RATIO [${label}] (validation + mapping) / JSON.parse = ${x(m.full)} (target <= 1.5x)`,
    `  of which validation of the input model     = ${x(m.validate)}`,
    `  of which mapping incl. its output checks   = ${x(m.map)}`,
  ].join("\n");
}

/** The same sources bundled by esbuild (as tsup does), loaded from a temporary file; undefined if unavailable. */
async function bundledApi(): Promise<Api | undefined> {
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch {
    return undefined;
  }
  const src = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
  const entry = [
    `export { defenderIncidentSchema } from ${JSON.stringify(src("../../src/defender/models.ts"))};`,
    `export { defenderToSentinel } from ${JSON.stringify(src("../../src/mapping/index.ts"))};`,
  ].join("\n");
  const out = await esbuild.build({
    stdin: { contents: entry, resolveDir: src("."), loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  const dir = mkdtempSync(join(tmpdir(), "mapping-bench-"));
  try {
    const file = join(dir, "bundle.mjs");
    writeFileSync(file, out.outputFiles[0]!.text);
    const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
      defenderIncidentSchema: { parse: (v: unknown) => unknown };
      defenderToSentinel: (incident: unknown) => { ok: boolean };
    };
    return {
      parse: (text) => mod.defenderIncidentSchema.parse(JSON.parse(text)),
      toSentinel: (incident) => mod.defenderToSentinel(incident),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const harnessApi: Api = {
  parse: (text) => defenderIncidentSchema.parse(JSON.parse(text)),
  toSentinel: (incident) =>
    defenderToSentinel(incident as Parameters<typeof defenderToSentinel>[0], {
      profile: DEFAULT_MAPPING_PROFILE,
    }),
};

const lines = [report("vitest module runner", measure(harnessApi))];
const bundled = await bundledApi();
if (bundled !== undefined) lines.push(report("esbuild bundle (as shipped)", measure(bundled)));
console.log(lines.join("\n"));

describe(`incident with 10 alerts × 5 evidence (${payload.length} bytes of JSON)`, () => {
  bench("JSON.parse", () => {
    parseOnly();
  });
  bench("JSON.parse + validation + map to Sentinel body", () => {
    parseValidateMap();
  });
  bench("JSON.parse + validation (defenderIncidentSchema only)", () => {
    parseValidate();
  });
  bench("JSON.parse + map to Sentinel body (input already validated)", () => {
    parseMap();
  });
});
