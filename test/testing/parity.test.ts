import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  alertCommentPageSchema,
  defenderAlertPageSchema,
  defenderAlertSchema,
  defenderIncidentPageSchema,
  defenderIncidentSchema,
} from "../../src/defender/models";
import {
  sentinelAlertsResponseSchema,
  sentinelCommentPageSchema,
  sentinelCommentSchema,
  sentinelEntitiesResponseSchema,
  sentinelIncidentPageSchema,
  sentinelIncidentSchema,
} from "../../src/sentinel/models";
import { createEmulator, type EmulatorServer } from "../../src/testing/index";
import { readJson, readJsonc } from "../helpers/fixtures";
import { API, bearer, FIXED_START, json, manualClock, serverBase } from "./helpers";

/** Fields real responses carry that no doc sample shows (fixtures README, quirk G5). */
const GRAPH_TRUNCATED = ["summary", "resolvingComment", "lastModifiedBy"];

const keys = (o: object) => Object.keys(o).sort();
const GRAPH = "graph/examples";
const INCIDENTS = "sentinel/examples/incidents";

const emu = createEmulator({
  seed: 5,
  incidents: 40,
  connectorCopies: 0.5,
  now: manualClock(FIXED_START).now,
});
let srv: EmulatorServer;
const auth = { ...bearer(emu.tenantId), prefer: "include-unknown-enum-members" };
beforeAll(async () => {
  srv = await emu.listen();
});
afterAll(() => srv.close());

const graph = (path: string, init: RequestInit = {}) =>
  fetch(`${srv.defenderEndpoint}${path}`, {
    ...init,
    headers: { ...auth, "content-type": "application/json" },
  });
const arm = (path: string, init: RequestInit = {}) =>
  fetch(`${serverBase(srv)}${path}${path.includes("?") ? "&" : "?"}${API}`, {
    ...init,
    headers: { ...auth, "content-type": "application/json" },
  });

