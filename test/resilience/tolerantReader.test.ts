/**
 * Tolerant reader: one odd item never costs an incident. Built from the official Graph examples, an incident
 * whose alerts carry evidence without `@odata.type`, of an unknown type and malformed, an alert that fails its
 * schema and enum values never seen before parses, keeps every item, says what it tolerated, and syncs end to
 * end through the emulator with warnings and no `incident.failed`. Only fields the sync reads can make an
 * incident fail.
 */
import {
  type DefenderIncident,
  defenderIncidentSchema,
  defenderToSentinel,
  type IncidentFailedEvent,
  type SyncWarning,
} from "defender-sentinel-sync";
import type { DefenderIncidentEdit } from "defender-sentinel-sync/testing";
import { describe, expect, it } from "vitest";
import {
  defenderIncidentShape,
  isEvidenceType,
  isGenericEvidence,
  parseWarningsOf,
} from "../../src/defender/models";
import { nameOf, useSyncSetups } from "../helpers/engine";
import { readJson, readJsonc } from "../helpers/fixtures";

type Json = Record<string, unknown>;

const listed = readJsonc<{ value: Json[] }>("graph/examples/security-list-incidents.2.response.jsonc")
  .value[0]!;
const officialAlert = readJson<Json>("graph/examples/security-alert-get.1.response.json");
const listedAlert = (listed.alerts as Json[])[0]!;
const officialEvidence = listedAlert.evidence as Json[];

const NO_TYPE = (() => {
  const { "@odata.type": _, ...file } = officialEvidence[1]!;
  return file;
})();
const UNKNOWN_TYPE = {
  "@odata.type": "#microsoft.graph.security.quantumStateEvidence",
  createdDateTime: "2024-05-01T10:00:00Z",
  verdict: "suspicious",
  roles: ["attacked"],
  qubits: 7,
};
const MALFORMED = { ...officialEvidence[1]!, fileDetails: "MsSense.exe" };
const FAILING_ALERT = { ...officialAlert, id: "odd-alert", mitreTechniques: "T1564.001" };
const NEW_ENUMS_ALERT = {
  ...officialAlert,
  id: "new-enum-alert",
  serviceSource: "microsoftDefenderForQuantum",
  evidence: [{ ...(officialAlert.evidence as Json[])[0]!, verdict: "likelyMalicious" }],
};

/** The alerts of the odd incident: one with odd evidence, one failing its schema, one with new enum values. */
function oddAlerts(incidentId: string): Json[] {
  return structuredClone([
    { ...listedAlert, incidentId, evidence: [...officialEvidence, NO_TYPE, UNKNOWN_TYPE, MALFORMED] },
    { ...FAILING_ALERT, incidentId },
    { ...NEW_ENUMS_ALERT, incidentId },
  ]);
}

const oddIncident = (): Json => ({ ...structuredClone(listed), alerts: oddAlerts(String(listed.id)) });

