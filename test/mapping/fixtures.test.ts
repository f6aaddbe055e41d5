/**
 * Every official example incident (Graph and Sentinel) maps without error.
 */
import { describe, expect, it } from "vitest";
import { defenderIncidentPatchSchema, defenderIncidentSchema } from "../../src/defender/models";
import {
  defenderToSentinel,
  DEFAULT_MAPPING_PROFILE as profile,
  sentinelToDefender,
} from "../../src/mapping";
import { sentinelIncidentPropertiesSchema, sentinelIncidentSchema } from "../../src/sentinel/models";
import { listFixtures, readJson, readJsonc } from "../helpers/fixtures";
import { defenderFromPatch } from "./builders";
import { kinds, ok, okWithWarnings } from "./helpers";
import { incidentPropertiesErrors } from "./openapi";

const GRAPH = "graph/examples";
const SENTINEL = "sentinel/examples/incidents";

/** Every incident object in the Graph incident response examples. */
function graphIncidents(): { name: string; raw: unknown }[] {
  const out: { name: string; raw: unknown }[] = [];
  for (const path of [...listFixtures(GRAPH, ".response.json"), ...listFixtures(GRAPH, ".response.jsonc")]) {
    if (!/security-(incident-get|incident-update|list-incidents)\./.test(path)) continue;
    const body = (path.endsWith(".jsonc") ? readJsonc(path) : readJson(path)) as { value?: unknown[] };
    const items = Array.isArray(body.value) ? body.value : [body];
    for (const [i, raw] of items.entries()) out.push({ name: `${path}#${i}`, raw });
  }
  return out;
}

/** Every incident in the Sentinel incident examples (request bodies and responses). */
function sentinelIncidents(): { name: string; raw: unknown }[] {
  const out: { name: string; raw: unknown }[] = [];
  for (const path of listFixtures(SENTINEL, ".json")) {
    const example = readJson<{
      parameters?: { incident?: unknown };
      responses?: Record<string, { body?: { value?: unknown[]; properties?: unknown } }>;
    }>(path);
    if (example.parameters?.incident) out.push({ name: `${path} request`, raw: example.parameters.incident });
    for (const [status, response] of Object.entries(example.responses ?? {})) {
      const body = response.body;
      if (body === undefined) continue;
      const items = Array.isArray(body.value) ? body.value : body.properties !== undefined ? [body] : [];
      for (const [i, raw] of items.entries()) out.push({ name: `${path} ${status}#${i}`, raw });
    }
  }
  return out.filter(({ raw }) => {
    const props = (raw as { properties?: { title?: unknown } }).properties;
    return typeof props?.title === "string"; // incidents only (not alerts, entities, bookmarks)
  });
}

describe("official Graph incident examples", () => {
  const incidents = graphIncidents();
  it("there are some", () => expect(incidents.length).toBeGreaterThanOrEqual(4));

  it.each(incidents)("$name maps to a valid Sentinel body and needs no write back", ({ raw }) => {
    const d = defenderIncidentSchema.parse(raw);
    const s = ok(defenderToSentinel(d));
    expect(incidentPropertiesErrors(s)).toEqual([]);
    expect(s.title).toBe(d.displayName);
    expect(s.severity).toBe("Medium");
    expect(s.status).toBe("New");
    expect(s.owner?.userPrincipalName).toBe("kaic@contoso.onmicrosoft.com");
    expect(s.labels).toEqual([{ labelName: "Demo", labelType: "User" }]);
    expect(s.description).toContain(d.incidentWebUrl!);
    expect(ok(sentinelToDefender(s, d))).toEqual({});
    // The raw (unparsed, PascalCase) payload maps the same way.
    expect(ok(defenderToSentinel(raw as never))).toEqual(s);
  });

  it("the list-incidents.2 example brings its alert and evidence into the description and activity times", () => {
    const d = defenderIncidentSchema.parse(
      (readJsonc(`${GRAPH}/security-list-incidents.2.response.jsonc`) as { value: unknown[] }).value[0],
    );
    const s = ok(defenderToSentinel(d));
    expect(s.description).toContain(
      "• [Low] Suspicious execution of hidden file · microsoftDefenderForEndpoint · DefenseEvasion · device tempDns, file MsSense.exe, process MsSense.exe",
    );
    expect([s.firstActivityTimeUtc, s.lastActivityTimeUtc]).toEqual([
      "2021-04-26T07:45:50.116Z",
      "2021-05-02T07:56:58.222Z",
    ]);
  });

  it("the Graph update example closes cleanly once resolved", () => {
    const d = defenderIncidentSchema.parse({
      ...readJson<Record<string, unknown>>(`${GRAPH}/security-incident-update.1.response.json`),
      status: "Resolved",
    });
    const s = ok(defenderToSentinel(d));
    expect([s.status, s.classification, s.classificationReason]).toEqual([
      "Closed",
      "TruePositive",
      "SuspiciousActivity",
    ]);
  });
});

describe("official Sentinel incident examples", () => {
  const incidents = sentinelIncidents();
  it("there are some", () => expect(incidents.length).toBeGreaterThanOrEqual(5));

  it.each(incidents)("$name maps to a valid Defender PATCH and back to a valid Sentinel body", ({ raw }) => {
    // Responses are whole incidents (envelope); the CreateIncident request body has no id/name.
    const s = sentinelIncidentPropertiesSchema.parse((raw as { properties: unknown }).properties);
    const patch = ok(sentinelToDefender(s));
    expect(defenderIncidentPatchSchema.safeParse(patch).success).toBe(true);
    if (sentinelIncidentSchema.safeParse(raw).success) {
      expect(ok(sentinelToDefender(sentinelIncidentSchema.parse(raw)))).toEqual(patch);
    }
    const d = defenderFromPatch("3177", patch);
    const back = ok(defenderToSentinel(d, { existing: s }));
    expect(incidentPropertiesErrors(back)).toEqual([]);
    expect(ok(sentinelToDefender(back, d))).toEqual({});
  });

  it("GetIncidentById: closed FalsePositive/InaccurateData, owner by UPN", () => {
    const example = readJson<{ responses: { 200: { body: unknown } } }>(`${SENTINEL}/GetIncidentById.json`);
    const s = sentinelIncidentSchema.parse(example.responses[200].body);
    const c = ok(profile.sentinelToCanonical(s));
    expect(c).toMatchObject({
      status: "closed",
      classification: "falsePositive",
      classificationDetail: "InaccurateData",
      closingComment: "Not a malicious activity",
      owner: "john@contoso.com",
    });
    const { value, warnings } = okWithWarnings(sentinelToDefender(s));
    expect(value).toMatchObject({
      status: "resolved",
      classification: "falsePositive",
      determination: "other",
      assignedTo: "john@contoso.com",
    });
    expect(kinds(warnings, "classificationDetail")).toEqual(["lossy"]);
  });

  it("CreateIncident request: an owner given only by objectId is not resolvable without a lookup table", () => {
    const example = readJson<{ parameters: { incident: { properties: unknown } } }>(
      `${SENTINEL}/CreateIncident.json`,
    );
    const { value, warnings } = okWithWarnings(
      sentinelToDefender(example.parameters.incident.properties as never),
    );
    expect(value).not.toHaveProperty("assignedTo");
    expect(kinds(warnings, "owner")).toEqual(["lossy", "dropped"]);
  });
});
