/**
 * Hostile input: mapped safely or a typed error, never a crash or a prototype change.
 */
import { afterEach, describe, expect, it } from "vitest";
import { isMappingError } from "../../src/core/errors";
import { defenderIncidentSchema } from "../../src/defender/models";
import {
  defenderToSentinel,
  DEFAULT_MAPPING_PROFILE as profile,
  sentinelToDefender,
  TRUNCATION_MARKER,
} from "../../src/mapping";
import { defenderIncident, realisticIncidentPayload, sentinelProperties } from "./builders";
import { err, kinds, ok, okWithWarnings } from "./helpers";
import { incidentPropertiesErrors } from "./openapi";

const MB = "\u00e9x\u0000😀".repeat(262_144); // 1,048,576 UTF-16 units, with control chars and surrogate pairs

function prototypesIntact() {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
}

afterEach(prototypesIntact);

describe("prototype keys", () => {
  const json = `{
    "id": "1",
    "displayName": "t",
    "__proto__": { "polluted": true, "displayName": "from proto" },
    "constructor": { "prototype": { "polluted": true } },
    "customTags": ["__proto__", "constructor", "toString"],
    "assignedTo": "__proto__@x.y",
    "alerts": [{ "id": "a", "__proto__": { "polluted": true }, "title": "__proto__",
                 "evidence": [{ "@odata.type": "#microsoft.graph.security.userEvidence", "__proto__": { "x": 1 },
                                "userAccount": { "__proto__": { "polluted": true }, "userPrincipalName": "constructor" } }] }]
  }`;

  it("raw JSON with __proto__/constructor keys maps safely", () => {
    const raw = JSON.parse(json);
    const s = ok(defenderToSentinel(raw));
    expect(incidentPropertiesErrors(s)).toEqual([]);
    expect(s.title).toBe("t");
    expect(s.labels?.map((l) => l.labelName)).toEqual(["__proto__", "constructor", "toString"]);
    expect(s.description).toContain("• __proto__ · user constructor");
    expect(JSON.stringify(s)).not.toContain("polluted");
    expect(JSON.stringify(s)).not.toContain("from proto");
  });

  it("the same after zod parsing, and Sentinel labels/owner with such keys", () => {
    const parsed = defenderIncidentSchema.parse(JSON.parse(json));
    ok(defenderToSentinel(parsed));
    const sentinel = JSON.parse(
      '{"title":"t","severity":"High","status":"New","__proto__":{"polluted":true},"owner":{"__proto__":{"userPrincipalName":"evil@x"}},"labels":[{"labelName":"__proto__","labelType":"User"},{"__proto__":{"labelName":"x"}}]}',
    );
    const c = ok(profile.sentinelToCanonical(sentinel));
    expect(c.owner).toBeUndefined();
    expect(c.tags).toEqual(["__proto__"]);
    ok(sentinelToDefender(sentinel, parsed));
  });
});

