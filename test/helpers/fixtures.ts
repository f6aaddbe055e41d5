import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Root of the official example payloads (copied from /work/shared/fixtures/official). */
export const FIXTURES_ROOT = fileURLToPath(new URL("../fixtures/official/", import.meta.url));

function readText(relPath: string): string {
  return readFileSync(join(FIXTURES_ROOT, relPath), "utf8");
}

/** Parses a fixture file as JSON; `relPath` is relative to test/fixtures/official. */
export function readJson<T = unknown>(relPath: string): T {
  return JSON.parse(readText(relPath)) as T;
}

/**
 * Parses a fixture that is JSON with trailing commas (quirk G6). The regex is only safe because no string in
 * these fixtures contains `,` followed by a closing bracket.
 */
export function readJsonc<T = unknown>(relPath: string): T {
  return JSON.parse(readText(relPath).replace(/,(\s*[}\]])/g, "$1")) as T;
}

/** Fixture paths (relative to test/fixtures/official) in `dir` whose name ends with `suffix`, sorted. */
export function listFixtures(dir: string, suffix: string): string[] {
  return readdirSync(join(FIXTURES_ROOT, dir))
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => `${dir}/${name}`);
}
