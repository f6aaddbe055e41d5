import { describe, expect, it } from "vitest";
import {
  canonicalEquals,
  DESCRIPTION_SEPARATOR,
  defenderToSentinel,
  DEFAULT_MAPPING_PROFILE as profile,
  sentinelToDefender,
  splitSentinelDescription,
  syncedCanonicalFields,
  TRUNCATION_MARKER,
} from "../../src/mapping";
import { defenderIncident, realisticIncidentPayload, sentinelProperties } from "./builders";
import { kinds, ok, okWithWarnings } from "./helpers";
import { incidentPropertiesErrors } from "./openapi";

const realistic = () => defenderIncident(realisticIncidentPayload(10, 5));

describe("defenderToSentinel: the PUT body", () => {
  it("maps a realistic closed incident completely", () => {
    const d = realistic();
    const { value: s, warnings } = okWithWarnings(defenderToSentinel(d));
    expect(incidentPropertiesErrors(s)).toEqual([]);
    expect(s.title).toBe(d.displayName);
    expect(s.severity).toBe("High");
    expect(s.status).toBe("Closed");
    expect(s.classification).toBe("TruePositive");
    expect(s.classificationReason).toBe("SuspiciousActivity");
    expect(s.classificationComment).toBe("Contained and remediated.");
    expect(s.owner).toEqual({
      userPrincipalName: "kaic@contoso.onmicrosoft.com",
      email: "kaic@contoso.onmicrosoft.com",
    });
    expect(s.labels).toEqual([
      { labelName: "Demo", labelType: "User" },
      { labelName: "Ransomware", labelType: "User" },
      { labelName: "VIP", labelType: "User" },
    ]);
    // Earliest first activity and latest last activity over all alerts, as Graph sent them.
    expect(s.firstActivityTimeUtc).toBe("2024-05-01T00:45:50.116Z");
    expect(s.lastActivityTimeUtc).toBe("2024-05-02T09:56:58.222Z");
    // multiStagedAttack cannot be represented in Sentinel: warned as lossy.
    expect(kinds(warnings, "classificationDetail")).toEqual(["lossy"]);
    // Read-only fields are never sent.
    expect(Object.keys(s)).not.toContain("providerIncidentId");
  });

  it("renders the description: own text, separator, link, summary and a compact alert summary", () => {
    const d = realistic();
    const s = ok(defenderToSentinel(d));
    const { own, appended } = splitSentinelDescription(s.description!);
    expect(own).toBe(d.description);
    const lines = appended!.split("\n");
    expect(lines[0]).toBe(`Defender XDR incident 2972395: ${d.incidentWebUrl}`);
    expect(lines[1]).toMatch(/^Summary: Initial access via USB/);
    expect(lines[2]).toBe("Alerts (10):");
    // Highest severity first, with product, category and key entities.
    expect(lines[3]).toBe(
      "• [High] Suspicious execution of hidden file #2 · Microsoft Defender for Endpoint · CommandAndControl · device host2-0.contoso.com, user user2@contoso.com, ip 203.0.113.12",
    );
    expect(lines.filter((l) => l.startsWith("• "))).toHaveLength(10);
    expect(s.description!.indexOf(`\n\n${DESCRIPTION_SEPARATOR}\n`)).toBe(d.description!.length);
  });

  it("a redirected incident closes with the Redirected system label and the merge target in the description", () => {
    const d = defenderIncident({ status: "redirected", redirectIncidentId: "3000", classification: null });
    const { value: s, warnings } = okWithWarnings(defenderToSentinel(d));
    expect(s.status).toBe("Closed");
    expect(s.classification).toBe("Undetermined");
    expect(s.classificationReason).toBeUndefined();
    expect(s.labels).toEqual([{ labelName: "Redirected", labelType: "User" }]);
    expect(s.description).toContain("Merged into Defender XDR incident 3000 (closed as redirected).");
    expect(kinds(warnings, "status")).toEqual(["lossy"]);
    const c = ok(profile.defenderToCanonical(d));
    expect(c.redirectTarget).toBe("3000");
    // The system label never becomes a user tag on the way back.
    expect(ok(profile.sentinelToCanonical(s)).tags).toEqual([]);
  });

  it("a redirected incident keeps its classification", () => {
    const d = defenderIncident({
      status: "redirected",
      redirectIncidentId: "3000",
      classification: "falsePositive",
    });
    const s = ok(defenderToSentinel(d));
    expect([s.classification, s.classificationReason]).toEqual(["FalsePositive", "InaccurateData"]);
  });

  it("closed with an unknown classification becomes Undetermined; open incidents carry no classification", () => {
    const closed = ok(
      defenderToSentinel(defenderIncident({ status: "resolved", classification: "somethingNew" })),
    );
    expect([closed.status, closed.classification]).toEqual(["Closed", "Undetermined"]);
    const open = ok(
      defenderToSentinel(
        defenderIncident({
          status: "active",
          classification: "truePositive",
          determination: "malware",
          resolvingComment: "x",
        }),
      ),
    );
    expect(open.status).toBe("New");
    expect(open).not.toHaveProperty("classification");
    expect(open).not.toHaveProperty("classificationReason");
    expect(open).not.toHaveProperty("classificationComment");
  });

  it("uses a fallback title for an empty or blank Defender title, with a warning", () => {
    for (const displayName of [null, "", "   ", "\u0000\u0007"]) {
      const d = defenderIncident({ id: "4242", displayName });
      const { value, warnings } = okWithWarnings(defenderToSentinel(d));
      expect(value.title).toBe("(untitled Defender incident 4242)");
      expect(kinds(warnings, "title")).toContain("lossy");
      expect(ok(sentinelToDefender(value, d))).toEqual({});
    }
  });

  it("strips control characters (except tab/newline/CR) from text going to Sentinel, with a warning", () => {
    const d = defenderIncident({
      displayName: "Bad\u0000 title\u0007",
      description: "line1\r\n\tline2\u001b[31m\u0085",
      customTags: ["t\u0001ag"],
    });
    const { value, warnings } = okWithWarnings(defenderToSentinel(d));
    expect(value.title).toBe("Bad title");
    expect(splitSentinelDescription(value.description!).own).toBe("line1\r\n\tline2[31m");
    expect(value.labels).toEqual([{ labelName: "tag", labelType: "User" }]);
    expect(kinds(warnings, "title")).toEqual(["dropped"]);
    expect(kinds(warnings, "description")).toEqual(["dropped"]);
    expect(ok(sentinelToDefender(value, d))).toEqual({});
  });

  it("cuts a long description to 5,000 characters with a visible marker and keeps the link", () => {
    const d = defenderIncident({ description: "A".repeat(12_000) });
    const { value, warnings } = okWithWarnings(defenderToSentinel(d));
    expect(value.description!.length).toBeLessThanOrEqual(5_000);
    const { own, appended } = splitSentinelDescription(value.description!);
    expect(own.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(appended).toContain("Defender XDR incident 1001: https://security.microsoft.com/incidents/1001");
    expect(warnings).toContainEqual(expect.objectContaining({ field: "description", kind: "truncated" }));
    // The truncated copy still compares equal, and is never written back.
    const cd = ok(profile.defenderToCanonical(d));
    const cs = ok(profile.sentinelToCanonical(value));
    expect(canonicalEquals("description", cd, cs)).toBe(true);
    expect(ok(sentinelToDefender(value, d))).toEqual({});
    const full = okWithWarnings(sentinelToDefender(value));
    expect(full.value).not.toHaveProperty("description");
    expect(full.warnings).toContainEqual(expect.objectContaining({ field: "description", kind: "dropped" }));
  });

  it("cuts the alert summary when there are many alerts, saying how many lines were left out", () => {
    const d = defenderIncident({ ...realisticIncidentPayload(300, 2), description: "short" });
    const { value, warnings } = okWithWarnings(defenderToSentinel(d));
    expect(value.description!.length).toBeLessThanOrEqual(5_000);
    expect(value.description).toContain("Alerts (300):");
    expect(value.description).toMatch(/… \d+ more line\(s\) not shown$/);
    expect(warnings).toContainEqual(expect.objectContaining({ field: "description", kind: "truncated" }));
    expect(splitSentinelDescription(value.description!).own).toBe("short");
  });

  it("cuts over-long titles and closing comments with the marker and says so", () => {
    const d = defenderIncident({
      displayName: "T".repeat(1_000),
      status: "resolved",
      resolvingComment: "c".repeat(40_000),
    });
    const { value, warnings } = okWithWarnings(defenderToSentinel(d));
    expect(value.title.length).toBe(256);
    expect(value.title.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(value.classificationComment!.length).toBe(30_000);
    expect(kinds(warnings, "title")).toEqual(["truncated"]);
    expect(kinds(warnings, "closingComment")).toEqual(["truncated"]);
    expect(ok(sentinelToDefender(value, d))).toEqual({});
  });

  it("puts the Defender summary in the appended section when there is no description", () => {
    const d = defenderIncident({ description: null, summary: "What happened" });
    const s = ok(defenderToSentinel(d));
    expect(s.description!.startsWith(DESCRIPTION_SEPARATOR)).toBe(true);
    expect(s.description).toContain("Summary: What happened");
    expect(ok(profile.sentinelToCanonical(s)).description).toBe("");
  });

  it("drops an unusable incidentWebUrl with a warning", () => {
    const { value, warnings } = okWithWarnings(
      defenderToSentinel(defenderIncident({ incidentWebUrl: "javascript:alert(1)" })),
    );
    expect(value.description).toMatch(/^Defender XDR incident 1001$/m);
    expect(value.description).not.toContain("javascript:");
    expect(kinds(warnings, "description")).toEqual(["dropped"]);
  });

  it("keeps system-label-named and over-long Defender tags out of Sentinel labels, with warnings", () => {
    const d = defenderIncident({ customTags: ["ok", "redirected", "x".repeat(300), "ok", " "] });
    const { value, warnings } = okWithWarnings(defenderToSentinel(d));
    expect(value.labels).toEqual([{ labelName: "ok", labelType: "User" }]);
    expect(kinds(warnings, "tags")).toEqual(["dropped", "dropped"]);
  });
});

describe("defenderToSentinel onto an existing Sentinel incident", () => {
  const existing = sentinelProperties({
    title: "old",
    severity: "Low",
    status: "Active",
    owner: {
      objectId: "2046feea-040d-4a46-9e2b-91c2941bfa70",
      userPrincipalName: "KaiC@contoso.onmicrosoft.com",
      email: "kai.c@contoso.com",
      assignedTo: "Kai Carter",
      ownerType: "User",
    },
    labels: [
      { labelName: "auto", labelType: "AutoAssigned" },
      { labelName: "old-user-tag", labelType: "User" },
      { labelName: "Redirected", labelType: "User" },
    ],
    firstActivityTimeUtc: "2020-01-01T00:00:00Z",
    lastActivityTimeUtc: "2020-01-02T00:00:00Z",
    description: `own\n\n${DESCRIPTION_SEPARATOR}\nDefender XDR incident 1001: https://example`,
  });

  it("preserves AutoAssigned labels and the owner object when the owner did not change", () => {
    const d = defenderIncident({ assignedTo: "kaic@contoso.onmicrosoft.com", customTags: ["new"] });
    const s = ok(defenderToSentinel(d, { existing }));
    expect(s.owner).toEqual(existing.owner);
    expect(s.labels).toEqual([
      { labelName: "auto", labelType: "AutoAssigned" },
      { labelName: "new", labelType: "User" },
    ]);
    expect(incidentPropertiesErrors(s)).toEqual([]);
  });

  it("replaces the owner when it changed and unassigns when Defender is unassigned", () => {
    expect(
      ok(defenderToSentinel(defenderIncident({ assignedTo: "bob@contoso.com" }), { existing })).owner,
    ).toEqual({
      userPrincipalName: "bob@contoso.com",
      email: "bob@contoso.com",
    });
    expect(ok(defenderToSentinel(defenderIncident({ assignedTo: null }), { existing }))).not.toHaveProperty(
      "owner",
    );
  });

  it("keeps the existing activity times when the Defender incident comes without alerts", () => {
    const s = ok(defenderToSentinel(defenderIncident({ alerts: null }), { existing }));
    expect([s.firstActivityTimeUtc, s.lastActivityTimeUtc]).toEqual([
      "2020-01-01T00:00:00Z",
      "2020-01-02T00:00:00Z",
    ]);
  });

  it("keeps the appended sections of the existing description when rendering without a Defender incident", () => {
    const canonical = ok(profile.sentinelToCanonical(existing));
    const s = ok(profile.renderSentinel({ ...canonical, description: "edited" }, { existing }));
    expect(s.description).toBe(
      `edited\n\n${DESCRIPTION_SEPARATOR}\nDefender XDR incident 1001: https://example`,
    );
  });

  it("accepts an existing incident as the ARM envelope too", () => {
    const d = defenderIncident({ assignedTo: "kaic@contoso.onmicrosoft.com" });
    const a = ok(defenderToSentinel(d, { existing }));
    const b = ok(defenderToSentinel(d, { existing: { id: "x", name: "n", properties: existing } as never }));
    expect(b).toEqual(a);
  });
});

describe("sentinelToCanonical", () => {
  it("strips exactly what was appended, keeps User labels only, resolves the owner", () => {
    const c = ok(
      profile.sentinelToCanonical(
        sentinelProperties({
          title: "  T  ",
          description: `Own text\n\n\n${DESCRIPTION_SEPARATOR}\nanything`,
          labels: [
            { labelName: "b", labelType: "User" },
            { labelName: "a" },
            { labelName: "auto", labelType: "AutoAssigned" },
            { labelName: "Redirected", labelType: "User" },
            { labelName: "a", labelType: "User" },
          ],
          owner: { email: "Kai@Contoso.com" },
          status: "Closed",
          classification: "BenignPositive",
          classificationReason: "SuspiciousButExpected",
          classificationComment: "expected",
        }),
      ),
    );
    expect(c).toEqual({
      title: "T",
      description: "Own text",
      severity: "medium",
      status: "closed",
      classification: "benignPositive",
      classificationDetail: "SuspiciousButExpected",
      closingComment: "expected",
      owner: "kai@contoso.com",
      tags: ["a", "b"],
      redirectTarget: undefined,
    });
  });

  it("does not cut a description at a separator that is not on its own paragraph line", () => {
    const text = `a ${DESCRIPTION_SEPARATOR} b\n\n${DESCRIPTION_SEPARATOR}x`;
    expect(splitSentinelDescription(text)).toEqual({ own: text, appended: undefined });
    expect(splitSentinelDescription(DESCRIPTION_SEPARATOR)).toEqual({ own: "", appended: "" });
  });

  it("a Defender description that contains the separator itself survives a round trip", () => {
    const d = defenderIncident({ description: `before\n\n${DESCRIPTION_SEPARATOR}\nafter` });
    const s = ok(defenderToSentinel(d));
    expect(ok(profile.sentinelToCanonical(s)).description).toBe(d.description);
    const none = ok(profile.renderSentinel(ok(profile.defenderToCanonical(d)), {}));
    expect(ok(profile.sentinelToCanonical(none)).description).toBe(d.description);
  });

  it("every synced field of a realistic incident survives Defender → Sentinel → canonical", () => {
    const d = realistic();
    const cd = ok(profile.defenderToCanonical(d));
    const cs = ok(profile.sentinelToCanonical(ok(defenderToSentinel(d))));
    for (const f of syncedCanonicalFields) expect(canonicalEquals(f, cd, cs)).toBe(true);
    expect(cs.classificationDetail).toBe("SuspiciousActivity");
    expect(cd.classificationDetail).toBe("multiStagedAttack");
  });
});
