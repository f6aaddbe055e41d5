/**
 * Every export of the public entry points carries a TSDoc comment: the generated reference and editor hovers are
 * the documentation a user reads first, so an undocumented export fails here.
 */
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const entries = {
  "defender-sentinel-sync": fileURLToPath(new URL("../../src/index.ts", import.meta.url)),
  "defender-sentinel-sync/testing": fileURLToPath(new URL("../../src/testing/index.ts", import.meta.url)),
};

const program = ts.createProgram(Object.values(entries), {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();

function hasTsDoc(symbol: ts.Symbol): boolean {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  if (target.getDocumentationComment(checker).length > 0) return true;
  return (target.declarations ?? []).some((declaration) =>
    ts.getJSDocCommentsAndTags(declaration).some((doc) => ts.isJSDoc(doc) && doc.comment !== undefined),
  );
}

function undocumentedExports(entryFile: string): string[] {
  const source = program.getSourceFile(entryFile);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`cannot load ${entryFile}`);
  return checker
    .getExportsOfModule(moduleSymbol)
    .filter((symbol) => !hasTsDoc(symbol))
    .map((symbol) => symbol.name)
    .sort();
}

describe("TSDoc", () => {
  it.each(Object.entries(entries))("is present on every export of %s", (_entry, file) => {
    expect(undocumentedExports(file)).toEqual([]);
  });
});
