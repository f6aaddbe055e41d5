/**
 * Every TypeScript block of README.md and docs/*.md compiles on its own against the package's public entry
 * points, as a user would paste it: each block is written to a file of its own and typechecked with the
 * TypeScript compiler API. `defender-sentinel-sync` resolves to the built declarations when `dist` is newer
 * than every source file (CI builds first), else to the sources. A failure names the Markdown file and line.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

interface Snippet {
  /** "README.md:42": the Markdown file and the line of the opening fence. */
  where: string;
  /** 1-based line of the block's first code line in the Markdown file. */
  firstLine: number;
  code: string;
  heading: string;
}

const FENCE = /^(\s*)```(ts|typescript)\s*$/;

/** The ```ts / ```typescript blocks of one Markdown file, with the heading each sits under. */
function extractSnippets(file: string, text: string): Snippet[] {
  const lines = text.split("\n");
  const snippets: Snippet[] = [];
  let heading = "";
  let inOtherFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const open = FENCE.exec(line);
    if (!open) {
      if (/^\s*```/.test(line)) inOtherFence = !inOtherFence;
      else if (!inOtherFence && line.startsWith("#")) heading = line.replace(/^#+\s*/, "");
      continue;
    }
    if (inOtherFence) continue;
    const indent = open[1]?.length ?? 0;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] ?? ""); j++)
      body.push((lines[j] ?? "").slice(indent));
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: unclosed code block`);
    snippets.push({ where: `${file}:${i + 1}`, firstLine: i + 2, code: `${body.join("\n")}\n`, heading });
    i = j;
  }
  return snippets;
}

function markdownFiles(): string[] {
  const docs = readdirSync(path.join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`);
  return ["README.md", ...docs];
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The built declarations when they are newer than every source file, else the sources. */
function packageTypes(): { source: "dist" | "src"; main: string; testing: string } {
  const dist = {
    main: path.join(root, "dist/index.d.ts"),
    testing: path.join(root, "dist/testing/index.d.ts"),
  };
  try {
    // DOCS_SNIPPETS_AGAINST=src checks against the sources even when a fresh build exists.
    if (process.env.DOCS_SNIPPETS_AGAINST === "src") throw new Error("sources requested");
    const built = Math.min(statSync(dist.main).mtimeMs, statSync(dist.testing).mtimeMs);
    if (built > newestMtime(path.join(root, "src"))) return { source: "dist", ...dist };
  } catch {
    // no build: fall back to the sources
  }
  return {
    source: "src",
    main: path.join(root, "src/index.ts"),
    testing: path.join(root, "src/testing/index.ts"),
  };
}

const snippets = markdownFiles().flatMap((f) => extractSnippets(f, readFileSync(path.join(root, f), "utf8")));
const types = packageTypes();
// Inside the project (a gitignored .scratch-* folder), so `@azure/identity`, `msw` and `vitest` resolve.
let scratch = "";
const fileOf = new Map<Snippet, string>();
const diagnosticsOf = new Map<string, string[]>();

beforeAll(() => {
  scratch = mkdtempSync(path.join(root, ".scratch-snippets-"));
  snippets.forEach((s, i) => {
    const file = path.join(scratch, `snippet${i}.ts`);
    writeFileSync(file, s.code);
    fileOf.set(s, file);
  });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2023.d.ts"],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    strict: true,
    noUncheckedIndexedAccess: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
    typeRoots: [path.join(root, "node_modules/@types")],
    paths: {
      "defender-sentinel-sync": [types.main],
      "defender-sentinel-sync/testing": [types.testing],
    },
  };
  const program = ts.createProgram([...fileOf.values()], options);
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  };
  for (const [snippet, file] of fileOf) {
    const sourceFile = program.getSourceFile(file);
    if (!sourceFile) throw new Error(`${snippet.where}: not compiled`);
    const found = [
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile),
    ];
    diagnosticsOf.set(
      file,
      found.map((d) => {
        const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
        const at = snippet.where.replace(/:\d+$/, `:${snippet.firstLine + line}`);
        return `${at}: ${ts.flattenDiagnosticMessageText(d.messageText, host.getNewLine())}`;
      }),
    );
  }
}, 180_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe(`TypeScript blocks of the README and docs/ (against ${types.source})`, () => {
  it("finds the blocks, the emulator hello-world among them", () => {
    expect(snippets.length).toBeGreaterThan(10);
    const files = new Set(snippets.map((s) => s.where.replace(/:\d+$/, "")));
    expect(files).toContain("README.md");
    expect(snippets.some((s) => s.where.startsWith("README.md") && /hello/i.test(s.heading))).toBe(true);
  });

  it.each(snippets.map((s) => [s.where, s] as const))("%s compiles standalone", (_where, snippet) => {
    const file = fileOf.get(snippet);
    expect(file).toBeDefined();
    expect(diagnosticsOf.get(file!)).toEqual([]);
  });
});

describe("extractSnippets", () => {
  it("takes indented ts blocks, skips other languages and ts fences inside them, and keeps line numbers", () => {
    const md = [
      "# A",
      "```ts",
      "const a = 1;",
      "```",
      "## B",
      "```sh",
      "```ts",
      "```",
      "1. step",
      "   ```typescript",
      "   const b = 2;",
      "   ```",
    ].join("\n");
    const found = extractSnippets("x.md", md);
    expect(found.map(({ where, firstLine, code, heading }) => ({ where, firstLine, code, heading }))).toEqual(
      [
        { where: "x.md:2", firstLine: 3, code: "const a = 1;\n", heading: "A" },
        { where: "x.md:10", firstLine: 11, code: "const b = 2;\n", heading: "B" },
      ],
    );
  });
});
