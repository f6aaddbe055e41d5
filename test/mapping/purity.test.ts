/**
 * mapping/ is pure: no I/O, no clocks, no randomness, no mutable module state, named exports only.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DIR = fileURLToPath(new URL("../../src/mapping/", import.meta.url));
// Top-level modules and the field modules under fields/ (paths relative to src/mapping).
const files = readdirSync(DIR, { recursive: true, encoding: "utf8" })
  .map((f) => f.replaceAll("\\", "/"))
  .filter((f) => f.endsWith(".ts"));
const source = (f: string) =>
  readFileSync(join(DIR, f), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");

describe("src/mapping purity", () => {
  it.each(files)("%s uses no clock, randomness, I/O or globals", (f) => {
    const text = source(f);
    for (const banned of [
      /Date\.now/,
      /new Date\(/,
      /performance\./,
      /Math\.random/,
      /randomUUID|randomBytes|getRandomValues/,
      /\bfetch\(/,
      /\bprocess\./,
      /globalThis/,
      /setTimeout|setInterval/,
      /console\./,
      /from "node:(?!crypto")/, // node:crypto is allowed for deterministic hashing only (see above)
      /^(let|var) /m,
      /export \*/,
    ]) {
      expect(text, `${f} matches ${banned}`).not.toMatch(banned);
    }
  });

  it.each(files)("%s imports only zod, models, pure core helpers and siblings", (f) => {
    const allowed = [
      "zod",
      "node:crypto",
      "../core/errors",
      "../core/timestamps",
      "../core/guid",
      "../core/validationIssues",
      "../defender/models",
      "../sentinel/models",
    ];
    // Subfolders (fields/, alertRow/): "../guards" is a sibling of src/mapping, "../../core/errors" is
    // "../core/errors" from there.
    const fromMapping = (i: string) =>
      !f.includes("/") || !i.startsWith("../") ? i : i.startsWith("../../") ? i.slice(3) : `./${i.slice(3)}`;
    const imports = [...source(f).matchAll(/from "([^"]+)"/g)].map((m) => fromMapping(m[1]!));
    for (const i of imports)
      expect(allowed.includes(i) || i.startsWith("./"), `${f} imports ${i}`).toBe(true);
  });
});
