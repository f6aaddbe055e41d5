/**
 * Every row of every enum table, in both directions, through the public profile API.
 */
import { describe, expect, it } from "vitest";
import {
  alertClassificationValues,
  alertDeterminationValues,
  alertSeverityValues,
  incidentStatusValues,
} from "../../src/defender/models";
import {
  ANY_VALUE,
  type CanonicalIncident,
  canonicalClassificationValues,
  canonicalSeverityValues,
  canonicalStatusValues,
  canonicalToDefenderSeverityRows,
  canonicalToDefenderStatusRows,
  canonicalToSentinelSeverityRows,
  canonicalToSentinelStatusRows,
  defenderToCanonicalSeverityRows,
  defenderToCanonicalStatusRows,
  defenderToSentinel,
  DEFAULT_MAPPING_PROFILE as profile,
  sentinelToCanonicalSeverityRows,
  sentinelToCanonicalStatusRows,
  sentinelToDefender,
  DEFAULT_CLASSIFICATION_TABLE as T,
} from "../../src/mapping";
import {
  sentinelClassificationReasonValues,
  sentinelClassificationValues,
  sentinelSeverityValues,
  sentinelStatusValues,
} from "../../src/sentinel/models";
import { applyDefenderPatch, defenderIncident, sentinelProperties } from "./builders";
import { kinds, ok, okWithWarnings } from "./helpers";

const canonical = (over: Partial<CanonicalIncident> = {}): CanonicalIncident => ({
  title: "t",
  description: "",
  severity: "medium",
  status: "new",
  classification: "undetermined",
  classificationDetail: undefined,
  closingComment: undefined,
  owner: undefined,
  tags: [],
  redirectTarget: undefined,
  ...over,
});

/** A concrete value for a row's `from` (the wildcard becomes an unknown value). */
const sample = (from: string, unknown = "someFutureValue") => (from === ANY_VALUE ? unknown : from);

describe("severity", () => {
  it.each(defenderToCanonicalSeverityRows)("Defender $from → canonical $to", (row) => {
    const { value, warnings } = okWithWarnings(
      profile.defenderToCanonical(defenderIncident({ severity: sample(row.from) })),
    );
    expect(value.severity).toBe(row.to);
    expect(kinds(warnings, "severity")).toEqual(row.unknown ? ["unknownValue"] : row.lossy ? ["lossy"] : []);
  });
  it("reads Defender severities case-insensitively and a missing one as unknown", () => {
    expect(ok(profile.defenderToCanonical(defenderIncident({ severity: "HIGH" }))).severity).toBe("high");
    expect(ok(profile.defenderToCanonical(defenderIncident({ severity: null }))).severity).toBe("unknown");
  });
  it.each(canonicalToSentinelSeverityRows)("canonical $from → Sentinel $to", (row) => {
    const { value, warnings } = okWithWarnings(
      profile.renderSentinel(canonical({ severity: row.from as never }), {}),
    );
    expect(value.severity).toBe(row.to);
    expect(kinds(warnings, "severity")).toEqual(row.lossy ? ["lossy"] : []);
  });
  it.each(sentinelToCanonicalSeverityRows)("Sentinel $from → canonical $to", (row) => {
    const { value, warnings } = okWithWarnings(
      profile.sentinelToCanonical(sentinelProperties({ severity: sample(row.from, "Critical") })),
    );
    expect(value.severity).toBe(row.to);
    expect(kinds(warnings, "severity")).toEqual(row.unknown ? ["unknownValue"] : []);
  });
  it.each(canonicalToDefenderSeverityRows)("canonical $from → Defender $to", (row) => {
    const { value, warnings } = okWithWarnings(
      profile.renderDefenderPatch({ severity: row.from as never }, {}),
    );
    expect(value.severity).toBe(row.to);
    expect(kinds(warnings, "severity")).toEqual(row.to === undefined ? ["dropped"] : []);
  });
  it("tables are total", () => {
    for (const v of alertSeverityValues)
      expect(defenderToCanonicalSeverityRows.some((r) => r.from === v)).toBe(true);
    for (const v of sentinelSeverityValues)
      expect(sentinelToCanonicalSeverityRows.some((r) => r.from === v)).toBe(true);
    for (const v of canonicalSeverityValues) {
      expect(canonicalToSentinelSeverityRows.some((r) => r.from === v)).toBe(true);
      expect(canonicalToDefenderSeverityRows.some((r) => r.from === v)).toBe(true);
    }
    expect(defenderToCanonicalSeverityRows.at(-1)?.from).toBe(ANY_VALUE);
    expect(sentinelToCanonicalSeverityRows.at(-1)?.from).toBe(ANY_VALUE);
  });
  it("a Sentinel severity is never written to Defender as unknown, and unknown ≙ informational never pings", () => {
    const d = defenderIncident({ severity: "unknown" });
    const s = ok(defenderToSentinel(d));
    expect(s.severity).toBe("Informational");
    expect(ok(sentinelToDefender(s, d))).toEqual({});
    expect(ok(sentinelToDefender({ ...s, severity: "High" }, d))).toEqual({ severity: "high" });
  });
});

