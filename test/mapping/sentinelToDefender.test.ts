import { describe, expect, it } from "vitest";
import {
  defenderToSentinel,
  DEFAULT_MAPPING_PROFILE as profile,
  sentinelToDefender,
} from "../../src/mapping";
import { defenderIncident, sentinelProperties } from "./builders";
import { kinds, ok, okWithWarnings } from "./helpers";

/** A Sentinel copy of `d` (as rendered), edited by `edit`. */
function sentinelOf(d: ReturnType<typeof defenderIncident>, edit: Record<string, unknown> = {}) {
  return sentinelProperties({ ...ok(defenderToSentinel(d)), ...edit });
}

describe("sentinelToDefender with the Defender side: minimal PATCH", () => {
  const d = defenderIncident({
    assignedTo: "kai@contoso.com",
    customTags: ["a", "Redirected", "x".repeat(300)],
    severity: "medium",
    status: "active",
  });

  it("is empty when nothing changed", () => {
    expect(ok(sentinelToDefender(sentinelOf(d), d))).toEqual({});
  });

  it("carries only the changed fields", () => {
    expect(ok(sentinelToDefender(sentinelOf(d, { severity: "High", title: "New title" }), d))).toEqual({
      displayName: "New title",
      severity: "high",
    });
  });

  it("closing maps to resolved + classification + determination from the reverse table", () => {
    const s = sentinelOf(d, {
      status: "Closed",
      classification: "FalsePositive",
      classificationReason: "IncorrectAlertLogic",
      classificationComment: "Rule too broad",
    });
    const { value, warnings } = okWithWarnings(sentinelToDefender(s, d));
    expect(value).toEqual({
      status: "resolved",
      classification: "falsePositive",
      determination: "other",
      resolvingComment: "Rule too broad",
    });
    expect(kinds(warnings, "classificationDetail")).toEqual(["lossy"]);
  });

  it("never clobbers a Defender determination that fits the classification", () => {
    const classified = defenderIncident({
      status: "active",
      classification: "truePositive",
      determination: "phishing",
    });
    const s = sentinelOf(classified, {
      status: "Closed",
      classification: "TruePositive",
      classificationReason: "SuspiciousActivity",
    });
    expect(ok(sentinelToDefender(s, classified))).toEqual({ status: "resolved" });
    // Reclassified to a classification the determination does not fit: a table determination replaces it.
    const closed = defenderIncident({
      status: "resolved",
      classification: "truePositive",
      determination: "malware",
    });
    const fp = sentinelOf(closed, {
      classification: "FalsePositive",
      classificationReason: "InaccurateData",
    });
    expect(ok(sentinelToDefender(fp, closed))).toEqual({
      classification: "falsePositive",
      determination: "other",
    });
  });

  it("closing as Undetermined keeps a classification Defender already has; reclassifying to it clears it", () => {
    const classified = defenderIncident({
      status: "active",
      classification: "truePositive",
      determination: "malware",
    });
    const s = sentinelOf(classified, { status: "Closed", classification: "Undetermined" });
    expect(ok(sentinelToDefender(s, classified))).toEqual({ status: "resolved" });
    const closed = defenderIncident({
      status: "resolved",
      classification: "truePositive",
      determination: "malware",
    });
    const undetermined = sentinelOf(closed, {
      classification: "Undetermined",
      classificationReason: undefined,
    });
    expect(ok(sentinelToDefender(undetermined, closed))).toEqual({
      classification: "unknown",
      determination: "unknown",
    });
  });

  it("reopening sends the status only and leaves the classification and closing comment alone", () => {
    const closed = defenderIncident({
      status: "resolved",
      classification: "truePositive",
      resolvingComment: "done",
    });
    const reopened = sentinelOf(closed, {
      status: "Active",
      classification: undefined,
      classificationReason: undefined,
      classificationComment: undefined,
    });
    const { value, warnings } = okWithWarnings(sentinelToDefender(reopened, closed));
    expect(value).toEqual({ status: "inProgress" });
    expect(warnings.filter((w) => w.field === "classification")).toEqual([]);
  });

  it("a Sentinel status equivalent to the Defender one is not written (awaitingAction, redirected)", () => {
    const waiting = defenderIncident({ status: "awaitingAction" });
    expect(ok(sentinelToDefender(sentinelOf(waiting), waiting))).toEqual({});
    expect(ok(sentinelToDefender(sentinelOf(waiting, { status: "New" }), waiting))).toEqual({
      status: "active",
    });
    const redirected = defenderIncident({ status: "redirected", redirectIncidentId: "5" });
    expect(ok(sentinelToDefender(sentinelOf(redirected, { labels: [] }), redirected))).toEqual({});
  });

  it("owner: reassign, unassign (null), and never unassign for an unresolvable Sentinel owner", () => {
    expect(
      ok(sentinelToDefender(sentinelOf(d, { owner: { userPrincipalName: "Bob@Contoso.com" } }), d)),
    ).toEqual({
      assignedTo: "bob@contoso.com",
    });
    expect(ok(sentinelToDefender(sentinelOf(d, { owner: undefined }), d))).toEqual({ assignedTo: null });
    const { value, warnings } = okWithWarnings(
      sentinelToDefender(sentinelOf(d, { owner: { objectId: "2046feea-040d-4a46-9e2b-91c2941bfa70" } }), d),
    );
    expect(value).toEqual({});
    expect(kinds(warnings, "owner")).toEqual(["lossy", "dropped"]);
  });

  it("tags: User labels only, AutoAssigned and system labels never go back, tags canonical form leaves out are kept", () => {
    const s = sentinelOf(d, {
      labels: [
        { labelName: "b", labelType: "User" },
        { labelName: "auto", labelType: "AutoAssigned" },
        { labelName: "Redirected", labelType: "User" },
      ],
    });
    expect(ok(sentinelToDefender(s, d))).toEqual({ customTags: ["b", "Redirected", "x".repeat(300)] });
  });

  it("never writes redirectTarget", () => {
    const redirected = defenderIncident({ status: "redirected", redirectIncidentId: "5" });
    expect(ok(sentinelToDefender(sentinelOf(redirected, { severity: "High" }), redirected))).toEqual({
      severity: "high",
    });
    const { value, warnings } = okWithWarnings(
      profile.renderDefenderPatch({ redirectTarget: "6" }, { current: redirected }),
    );
    expect(value).toEqual({});
    expect(kinds(warnings, "redirectTarget")).toEqual(["dropped"]);
  });
});

