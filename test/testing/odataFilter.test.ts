import { describe, expect, it } from "vitest";
import { type CollectionSpec, ODataQueryError, parseFilter, parseOrderBy } from "../../src/testing/index";

interface Row {
  t: string;
  s: string | null;
  n: number;
}
const spec: CollectionSpec<Row> = {
  typeName: "test.row",
  fields: {
    t: { type: "datetime", get: (r) => r.t, sortable: true },
    s: { type: "string", get: (r) => r.s },
    e: { type: "enum", get: (r) => r.s },
    n: { type: "number", get: (r) => r.n, sortable: true },
    "p/q": { type: "string", get: (r) => r.s },
  },
  otherProperties: ["hidden"],
};
const rows: Row[] = [
  { t: "2025-01-01T00:00:00.1234567Z", s: "O'Brien", n: 1 },
  { t: "2025-01-01T00:00:00.1234568Z", s: "active", n: 2 },
  { t: "2025-01-02T00:00:00Z", s: null, n: 3 },
];
const run = (f: string) => rows.filter(parseFilter(f, spec)).map((r) => r.n);

describe("OData $filter subset", () => {
  it("compares DateTimeOffset literals to the 100 ns", () => {
    expect(run("t ge 2025-01-01T00:00:00.1234568Z")).toEqual([2, 3]);
    expect(run("t gt 2025-01-01T00:00:00.1234567Z")).toEqual([2, 3]);
    expect(run("t le 2025-01-01T00:00:00.1234567Z")).toEqual([1]);
    expect(run("t lt 2025-01-01T00:00:00.123Z")).toEqual([]);
    expect(run("t eq 2025-01-02T01:00:00+01:00")).toEqual([3]);
    expect(run("t ge 2025-01-01T00:00Z")).toEqual([1, 2, 3]);
  });

  it("strings with '' escaping, enums case-insensitively, null, and/or/not, parentheses", () => {
    expect(run("s eq 'O''Brien'")).toEqual([1]);
    expect(run("s eq 'ACTIVE'")).toEqual([]);
    expect(run("e eq 'ACTIVE'")).toEqual([2]);
    expect(run("s eq null")).toEqual([3]);
    expect(run("s ne null and n gt 1")).toEqual([2]);
    expect(run("(n eq 1 or n eq 3) and not (s eq null)")).toEqual([1]);
    expect(run("p/q eq 'active'")).toEqual([2]);
    expect(run("n ge 2 AND n le 2")).toEqual([2]);
  });

  it("rejects anything outside the subset", () => {
    for (const bad of [
      "",
      "t ge '2025-01-01T00:00:00Z'",
      "t ge 2025-01-01T00:00:00.12345678Z",
      "s gt 'a'",
      "n eq 'x'",
      "contains(s,'a')",
      "hidden eq 'x'",
      "unknown eq 1",
      "s eq 'unterminated",
      "s eq x",
      "s eq 'a' extra",
      "(s eq 'a'",
      "s ~ 'a'",
    ]) {
      expect(() => parseFilter(bad, spec), bad).toThrow(ODataQueryError);
    }
  });

  it("$orderby on sortable fields only", () => {
    const byNDesc = [...rows].sort(parseOrderBy("n desc", spec)).map((r) => r.n);
    expect(byNDesc).toEqual([3, 2, 1]);
    expect(
      [...rows]
        .reverse()
        .sort(parseOrderBy("t asc", spec))
        .map((r) => r.n),
    ).toEqual([1, 2, 3]);
    expect(() => parseOrderBy("s asc", spec)).toThrow(ODataQueryError);
    expect(() => parseOrderBy("hidden", spec)).toThrow(/cannot be used/);
    expect(() => parseOrderBy("n sideways", spec)).toThrow(ODataQueryError);
  });
});