describe("status", () => {
  it.each(defenderToCanonicalStatusRows)("Defender $from → canonical $to", (row) => {
    const raw: Record<string, unknown> = { status: sample(row.from) };
    if (row.from === "redirected") raw.redirectIncidentId = "2";
    const { value, warnings } = okWithWarnings(profile.defenderToCanonical(defenderIncident(raw)));
    expect(value.status).toBe(row.to);
    expect(kinds(warnings, "status")).toEqual(row.unknown ? ["unknownValue"] : row.lossy ? ["lossy"] : []);
  });
  it("reads Defender statuses case-insensitively (PascalCase doc samples) and a missing one as new", () => {
    expect(ok(profile.defenderToCanonical(defenderIncident({ status: "InProgress" }))).status).toBe("active");
    expect(ok(profile.defenderToCanonical(defenderIncident({ status: null }))).status).toBe("new");
  });
  it.each(canonicalToSentinelStatusRows)("canonical $from → Sentinel $to", (row) => {
    expect(ok(profile.renderSentinel(canonical({ status: row.from as never }), {})).status).toBe(row.to);
  });
  it.each(sentinelToCanonicalStatusRows)("Sentinel $from → canonical $to", (row) => {
    const { value, warnings } = okWithWarnings(
      profile.sentinelToCanonical(sentinelProperties({ status: sample(row.from, "Archived") })),
    );
    expect(value.status).toBe(row.to);
    expect(kinds(warnings, "status")).toEqual(row.unknown ? ["unknownValue"] : []);
  });
  it.each(canonicalToDefenderStatusRows)("canonical $from → Defender $to", (row) => {
    expect(ok(profile.renderDefenderPatch({ status: row.from as never }, {})).status).toBe(row.to);
  });
  it("Defender redirected → Sentinel Closed with the system label Redirected", () => {
    const s = ok(defenderToSentinel(defenderIncident({ status: "redirected", redirectIncidentId: "55" })));
    expect(s.status).toBe("Closed");
    expect(s.classification).toBe("Undetermined");
    expect(s.labels).toContainEqual({ labelName: "Redirected", labelType: "User" });
  });
  it("a Defender status that already means the target is kept (awaitingAction ≙ active, redirected ≙ closed)", () => {
    const waiting = defenderIncident({ status: "awaitingAction" });
    expect(ok(profile.renderDefenderPatch({ status: "active" }, { current: waiting }))).toEqual({});
    expect(ok(profile.renderDefenderPatch({ status: "new" }, { current: waiting }))).toEqual({
      status: "active",
    });
    const redirected = defenderIncident({ status: "redirected", redirectIncidentId: "9" });
    expect(ok(profile.renderDefenderPatch({ status: "closed" }, { current: redirected }))).toEqual({});
  });
  it("tables are total", () => {
    for (const v of incidentStatusValues)
      expect(defenderToCanonicalStatusRows.some((r) => r.from === v)).toBe(true);
    for (const v of sentinelStatusValues)
      expect(sentinelToCanonicalStatusRows.some((r) => r.from === v)).toBe(true);
    for (const v of canonicalStatusValues) {
      expect(canonicalToSentinelStatusRows.some((r) => r.from === v)).toBe(true);
      expect(canonicalToDefenderStatusRows.some((r) => r.from === v)).toBe(true);
    }
  });
  it("round trips are stable for every Defender status", () => {
    for (const status of incidentStatusValues) {
      const d = defenderIncident({ status, redirectIncidentId: status === "redirected" ? "3" : null });
      const s1 = ok(defenderToSentinel(d));
      const d1 = applyDefenderPatch(d, ok(sentinelToDefender(s1)));
      expect(ok(defenderToSentinel(d1, { existing: s1 as never }))).toEqual(s1);
    }
  });
});

