import type { CanonicalIncident } from "defender-sentinel-sync";
import { describe, expect, it } from "vitest";
import { resolveConflict } from "../../src/sync/conflictPolicy";
import { mergeTags, threeWayMerge } from "../../src/sync/threeWayMerge";

const base: CanonicalIncident = {
  title: "Phishing",
  description: "desc",
  severity: "medium",
  status: "new",
  classification: "undetermined",
  classificationDetail: undefined,
  closingComment: undefined,
  owner: undefined,
  tags: ["a"],
  redirectTarget: undefined,
};
const exact = (f: keyof CanonicalIncident, a: CanonicalIncident, b: CanonicalIncident) =>
  JSON.stringify(a[f]) === JSON.stringify(b[f]);

function merge(
  d: Partial<CanonicalIncident>,
  s: Partial<CanonicalIncident>,
  resolve: "defender" | "sentinel" = "defender",
) {
  return threeWayMerge({
    defender: { ...base, ...d },
    sentinel: { ...base, ...s },
    baseDefender: base,
    baseSentinel: base,
    equals: exact,
    resolve: () => resolve,
    initialSource: "defender",
  });
}

describe("threeWayMerge", () => {
  it("no change on either side writes nothing", () => {
    const r = merge({}, {});
    expect(r.toDefender).toEqual({});
    expect(r.toSentinel).toEqual({});
    expect(r.conflicts).toEqual([]);
  });

  it("a change in Defender only flows to Sentinel", () => {
    const r = merge({ title: "New title" }, {});
    expect(r.toSentinel).toEqual({ title: "New title" });
    expect(r.toDefender).toEqual({});
    expect(r.changed.defender).toEqual(["title"]);
  });

  it("a change in Sentinel only flows to Defender", () => {
    const r = merge({}, { owner: "bob@contoso.com" });
    expect(r.toDefender).toEqual({ owner: "bob@contoso.com" });
    expect(r.toSentinel).toEqual({});
  });

  it("lifecycle fields travel together so closing carries its classification", () => {
    const r = merge(
      {},
      { status: "closed", classification: "benignPositive", classificationDetail: "SuspiciousButExpected" },
    );
    expect(r.toDefender).toEqual({
      status: "closed",
      classification: "benignPositive",
      classificationDetail: "SuspiciousButExpected",
      closingComment: undefined,
    });
  });

  it("both sides changing to equal values is agreement, not a conflict", () => {
    const r = merge({ severity: "high" }, { severity: "high" });
    expect(r.conflicts).toEqual([]);
    expect(r.toSentinel).toEqual({});
    expect(r.toDefender).toEqual({});
  });

  it("both sides changing differently is a conflict settled by the resolver", () => {
    const d = merge({ severity: "high" }, { severity: "low" }, "defender");
    expect(d.conflicts).toHaveLength(1);
    expect(d.conflicts[0]).toMatchObject({
      group: "severity",
      winner: "defender",
      defenderValue: { severity: "high" },
      sentinelValue: { severity: "low" },
    });
    expect(d.toSentinel).toEqual({ severity: "high" });
    const s = merge({ severity: "high" }, { severity: "low" }, "sentinel");
    expect(s.toDefender).toEqual({ severity: "low" });
  });

  it("a lossy difference that neither side moved is not written (no ping-pong)", () => {
    const r = threeWayMerge({
      defender: { ...base, classificationDetail: "malware" },
      sentinel: { ...base, classificationDetail: "SuspiciousActivity" },
      baseDefender: { ...base, classificationDetail: "malware" },
      baseSentinel: { ...base, classificationDetail: "SuspiciousActivity" },
      equals: exact,
      resolve: () => "defender",
      initialSource: "defender",
    });
    expect(r.toDefender).toEqual({});
    expect(r.toSentinel).toEqual({});
  });

  it("without a base (first link) Defender is the source for every differing field", () => {
    const r = threeWayMerge({
      defender: { ...base, title: "D" },
      sentinel: { ...base, title: "S", tags: ["b"] },
      equals: exact,
      resolve: () => "sentinel",
      initialSource: "defender",
    });
    expect(r.toSentinel.title).toBe("D");
    expect(r.conflicts).toEqual([]);
    // Tags without a base are unioned.
    expect(r.toSentinel.tags).toEqual(["a", "b"]);
    expect(r.toDefender.tags).toEqual(["a", "b"]);
  });
});

describe("mergeTags", () => {
  it("keeps adds from both sides and applies removals from both sides", () => {
    expect(mergeTags(["a", "d"], ["a", "s"], ["a"], ["a"])).toEqual(["a", "d", "s"]);
    expect(mergeTags(["b"], ["a", "b"], ["a", "b"], ["a", "b"])).toEqual(["b"]);
    expect(mergeTags(["a", "b"], ["a"], ["a", "b"], ["a", "b"])).toEqual(["a"]);
  });
  it("does not take a tag the other side never had for a removal", () => {
    expect(mergeTags(["a", "x"], ["a"], ["a", "x"], ["a"])).toEqual(["a", "x"]);
  });
});

describe("resolveConflict", () => {
  const conflict = {
    group: "title" as const,
    fields: ["title"] as const,
    base: { defender: undefined, sentinel: undefined },
    defenderValue: { title: "D" },
    sentinelValue: { title: "S" },
    defenderId: "1",
    sentinelName: "n",
  };
  it("latest-wins compares the services' timestamps at sub-millisecond precision", () => {
    expect(
      resolveConflict("latest-wins", {
        ...conflict,
        defenderUpdatedAt: "2026-01-01T00:00:00.0000002Z",
        sentinelUpdatedAt: "2026-01-01T00:00:00.0000001Z",
      }),
    ).toBe("defender");
    expect(
      resolveConflict("latest-wins", {
        ...conflict,
        defenderUpdatedAt: "2026-01-01T00:00:00.1Z",
        sentinelUpdatedAt: "2026-01-01T00:00:00.11Z",
      }),
    ).toBe("sentinel");
  });
  it("fixed policies and functions", () => {
    const ctx = {
      ...conflict,
      defenderUpdatedAt: "2026-01-02T00:00:00Z",
      sentinelUpdatedAt: "2026-01-01T00:00:00Z",
    };
    expect(resolveConflict("sentinel-wins", ctx)).toBe("sentinel");
    expect(resolveConflict("defender-wins", { ...ctx, defenderUpdatedAt: "2020-01-01T00:00:00Z" })).toBe(
      "defender",
    );
    expect(resolveConflict((c) => (c.group === "title" ? "sentinel" : "defender"), ctx)).toBe("sentinel");
  });
});