describe("sentinelToDefender without the Defender side: every mappable field", () => {
  it("maps an open incident", () => {
    const s = sentinelProperties({
      title: "T",
      description: "D",
      severity: "Low",
      status: "Active",
      owner: { userPrincipalName: "kai@contoso.com" },
      labels: [{ labelName: "x", labelType: "User" }],
    });
    expect(ok(sentinelToDefender(s))).toEqual({
      displayName: "T",
      description: "D",
      severity: "low",
      status: "inProgress",
      assignedTo: "kai@contoso.com",
      customTags: ["x"],
    });
  });

  it("maps a closed incident, with unassigned as null", () => {
    const s = sentinelProperties({
      title: "T",
      status: "Closed",
      severity: "High",
      classification: "BenignPositive",
      classificationReason: "SuspiciousButExpected",
      classificationComment: "pen test",
    });
    expect(ok(sentinelToDefender(s))).toEqual({
      displayName: "T",
      description: "",
      severity: "high",
      status: "resolved",
      classification: "informationalExpectedActivity",
      determination: "other",
      resolvingComment: "pen test",
      assignedTo: null,
      customTags: [],
    });
  });

  it("never writes an empty title or a truncated text back", () => {
    const { value, warnings } = okWithWarnings(
      sentinelToDefender(
        sentinelProperties({ title: "  ", description: `abc${" …[truncated by defender-sentinel-sync]"}` }),
      ),
    );
    expect(value).not.toHaveProperty("displayName");
    expect(value).not.toHaveProperty("description");
    expect(kinds(warnings, "title")).toEqual(["dropped"]);
    expect(kinds(warnings, "description")).toEqual(["dropped"]);
  });

  it("accepts the ARM envelope", () => {
    const props = sentinelProperties({ title: "T" });
    expect(ok(sentinelToDefender({ id: "i", name: "n", properties: props } as never))).toEqual(
      ok(sentinelToDefender(props)),
    );
  });
});

describe("renderDefenderPatch", () => {
  it("only writes closing attributes together with a closed status", () => {
    const { value, warnings } = okWithWarnings(
      profile.renderDefenderPatch(
        { classification: "truePositive", closingComment: "x" },
        { current: defenderIncident() },
      ),
    );
    expect(value).toEqual({});
    expect(kinds(warnings, "classification")).toEqual(["dropped"]);
  });

  it("does not send values the current incident already has", () => {
    const current = defenderIncident({
      displayName: "Same",
      severity: "high",
      assignedTo: "KAI@contoso.com",
      customTags: ["b", "a"],
    });
    expect(
      ok(
        profile.renderDefenderPatch(
          { title: "Same", severity: "high", owner: "kai@contoso.com", tags: ["a", "b"] },
          { current },
        ),
      ),
    ).toEqual({});
  });

  it("does not clear an existing resolving comment", () => {
    const current = defenderIncident({ status: "resolved", resolvingComment: "keep me" });
    const { value, warnings } = okWithWarnings(
      profile.renderDefenderPatch({ closingComment: undefined }, { current }),
    );
    expect(value).toEqual({});
    expect(kinds(warnings, "closingComment")).toEqual(["dropped"]);
  });
});
