/**
 * Which code the package names load: the internal run (vitest.config.ts) aliases them to src, the public
 * run (vitest.public.config.ts, DSS_TEST_TARGET=dist) resolves them through package.json "exports" to the
 * built dist, so the public tests prove what users install. The raw call sites of an error thrown inside
 * the package name the file that ran (stack text is source-mapped back to src either way).
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { DefenderClient } from "defender-sentinel-sync";
import { createEmulator } from "defender-sentinel-sync/testing";
import { describe, expect, it } from "vitest";

const againstDist = process.env.DSS_TEST_TARGET === "dist";
const root = path.resolve(__dirname, "../..");

/** The file of the innermost call site of the error `fn` throws. */
function fileThatThrew(fn: () => unknown): string {
  const original = Error.prepareStackTrace;
  Error.prepareStackTrace = (_error, sites) => sites[0]?.getFileName() ?? "";
  try {
    fn();
  } catch (e) {
    return String((e as Error).stack);
  } finally {
    Error.prepareStackTrace = original;
  }
  throw new Error("expected a throw");
}

describe(`the package entry points resolve to ${againstDist ? "the built dist" : "src"}`, () => {
  const expected = againstDist
    ? { main: /dist[\\/]index\.js$/, testing: /dist[\\/]testing[\\/]index\.js$/ }
    : { main: /src[\\/].+\.ts$/, testing: /src[\\/]testing[\\/]emulator\.ts$/ };

  it("defender-sentinel-sync", () => {
    const file = fileThatThrew(
      () => new DefenderClient(createEmulator().credential, { endpoint: "ftp://x" }),
    );
    expect(file).toMatch(expected.main);
  });

  it("defender-sentinel-sync/testing", () => {
    expect(fileThatThrew(() => createEmulator({ timeScale: 0 }))).toMatch(expected.testing);
  });

  it("a child process started with tsx (as the demo test does) loads the same", () => {
    const probe = `
      Error.prepareStackTrace = (_e, sites) => sites[0]?.getFileName();
      const { createEmulator } = await import("defender-sentinel-sync/testing");
      try { createEmulator({ timeScale: 0 }); } catch (e) { console.log(e.stack); }`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", probe], {
      cwd: root,
      encoding: "utf8",
    });
    expect(out.trim()).toMatch(expected.testing);
  });
});
