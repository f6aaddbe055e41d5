import { describe, expect, it } from "vitest";
import { isInvalidArgumentError } from "../../src/core/errors";
import { isGuid } from "../../src/core/guid";
import { guidId, pathId } from "../../src/core/ids";

describe("pathId", () => {
  it.each(["2972395", "da637551227677560813_-961444813", "a.b"])("accepts %s", (id) => {
    expect(pathId("id", id)).toBe(id);
  });

  it("returns the id encoded as a path segment", () => {
    expect(pathId("id", "x:y")).toBe("x%3Ay");
  });

  it.each([
    ["empty", ""],
    ["slash", "12/34"],
    ["query", "12?$expand=alerts"],
    ["traversal", ".."],
    ["embedded traversal", "a..b"],
    ["dot", "."],
    ["encoded slash", "12%2F34"],
    ["hash", "12#x"],
    ["space", "12 34"],
    ["backslash", "12\\34"],
    ["newline", "12\n"],
    ["too long", "1".repeat(257)],
    ["not a string", 42 as unknown as string],
    ["undefined", undefined as unknown as string],
  ])("refuses %s", (_label, id) => {
    let error: unknown;
    try {
      pathId("id", id);
    } catch (e) {
      error = e;
    }
    expect(isInvalidArgumentError(error)).toBe(true);
    expect((error as { argument: string }).argument).toBe("id");
  });
});

describe("guidId", () => {
  it("accepts GUIDs in any case and refuses the rest", () => {
    expect(guidId("name", "73e01a99-5cd7-4139-a149-9f2736ff2ab5")).toBe(
      "73e01a99-5cd7-4139-a149-9f2736ff2ab5",
    );
    expect(isGuid("73E01A99-5CD7-4139-A149-9F2736FF2AB5")).toBe(true);
    for (const bad of [
      "",
      "3177",
      "73e01a99-5cd7-4139-a149-9f2736ff2ab5/comments",
      "{73e01a99-5cd7-4139-a149-9f2736ff2ab5}",
      null,
    ]) {
      expect(() => guidId("name", bad)).toThrow(/not a GUID/);
    }
  });
});