describe("classification", () => {
  const closedDefender = (classification: string | null, determination: string | null = null) =>
    defenderIncident({ status: "resolved", classification, determination });

  it.each(T.fromDefender)("Defender $from → canonical $to", (row) => {
    const { value, warnings } = okWithWarnings(profile.defenderToCanonical(closedDefender(sample(row.from))));
    expect(value.classification).toBe(row.to);
    expect(kinds(warnings, "classification")).toEqual(row.unknown ? ["unknownValue"] : []);
  });
  it.each(T.fromSentinel)("Sentinel $from → canonical $to", (row) => {
    const props = sentinelProperties({ status: "Closed", classification: sample(row.from, "Suspicious") });
    const { value, warnings } = okWithWarnings(profile.sentinelToCanonical(props));
    expect(value.classification).toBe(row.to);
    expect(kinds(warnings, "classification")).toEqual(row.unknown ? ["unknownValue"] : []);
  });

  // Every determination of the Graph enum (plus none and an unknown one) under every classification.
  const determinations = [...alertDeterminationValues, undefined, "someFutureDetermination"];
  describe.each(T.toSentinel)(
    "canonical $classification/$determination → Sentinel $to.classification/$to.reason",
    (row) => {
      it.each(determinations.map((d) => ({ d })))("with determination $d", ({ d }) => {
        const { value, warnings } = okWithWarnings(
          profile.renderSentinel(
            canonical({ status: "closed", classification: row.classification, classificationDetail: d }),
            {},
          ),
        );
        expect(value.classification).toBe(row.to.classification);
        expect(value.classificationReason).toBe(row.to.reason);
        const lossy = row.lossy !== undefined && d !== undefined && d !== "unknown";
        expect(kinds(warnings, "classificationDetail")).toEqual(lossy ? ["lossy"] : []);
      });
    },
  );

  const reasons = [...sentinelClassificationReasonValues, undefined];
  describe.each(T.toDefender)(
    "canonical $classification/$reason → Defender $to.classification/$to.determination",
    (row) => {
      const applicable = row.reason === ANY_VALUE ? reasons : [row.reason];
      it.each(applicable.map((r) => ({ r })))("with reason $r", ({ r }) => {
        const specific = T.toDefender.find((x) => x.classification === row.classification && x.reason === r);
        const expected = specific ?? row;
        const patch = ok(
          profile.renderDefenderPatch(
            { status: "closed", classification: row.classification, classificationDetail: r },
            {},
          ),
        );
        expect(patch).toEqual({
          status: "resolved",
          classification: expected.to.classification,
          determination: expected.to.determination,
        });
      });
    },
  );

  it("follows the built-in connector: TP/any, FP/any, informationalExpectedActivity/any, unknown", () => {
    const pair = (c: string, d: string | null) => {
      const s = ok(defenderToSentinel(closedDefender(c, d)));
      return [s.classification, s.classificationReason];
    };
    expect(pair("truePositive", "malware")).toEqual(["TruePositive", "SuspiciousActivity"]);
    expect(pair("truePositive", null)).toEqual(["TruePositive", "SuspiciousActivity"]);
    expect(pair("falsePositive", "notMalicious")).toEqual(["FalsePositive", "InaccurateData"]);
    expect(pair("falsePositive", "notEnoughDataToValidate")).toEqual(["FalsePositive", "InaccurateData"]);
    expect(pair("informationalExpectedActivity", "securityTesting")).toEqual([
      "BenignPositive",
      "SuspiciousButExpected",
    ]);
    expect(pair("unknown", null)).toEqual(["Undetermined", undefined]);
    expect(pair("unknownFutureValue", null)).toEqual(["Undetermined", undefined]);
    expect(pair("TruePositive", "MultiStagedAttack")).toEqual(["TruePositive", "SuspiciousActivity"]);
  });

  it("keeps a current Defender determination that fits the target classification", () => {
    const current = defenderIncident({
      status: "active",
      classification: "falsePositive",
      determination: "notMalicious",
    });
    expect(
      ok(profile.renderDefenderPatch({ status: "closed", classification: "falsePositive" }, { current })),
    ).toEqual({
      status: "resolved",
    });
    const tp = defenderIncident({
      status: "resolved",
      classification: "falsePositive",
      determination: "notMalicious",
    });
    expect(ok(profile.renderDefenderPatch({ classification: "truePositive" }, { current: tp }))).toEqual({
      classification: "truePositive",
      determination: "other",
    });
    const other = defenderIncident({
      status: "resolved",
      classification: "falsePositive",
      determination: "other",
    });
    expect(ok(profile.renderDefenderPatch({ classification: "truePositive" }, { current: other }))).toEqual({
      classification: "truePositive",
    });
  });

  it("keeps an existing Sentinel reason that fits the target classification", () => {
    const existing = sentinelProperties({
      status: "Closed",
      classification: "FalsePositive",
      classificationReason: "IncorrectAlertLogic",
    });
    const s = ok(
      profile.renderSentinel(
        canonical({
          status: "closed",
          classification: "falsePositive",
          classificationDetail: "notMalicious",
        }),
        {
          existing,
        },
      ),
    );
    expect(s.classificationReason).toBe("IncorrectAlertLogic");
  });

  it("tables are total and consistent", () => {
    for (const v of alertClassificationValues) expect(T.fromDefender.some((r) => r.from === v)).toBe(true);
    for (const v of sentinelClassificationValues) expect(T.fromSentinel.some((r) => r.from === v)).toBe(true);
    for (const c of canonicalClassificationValues) {
      expect(T.toSentinel.some((r) => r.classification === c && r.determination === ANY_VALUE)).toBe(true);
      expect(T.toDefender.some((r) => r.classification === c && r.reason === ANY_VALUE)).toBe(true);
    }
    // Every default determination written back fits its classification; every default reason fits its class.
    for (const r of T.toDefender) {
      expect(T.defenderDeterminations[r.to.classification]).toContain(r.to.determination);
    }
    for (const r of T.toSentinel) {
      if (r.to.reason !== undefined) expect(T.sentinelReasons[r.to.classification]).toContain(r.to.reason);
    }
    // Every determination Graph defines (except the placeholders) belongs to some classification.
    const grouped = new Set(Object.values(T.defenderDeterminations).flat());
    for (const d of alertDeterminationValues)
      if (d !== "unknownFutureValue") expect(grouped.has(d)).toBe(true);
  });

  it("A→B→A→B is stable for every Defender pair and every Sentinel pair", () => {
    for (const [cls, dets] of Object.entries(T.defenderDeterminations)) {
      for (const det of [...dets, null]) {
        const d = closedDefender(cls, det);
        const s1 = ok(defenderToSentinel(d));
        const d1 = applyDefenderPatch(d, ok(sentinelToDefender(s1)));
        const s2 = ok(defenderToSentinel(d1, { existing: s1 as never }));
        expect([s2.classification, s2.classificationReason]).toEqual([
          s1.classification,
          s1.classificationReason,
        ]);
        expect(ok(sentinelToDefender(s1, d))).toEqual({});
      }
    }
    for (const cls of sentinelClassificationValues) {
      for (const reason of [...sentinelClassificationReasonValues, undefined]) {
        const s0 = sentinelProperties({
          status: "Closed",
          classification: cls,
          classificationReason: reason,
        });
        const p1 = ok(sentinelToDefender(s0));
        const d1 = defenderIncident({ status: null, severity: null, ...p1 });
        const s1 = ok(defenderToSentinel(d1));
        const p2 = ok(sentinelToDefender(s1));
        expect([p2.classification, p2.determination]).toEqual([p1.classification, p1.determination]);
      }
    }
  });
});
