import { describe, expect, it } from "vitest";
import {
  type CanonicalIncident,
  canonicalEquals,
  canonicalFields,
  createCanonicalComparator,
  createMappingProfile,
  DEFAULT_CLASSIFICATION_TABLE,
  diffCanonical,
  TRUNCATION_MARKER,
  truncateWithMarker,
} from "../../src/mapping";

const base: CanonicalIncident = {
  title: "Title",
  description: "Description",
  severity: "medium",
  status: "closed",
  classification: "truePositive",
  classificationDetail: "malware",
  closingComment: "done",
  owner: "kai@contoso.com",
  tags: ["a", "b"],
  redirectTarget: undefined,
};
const w = (over: Partial<CanonicalIncident>): CanonicalIncident => ({ ...base, ...over });

describe("canonicalEquals", () => {
  it("compares tags as sets and owners case-insensitively", () => {
    expect(canonicalEquals("tags", base, w({ tags: ["b", "a", "a"] }))).toBe(true);
    expect(canonicalEquals("tags", base, w({ tags: ["a"] }))).toBe(false);
    expect(canonicalEquals("tags", base, w({ tags: ["a", "c"] }))).toBe(false);
    expect(canonicalEquals("owner", base, w({ owner: "KAI@contoso.com" }))).toBe(true);
    expect(canonicalEquals("owner", base, w({ owner: undefined }))).toBe(false);
  });

  it("treats unknown and informational severity as equal (Sentinel has no unknown), nothing else", () => {
    expect(canonicalEquals("severity", w({ severity: "unknown" }), w({ severity: "informational" }))).toBe(
      true,
    );
    expect(canonicalEquals("severity", w({ severity: "informational" }), w({ severity: "unknown" }))).toBe(
      true,
    );
    expect(canonicalEquals("severity", w({ severity: "unknown" }), w({ severity: "low" }))).toBe(false);
    expect(canonicalEquals("severity", w({ severity: "low" }), w({ severity: "medium" }))).toBe(false);
  });

  it("compares classification details through the table, so lossy pairs are equal", () => {
    const sentinel = w({ classificationDetail: "SuspiciousActivity" });
    expect(canonicalEquals("classificationDetail", base, sentinel)).toBe(true);
    expect(canonicalEquals("classificationDetail", w({ classificationDetail: undefined }), sentinel)).toBe(
      true,
    );
    const fp = w({ classification: "falsePositive", classificationDetail: "notMalicious" });
    expect(
      canonicalEquals(
        "classificationDetail",
        fp,
        w({ classification: "falsePositive", classificationDetail: "IncorrectAlertLogic" }),
      ),
    ).toBe(true);
    expect(
      canonicalEquals(
        "classificationDetail",
        fp,
        w({ classification: "falsePositive", classificationDetail: "InaccurateData" }),
      ),
    ).toBe(true);
    // Different classifications give different details.
    expect(
      canonicalEquals(
        "classificationDetail",
        base,
        w({ classification: "falsePositive", classificationDetail: "InaccurateData" }),
      ),
    ).toBe(false);
    expect(canonicalEquals("classification", base, w({ classification: "falsePositive" }))).toBe(false);
  });

  it("with a finer classification table, details that map to different reasons differ", () => {
    const table = {
      ...DEFAULT_CLASSIFICATION_TABLE,
      toSentinel: [
        {
          classification: "falsePositive" as const,
          determination: "notMalicious" as const,
          to: { classification: "FalsePositive" as const, reason: "IncorrectAlertLogic" as const },
        },
        ...DEFAULT_CLASSIFICATION_TABLE.toSentinel,
      ],
      toDefender: [
        {
          classification: "falsePositive" as const,
          reason: "IncorrectAlertLogic" as const,
          to: { classification: "falsePositive" as const, determination: "notMalicious" as const },
        },
        ...DEFAULT_CLASSIFICATION_TABLE.toDefender,
      ],
    };
    const cmp = createCanonicalComparator(table);
    const nm = w({ classification: "falsePositive", classificationDetail: "notMalicious" });
    expect(
      cmp.equals(
        "classificationDetail",
        nm,
        w({ classification: "falsePositive", classificationDetail: "IncorrectAlertLogic" }),
      ),
    ).toBe(true);
    expect(
      cmp.equals(
        "classificationDetail",
        nm,
        w({ classification: "falsePositive", classificationDetail: "InaccurateData" }),
      ),
    ).toBe(false);
    expect(
      createMappingProfile({ classificationTable: table }).equals(
        "classificationDetail",
        nm,
        w({ classification: "falsePositive", classificationDetail: "other" }),
      ),
    ).toBe(false);
  });

  it("treats a text truncated by this package as equal to any text with its prefix", () => {
    const long = "x".repeat(100) + "tail";
    const cut = truncateWithMarker(long, 60).text;
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(canonicalEquals("description", w({ description: long }), w({ description: cut }))).toBe(true);
    expect(canonicalEquals("description", w({ description: cut }), w({ description: long }))).toBe(true);
    expect(canonicalEquals("title", w({ title: long }), w({ title: cut }))).toBe(true);
    expect(canonicalEquals("closingComment", w({ closingComment: long }), w({ closingComment: cut }))).toBe(
      true,
    );
    expect(canonicalEquals("description", w({ description: `y${long}` }), w({ description: cut }))).toBe(
      false,
    );
    expect(
      canonicalEquals("closingComment", w({ closingComment: undefined }), w({ closingComment: cut })),
    ).toBe(false);
    expect(canonicalEquals("description", w({ description: "a" }), w({ description: "b" }))).toBe(false);
  });
});

describe("diffCanonical", () => {
  it("is empty for equal records and lists differing fields in canonical order", () => {
    expect(diffCanonical(base, { ...base, tags: ["b", "a"] })).toEqual([]);
    expect(
      diffCanonical(
        base,
        w({ title: "x", severity: "high", owner: undefined, redirectTarget: "7", status: "active" }),
      ),
    ).toEqual(["title", "severity", "status", "owner", "redirectTarget"]);
    const all = diffCanonical(base, {
      title: "T2",
      description: "D2",
      severity: "low",
      status: "new",
      classification: "falsePositive",
      classificationDetail: "x",
      closingComment: "other",
      owner: "z@z",
      tags: [],
      redirectTarget: "1",
    });
    expect(all).toEqual([...canonicalFields]);
  });
});
