/**
 * The main job, on the built-in emulator (no Azure account needed): `npm run demo`.
 *
 * Starts the emulator of Microsoft Graph security and ARM Microsoft.SecurityInsights on 127.0.0.1, seeds a
 * Defender tenant, runs a real bidirectional sync through the public API over HTTP, then plays a short
 * scripted scenario and shows each change arriving on the other side.
 *
 * Flags: --incidents N (default 200), --seed S (default 7), --faults (inject 429/5xx/resets/truncation).
 *
 * `npm run demo -- --unified`: an MSSP mirrors three customer tenants into its workspace in the unified
 * Defender portal (`UnifiedTarget`); --incidents N then sets the incidents of each customer (default 6, 4, 8).
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    incidents: { type: "string" },
    seed: { type: "string", default: "7" },
    faults: { type: "boolean", default: false },
    unified: { type: "boolean", default: false },
  },
});
const seed = Number(values.seed);
const incidents = values.incidents === undefined ? undefined : Number(values.incidents);
if (
  !Number.isSafeInteger(seed) ||
  (incidents !== undefined && !(Number.isSafeInteger(incidents) && incidents > 0))
) {
  process.stderr.write("--seed must be an integer and --incidents a positive integer\n");
  process.exit(2);
}

if (values.unified) {
  if (values.faults) {
    process.stderr.write(
      "--faults is not available with --unified (the unified demo runs on a manual clock)\n",
    );
    process.exit(2);
  }
  const { runUnifiedDemo } = await import("./demo/unified");
  try {
    const result = await runUnifiedDemo({ seed, incidents });
    process.exitCode = result.exitCode;
  } catch (e) {
    process.stderr.write(`✗ ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
} else {
  const { runClassicDemo } = await import("./demo/classic");
  await runClassicDemo({ incidents: incidents ?? 200, seed, faults: values.faults });
}