describe("reading an incident with odd alerts", () => {
  const raw = oddIncident();
  const incident = defenderIncidentSchema.parse(raw);
  const [withEvidence, failing, newEnums] = incident.alerts!;

  it("keeps every alert and evidence item", () => {
    expect(incident.alerts).toHaveLength(3);
    expect(withEvidence!.evidence).toHaveLength(7);
    expect(withEvidence!.evidence.slice(0, 4).map((e) => isGenericEvidence(e))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(isEvidenceType(withEvidence!.evidence[0]!, "deviceEvidence")).toBe(true);
  });

  it("keeps odd evidence as generic evidence, with all it carried", () => {
    const [noType, unknown, malformed] = withEvidence!.evidence.slice(4);
    expect(noType).toEqual({ ...NO_TYPE, "@odata.type": "#microsoft.graph.security.alertEvidence" });
    expect(unknown).toMatchObject({ qubits: 7, verdict: "suspicious", roles: ["attacked"] });
    expect(malformed).toEqual(MALFORMED);
    for (const e of [noType!, unknown!, malformed!]) expect(isGenericEvidence(e)).toBe(true);
    // Its @odata.type still names fileEvidence, but its fields do not match: it does not narrow to one.
    expect(malformed!["@odata.type"]).toBe("#microsoft.graph.security.fileEvidence");
    expect(isEvidenceType(malformed!, "fileEvidence")).toBe(false);
  });

  it("keeps an alert that fails its schema exactly as sent, and unknown enum values as sent", () => {
    expect(failing).toEqual({ ...FAILING_ALERT, incidentId: String(listed.id) });
    expect(newEnums!.serviceSource).toBe("microsoftDefenderForQuantum");
    expect(newEnums!.evidence[0]!.verdict).toBe("likelyMalicious");
  });

  it("says what it tolerated, where, and for which incident and alert", () => {
    const at = { incidentId: "2972395" };
    expect(parseWarningsOf(incident)).toEqual([
      expect.objectContaining({
        ...at,
        code: "evidenceKeptGeneric",
        reason: "noType",
        path: "alerts.0.evidence.4",
        alertId: listedAlert.id,
      }),
      expect.objectContaining({
        ...at,
        code: "evidenceKeptGeneric",
        reason: "unknownType",
        path: "alerts.0.evidence.5",
        evidenceType: UNKNOWN_TYPE["@odata.type"],
      }),
      expect.objectContaining({
        ...at,
        code: "evidenceKeptGeneric",
        reason: "malformed",
        path: "alerts.0.evidence.6",
        issues: [expect.objectContaining({ path: "alerts.0.evidence.6.fileDetails" })],
      }),
      expect.objectContaining({
        ...at,
        code: "alertKeptRaw",
        path: "alerts.1",
        alertId: "odd-alert",
        issues: [expect.objectContaining({ path: "alerts.1.mitreTechniques" })],
      }),
      expect.objectContaining({ ...at, code: "enumValueUnknown", path: "alerts.2.serviceSource" }),
      expect.objectContaining({ ...at, code: "enumValueUnknown", path: "alerts.2.evidence.0.verdict" }),
    ]);
  });

  it("keeps warnings beside the result, so it round-trips unchanged", () => {
    expect(JSON.parse(JSON.stringify(incident))).toEqual(incident);
    expect(Object.keys(incident).filter((k) => /warn/i.test(k))).toEqual([]);
    expect(Object.getOwnPropertySymbols(incident)).toEqual([]);
    expect(parseWarningsOf({ ...incident })).toEqual([]);
  });

  it("does not change the JSON it read", () => {
    expect(raw).toEqual(oddIncident());
  });
});

describe("what can make an incident fail", () => {
  const valid = { ...structuredClone(listed), alerts: [structuredClone(listedAlert)] };
  /** Not valid for any field of an incident (strings, enums, lists, dates, ints). */
  const garbage = { odd: true };
  const fields = Object.keys(defenderIncidentShape);
  const failsWith = (field: string) =>
    !defenderIncidentSchema.safeParse({ ...valid, [field]: garbage }).success;

  it("only the fields the mapping and the sync engine read", () => {
    expect(fields.filter(failsWith).sort()).toEqual(
      [
        "id",
        "displayName",
        "description",
        "summary",
        "severity",
        "status",
        "classification",
        "determination",
        "assignedTo",
        "customTags",
        "tags",
        "comments",
        "resolvingComment",
        "incidentWebUrl",
        "redirectIncidentId",
        "lastUpdateDateTime",
        "tenantId",
        "alerts",
      ].sort(),
    );
  });

  it.each(fields.filter((f) => !failsWith(f)))(
    "a bad %s is kept as sent with a warning, and the mapping does not read it",
    (field) => {
      const incident = defenderIncidentSchema.parse({ ...valid, [field]: garbage });
      expect(incident[field]).toEqual(garbage);
      expect(parseWarningsOf(incident)).toEqual([
        expect.objectContaining({ code: "incidentFieldKeptRaw", path: field, incidentId: "2972395" }),
      ]);
      const mapped = (i: DefenderIncident) => defenderToSentinel(i);
      expect(mapped(incident)).toEqual(mapped(defenderIncidentSchema.parse(valid)));
    },
  );

  it("evidence nested deeper than any Graph payload is refused, not a stack overflow", () => {
    let image: Json = { imageId: "sha256:leaf" };
    for (let i = 0; i < 10_000; i++) image = { imageId: `sha256:${i}`, digestImage: image };
    const deep = { "@odata.type": "#microsoft.graph.security.containerImageEvidence", ...image };
    const incident = defenderIncidentSchema.parse({
      ...valid,
      alerts: [{ ...listedAlert, evidence: [deep] }],
    });
    expect(incident.alerts![0]!.evidence[0]).toBe(deep);
    expect(parseWarningsOf(incident)).toEqual([
      expect.objectContaining({
        code: "evidenceKeptGeneric",
        reason: "malformed",
        path: "alerts.0.evidence.0",
      }),
    ]);
  });
});

describe("syncing an incident with odd alerts", () => {
  const setup = useSyncSetups();

  it("creates its Sentinel copy, with warnings and no incident.failed", async () => {
    const t = await setup({ incidents: 2, seed: 9 });
    const { id } = t.emu.defender.createIncident({ displayName: "Odd alerts" });
    t.emu.defender.editIncident(id, { alerts: oddAlerts(id) } as unknown as DefenderIncidentEdit);
    const warnings: SyncWarning[] = [];
    const failed: IncidentFailedEvent[] = [];
    t.engine.on("warning", (w) => warnings.push(w));
    t.engine.on("incident.failed", (e) => failed.push(e));

    const report = await t.engine.runOnce();
    expect(failed).toEqual([]);
    expect(report.failures).toEqual([]);
    const name = (await nameOf(t, id)).toLowerCase();
    const sentinel = t.emu.sentinel.listIncidents().find((s) => s.name.toLowerCase() === name);
    expect(sentinel!.properties.title).toBe("Odd alerts");
    expect(sentinel!.properties.description).toContain("Alerts (3):");

    const mine = warnings.filter((w) => w.detail?.incidentId === id);
    expect(mine.map((w) => [w.code, w.detail?.reason ?? w.detail?.path])).toEqual([
      ["evidenceKeptGeneric", "noType"],
      ["evidenceKeptGeneric", "unknownType"],
      ["evidenceKeptGeneric", "malformed"],
      ["alertKeptRaw", "alerts.1"],
      ["enumValueUnknown", "alerts.2.serviceSource"],
      ["enumValueUnknown", "alerts.2.evidence.0.verdict"],
    ]);
    expect(mine.every((w) => w.service === "defender")).toBe(true);
  });
});
