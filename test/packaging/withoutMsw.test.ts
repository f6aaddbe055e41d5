/**
 * `./testing`'s loopback server must work in a project that never installed msw (an optional peer
 * dependency): the built package is copied into a scratch project whose node_modules has every dependency
 * but msw, and both module formats start the emulator and sync through it there.
 */
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
let project: string;

function linkDependencies(nodeModules: string): void {
  for (const entry of readdirSync(path.join(root, "node_modules"))) {
    if (entry === "msw" || entry === ".bin" || entry.startsWith(".")) continue;
    symlinkSync(path.join(root, "node_modules", entry), path.join(nodeModules, entry));
  }
}

const script = (load: string) => `
${load}
const emu = createEmulator({ seed: 3, incidents: 4 });
const server = await emu.listen();
try {
  const defender = new DefenderClient(emu.credential, { endpoint: server.defenderEndpoint });
  let count = 0;
  for await (const _ of defender.listIncidents()) count++;
  let handlersError = "none";
  try { emu.handlers; } catch (e) { handlersError = e.name + ": " + e.message; }
  console.log(JSON.stringify({ count, handlersError }));
} finally {
  await server.close();
}`;

beforeAll(() => {
  if (!existsSync(path.join(root, "dist/testing/index.js"))) {
    execFileSync("npx", ["tsup"], { cwd: root, stdio: "ignore" });
  }
  project = mkdtempSync(path.join(tmpdir(), "dss-no-msw-"));
  const nodeModules = path.join(project, "node_modules");
  mkdirSync(nodeModules);
  linkDependencies(nodeModules);
  const pkg = path.join(nodeModules, "defender-sentinel-sync");
  mkdirSync(pkg);
  cpSync(path.join(root, "dist"), path.join(pkg, "dist"), { recursive: true });
  cpSync(path.join(root, "package.json"), path.join(pkg, "package.json"));
  writeFileSync(
    path.join(project, "esm.mjs"),
    script(`import { DefenderClient } from "defender-sentinel-sync";
import { createEmulator } from "defender-sentinel-sync/testing";`),
  );
  writeFileSync(
    path.join(project, "cjs.cjs"),
    `(async () => {${script(`const { DefenderClient } = require("defender-sentinel-sync");
const { createEmulator } = require("defender-sentinel-sync/testing");`)}})();`,
  );
}, 120_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the testing entry point without msw installed", () => {
  for (const file of ["esm.mjs", "cjs.cjs"]) {
    it(`${file}: the loopback server serves the seeded tenant; only \`handlers\` asks for msw`, () => {
      expect(() =>
        execFileSync("node", ["-e", "require.resolve('msw')"], { cwd: project, stdio: "pipe" }),
      ).toThrow();
      const out = execFileSync("node", [file], { cwd: project, encoding: "utf8" });
      const result = JSON.parse(out.trim().split("\n").at(-1) ?? "{}");
      expect(result.count).toBe(4);
      expect(result.handlersError).toMatch(/^InvalidArgumentError: .*msw/);
    }, 60_000);
  }
});