describe("parity with the Graph examples", () => {
  it("GET incident: same top-level keys as security-incident-get.1 plus the documented truncations", async () => {
    const example = readJson<Record<string, unknown>>(`${GRAPH}/security-incident-get.1.response.json`);
    const id = emu.defender.listIncidents()[0]!.id;
    const body = await json(await graph(`/security/incidents/${id}`));
    expect(keys(body)).toEqual([...keys(example), ...GRAPH_TRUNCATED].sort());
    expect(defenderIncidentSchema.safeParse(body).success).toBe(true);
    // The same incident with alerts, as in list-incidents.2 (which says `tags`, quirk G3).
    const listExample = readJsonc<{ value: Record<string, any>[] }>(
      `${GRAPH}/security-list-incidents.2.response.jsonc`,
    );
    const withAlerts = await json(await graph(`/security/incidents/${id}?$expand=alerts`));
    const exampleKeys = keys(listExample.value[0]!).map((k) => (k === "tags" ? "customTags" : k));
    expect(keys(withAlerts)).toEqual([...exampleKeys, ...GRAPH_TRUNCATED].sort());
  });

  it("PATCH incident answers the same shape as security-incident-update.1", async () => {
    const example = readJson<Record<string, unknown>>(`${GRAPH}/security-incident-update.1.response.json`);
    const id = emu.defender.listIncidents()[1]!.id;
    // The doc request body, PascalCase enums included (quirk G1).
    const res = await graph(`/security/incidents/${id}`, {
      method: "PATCH",
      body: JSON.stringify({
        classification: "TruePositive",
        determination: "MultiStagedAttack",
        customTags: ["Demo"],
      }),
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(keys(body)).toEqual([...keys(example), ...GRAPH_TRUNCATED].sort());
    expect(body.classification).toBe("truePositive");
    expect(defenderIncidentSchema.safeParse(body).success).toBe(true);
  });

  it("list envelopes match security-list-incidents.1 and security-list-alerts_v2.1 and parse", async () => {
    const example = readJson<{ value: Record<string, unknown>[] }>(
      `${GRAPH}/security-list-incidents.1.response.json`,
    );
    const body = await json(await graph("/security/incidents?$top=50"));
    expect(keys(body)).toEqual(keys(example));
    expect(defenderIncidentPageSchema.safeParse(body).success).toBe(true);
    for (const i of body.value)
      expect(keys(i)).toEqual([...keys(example.value[0]!), ...GRAPH_TRUNCATED].sort());

    const alertsExample = readJson<{ value: Record<string, any>[] }>(
      `${GRAPH}/security-list-alerts_v2.1.response.json`,
    );
    const alerts = await json(await graph("/security/alerts_v2?$top=1000"));
    expect(keys(alerts)).toEqual(keys(alertsExample));
    expect(defenderAlertPageSchema.safeParse(alerts).success).toBe(true);
    const exampleAlert = alertsExample.value[0]!;
    // Every field of the sample; the extras are documented alert properties (WIRE-FACTS 1.7).
    const documentedExtras = ["productName", "investigationState", "alertPolicyId"];
    for (const a of alerts.value)
      expect(keys(a)).toEqual([...keys(exampleAlert), ...documentedExtras].sort());
    // Evidence of the sample's types has at least the sample's fields.
    for (const sample of exampleAlert.evidence as Record<string, unknown>[]) {
      const ours = alerts.value
        .flatMap((a: any) => a.evidence)
        .find((e: any) => e["@odata.type"] === sample["@odata.type"]);
      expect(ours, String(sample["@odata.type"])).toBeDefined();
      for (const k of Object.keys(sample))
        expect(Object.keys(ours), `${sample["@odata.type"]}.${k}`).toContain(k);
    }
    const one = await json(await graph(`/security/alerts_v2/${alerts.value[0].id}`));
    const getExample = readJson<Record<string, unknown>>(`${GRAPH}/security-alert-get.1.response.json`);
    expect(keys(one)).toEqual([...keys(getExample), ...documentedExtras].sort());
    expect(defenderAlertSchema.safeParse(one).success).toBe(true);
  });

  it("POST comments answers like security-incident-post-comments.1", async () => {
    const example = readJson<{ value: Record<string, unknown>[] }>(
      `${GRAPH}/security-incident-post-comments.1.response.json`,
    );
    const id = emu.defender.listIncidents()[2]!.id;
    const body = await json(
      await graph(`/security/incidents/${id}/comments`, {
        method: "POST",
        body: JSON.stringify({
          "@odata.type": "microsoft.graph.security.alertComment",
          comment: "Demo for docs",
        }),
      }),
    );
    expect(keys(body)).toEqual(keys(example));
    for (const c of body.value) expect(keys(c)).toEqual(keys(example.value[0]!));
    expect(alertCommentPageSchema.safeParse(body).success).toBe(true);
  });
});

describe("parity with the Sentinel examples", () => {
  it("GET incident: envelope keys equal GetIncidentById's; a closed, owned incident has the same property keys", async () => {
    const example = readJson<any>(`${INCIDENTS}/GetIncidentById.json`).responses["200"].body;
    const create = readJson<any>(`${INCIDENTS}/CreateIncident.json`);
    const name = create.parameters.incidentId as string;
    const [analyst] = emu.users();
    const request = structuredClone(create.parameters.incident);
    request.properties.owner.objectId = analyst!.objectId;
    delete request.etag;
    const put = await arm(`/incidents/${name}`, { method: "PUT", body: JSON.stringify(request) });
    expect(put.status).toBe(201);
    const created = await json(put);
    expect(keys(created)).toEqual(keys(create.responses["201"].body));
    const body = await json(await arm(`/incidents/${name}`));
    expect(keys(body)).toEqual(keys(example));
    expect(keys(body.properties)).toEqual(keys(example.properties));
    // ownerType and techniques are returned by the real service (WIRE-FACTS 3.3) but absent from the sample.
    expect(keys(body.properties.owner)).toEqual([...keys(example.properties.owner), "ownerType"].sort());
    expect(keys(body.properties.additionalData)).toEqual(
      [...keys(example.properties.additionalData), "techniques"].sort(),
    );
    expect(sentinelIncidentSchema.safeParse(body).success).toBe(true);
  });

  it("list, comments, alerts and entities match their examples and parse", async () => {
    const listExample = readJson<any>(`${INCIDENTS}/GetIncidents.json`).responses["200"].body;
    const list = await json(await arm("/incidents?$top=1000"));
    expect(keys(list)).toEqual(keys(listExample));
    expect(sentinelIncidentPageSchema.safeParse(list).success).toBe(true);
    for (const i of list.value) expect(keys(i)).toEqual(keys(listExample.value[0]));

    const copy = emu.sentinel.listIncidents().find((i) => i.properties.providerName !== "Azure Sentinel")!;
    const commentExample = readJson<any>(`${INCIDENTS}/comments/CreateIncidentComment.json`);
    const comment = await json(
      await arm(`/incidents/${copy.name}/comments/${commentExample.parameters.incidentCommentId}`, {
        method: "PUT",
        body: JSON.stringify(commentExample.parameters.incidentComment),
      }),
    );
    const commentBody = commentExample.responses["201"].body;
    expect(keys(comment)).toEqual(keys(commentBody));
    expect(keys(comment.properties)).toEqual(keys(commentBody.properties));
    expect(keys(comment.properties.author)).toEqual(keys(commentBody.properties.author));
    expect(sentinelCommentSchema.safeParse(comment).success).toBe(true);
    const comments = await json(await arm(`/incidents/${copy.name}/comments`));
    const commentsExample = readJson<any>(`${INCIDENTS}/comments/GetAllIncidentComments.json`).responses[
      "200"
    ].body;
    expect(keys(comments)).toEqual(keys(commentsExample));
    expect(sentinelCommentPageSchema.safeParse(comments).success).toBe(true);

    const alertsExample = readJson<any>(`${INCIDENTS}/GetAllIncidentAlerts.json`).responses["200"].body;
    const alerts = await json(await arm(`/incidents/${copy.name}/alerts`, { method: "POST" }));
    expect(keys(alerts)).toEqual(keys(alertsExample));
    expect(keys(alerts.value[0])).toEqual(keys(alertsExample.value[0]));
    for (const k of Object.keys(alertsExample.value[0].properties))
      expect(Object.keys(alerts.value[0].properties)).toContain(k);
    expect(sentinelAlertsResponseSchema.safeParse(alerts).success).toBe(true);

    const entitiesExample = readJson<any>(`${INCIDENTS}/GetAllIncidentEntities.json`).responses["200"].body;
    const entities = await json(await arm(`/incidents/${copy.name}/entities`, { method: "POST" }));
    expect(keys(entities)).toEqual(keys(entitiesExample));
    expect(keys(entities.entities[0])).toEqual(keys(entitiesExample.entities[0]));
    expect(sentinelEntitiesResponseSchema.safeParse(entities).success).toBe(true);
  });
});