describe("1 MB strings", () => {
  it("in every Defender text field: limits hold, warnings say what was cut", () => {
    const d = defenderIncident({
      ...realisticIncidentPayload(3, 2),
      displayName: MB,
      description: MB,
      summary: MB,
      resolvingComment: MB,
      assignedTo: MB,
      customTags: [MB, "ok"],
      incidentWebUrl: `https://x/${MB}`,
      redirectIncidentId: MB,
      determination: MB,
    });
    d.alerts![0]!.title = MB;
    d.alerts![0]!.productName = MB;
    const started = performance.now();
    const { value, warnings } = okWithWarnings(defenderToSentinel(d));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(incidentPropertiesErrors(value)).toEqual([]);
    expect(value.title.length).toBeLessThanOrEqual(256);
    expect(value.title.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(value.description!.length).toBeLessThanOrEqual(5_000);
    expect(value.classificationComment!.length).toBeLessThanOrEqual(30_000);
    // The (absurd) redirect target still marks the incident as merged.
    expect(value.labels).toEqual([
      { labelName: "ok", labelType: "User" },
      { labelName: "Redirected", labelType: "User" },
    ]);
    expect(JSON.stringify(value)).not.toContain("\u0000");
    for (const field of ["title", "description", "closingComment"])
      expect(kinds(warnings, field)).toContain("truncated");
    expect(ok(sentinelToDefender(value, d))).toEqual({});
  });

  it("in a Sentinel incident and in comments", () => {
    const s = sentinelProperties({
      title: MB,
      description: MB,
      classificationComment: MB,
      status: "Closed",
      classification: "TruePositive",
    });
    const patch = ok(sentinelToDefender(s));
    expect(patch.displayName?.length).toBeGreaterThan(1_000_000 - 300_000);
    const comment = okWithWarnings(profile.renderSentinelComment(MB, { author: MB }));
    expect(comment.value.length).toBe(30_000);
    expect(kinds(comment.warnings, "comment")).toContain("truncated");
  });
});

describe("control characters, unknown enum values, missing fields, wrong types", () => {
  it("unknown enum values map through the fallback rows with unknownValue warnings", () => {
    const d = defenderIncident({
      severity: "catastrophic",
      status: "frozen",
      classification: "maybe",
      determination: "aliens",
    });
    const { value, warnings } = okWithWarnings(defenderToSentinel(d));
    expect([value.severity, value.status]).toEqual(["Informational", "Active"]);
    expect(
      warnings
        .filter((w) => w.kind === "unknownValue")
        .map((w) => w.field)
        .sort(),
    ).toEqual(["classification", "severity", "status"]);
    const s = sentinelProperties({
      severity: "Critical",
      status: "Archived",
      classification: "Weird",
      labels: [{ labelName: "x", labelType: "Robot" }],
    });
    const c = okWithWarnings(profile.sentinelToCanonical(s));
    expect([c.value.severity, c.value.status, c.value.tags]).toEqual(["unknown", "active", []]);
    const back = okWithWarnings(defenderToSentinel(defenderIncident(), { existing: s }));
    expect(back.value.labels).toEqual([{ labelName: "x" }]);
    expect(kinds(back.warnings, "labels")).toEqual(["lossy"]);
  });

  it("missing optional fields: minimal incidents on both sides", () => {
    const s = ok(defenderToSentinel({ id: "9" } as never));
    expect(s).toEqual({
      title: "(untitled Defender incident 9)",
      severity: "Informational",
      status: "New",
      description: "── Microsoft Defender XDR · synced by defender-sentinel-sync ──\nDefender XDR incident 9",
      labels: [],
    });
    expect(ok(sentinelToDefender({ title: "t", severity: "Low", status: "New" } as never))).toEqual({
      displayName: "t",
      description: "",
      severity: "low",
      status: "active",
      assignedTo: null,
      customTags: [],
    });
  });

  it("wrong runtime types never crash", () => {
    const weird = {
      id: 7,
      displayName: 42,
      description: { a: 1 },
      severity: ["high"],
      status: true,
      customTags: { 0: "x" },
      assignedTo: {},
      alerts: "nope",
      redirectIncidentId: 5,
    };
    const s = ok(defenderToSentinel(weird as never));
    expect(incidentPropertiesErrors(s)).toEqual([]);
    const alerts = {
      id: "1",
      alerts: [null, 3, "x", { evidence: "no" }, { evidence: [null, 1, { "@odata.type": 5 }] }],
    };
    expect(ok(defenderToSentinel(alerts as never)).description).toContain("Alerts (5):");
    const sentinel = {
      title: "t",
      severity: "Low",
      status: "Closed",
      labels: "x",
      owner: [],
      classification: 1,
    };
    ok(profile.sentinelToCanonical(sentinel as never));
    ok(sentinelToDefender(sentinel as never, weird as never));
  });

  it("non-objects are a typed MappingError, not a throw", () => {
    for (const bad of [null, undefined, 42, "x", []]) {
      const e = err(defenderToSentinel(bad as never));
      expect(isMappingError(e)).toBe(true);
      expect(e.field).toBe("incident");
      expect(err(sentinelToDefender(bad as never)).name).toBe("MappingError");
      if (typeof bad !== "string")
        expect(err(profile.renderSentinelComment(bad as never, {})).field).toBe("comment");
    }
  });
});

describe("1,000 alerts", () => {
  it("map within limits with the alert count and the activity window of all alerts", () => {
    const d = defenderIncident(realisticIncidentPayload(1_000, 1));
    const started = performance.now();
    const { value, warnings } = okWithWarnings(defenderToSentinel(d));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(incidentPropertiesErrors(value)).toEqual([]);
    expect(value.description!.length).toBeLessThanOrEqual(5_000);
    expect(value.description).toContain("Alerts (1000):");
    expect(value.firstActivityTimeUtc).toBe("2024-05-01T00:45:50.116Z");
    expect(value.lastActivityTimeUtc).toBe("2024-05-02T09:56:58.222Z");
    expect(kinds(warnings, "description")).toContain("truncated");
  });
});
