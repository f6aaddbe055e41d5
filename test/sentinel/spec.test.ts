import { HttpResponse, http, type JsonBodyType } from "msw";
import { describe, expect, it } from "vitest";
import type { SentinelIncident, SentinelIncidentWriteProperties } from "../../src/sentinel/models";
import { SentinelClient } from "../../src/sentinel/sentinelClient";
import { fakeCredential } from "../helpers/credential";
import { readJson } from "../helpers/fixtures";
import { ARM_BASE, server, useMswServer } from "../helpers/msw";
import {
  findSentinelOperation,
  sentinelRequestExamples,
  sentinelResponseExamples,
  specRefAliases,
  validateSentinelRequestBody,
  validateSentinelResponseBody,
} from "../helpers/openapi";

useMswServer();

const SUB = "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0";
const BASE = `${ARM_BASE}/subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.OperationalInsights/workspaces/myWorkspace/providers/Microsoft.SecurityInsights`;
const INCIDENT_ID = "73e01a99-5cd7-4139-a149-9f2736ff2ab5";
const COMMENT_ID = "4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014";

interface Example {
  responses: Record<string, { body?: JsonBodyType }>;
}
const incidentFromGet = readJson<Example>("sentinel/examples/incidents/GetIncidentById.json").responses[
  "200"
]!.body as SentinelIncident;
const commentResponse = readJson<Example>("sentinel/examples/incidents/comments/CreateIncidentComment.json")
  .responses["201"]!.body;

const newClient = () =>
  new SentinelClient(fakeCredential(), {
    subscriptionId: SUB,
    resourceGroupName: "myRg",
    workspaceName: "myWorkspace",
    rateLimit: false,
    retryOptions: { retryDelayInMs: 1, maxRetries: 2 },
  });

/** Registers PUT handlers that record each body and answer with a valid resource. */
function capturePuts(): unknown[] {
  const bodies: unknown[] = [];
  server.use(
    http.put(`${BASE}/incidents/:id`, async ({ request }) => {
      bodies.push(await request.json());
      return HttpResponse.json(incidentFromGet);
    }),
    http.put(`${BASE}/incidents/:id/comments/:commentId`, async ({ request }) => {
      bodies.push(await request.json());
      return HttpResponse.json(commentResponse, { status: 201 });
    }),
  );
  return bodies;
}

describe("the OpenAPI helper", () => {
  it("resolves every $ref locally, redirecting quirk S1's too-shallow common-types path", () => {
    const aliases = [...specRefAliases()];
    expect(aliases).toHaveLength(1);
    const [broken, real] = aliases[0]!;
    expect(broken).toMatch(
      /sentinel\/spec\/securityinsights\/common-types\/resource-management\/v5\/types\.json$/,
    );
    expect(real).toMatch(/sentinel\/spec\/common-types\/resource-management\/v5\/types\.json$/);
  });

  it("finds operations and their body parameters in Incidents.json", () => {
    expect(findSentinelOperation("Incidents_CreateOrUpdate")).toMatchObject({ method: "PUT" });
    expect(findSentinelOperation("Incidents_ListAlerts")).toMatchObject({ method: "POST" });
    expect(() => findSentinelOperation("Incidents_Patch")).toThrow(/No operation/);
    expect(() => validateSentinelRequestBody("Incidents_Get", {})).toThrow(/no body parameter/);
  });

  it("validates the entity-typed responses that go through EntityTypes.json (and so through quirk S1)", () => {
    for (const op of ["Incidents_ListAlerts", "Incidents_ListEntities"]) {
      const examples = sentinelResponseExamples(op);
      expect(examples.length).toBeGreaterThan(0);
      for (const { file, status, body } of examples) {
        expect(validateSentinelResponseBody(op, status, body).errors, file).toEqual([]);
      }
    }
    const bad = validateSentinelResponseBody("Incidents_ListEntities", 200, { entities: [{ kind: 42 }] });
    expect(bad.valid).toBe(false);
  });
});

describe("Incidents_CreateOrUpdate request bodies", () => {
  it("every x-ms-examples request body validates", () => {
    const examples = sentinelRequestExamples("Incidents_CreateOrUpdate");
    expect(examples.map((e) => e.file)).toEqual(["sentinel/examples/incidents/CreateIncident.json"]);
    for (const { file, body } of examples) {
      expect(validateSentinelRequestBody("Incidents_CreateOrUpdate", body).errors, file).toEqual([]);
    }
  });

  it("the validator rejects a body missing `title`", () => {
    const [example] = sentinelRequestExamples("Incidents_CreateOrUpdate");
    const body = structuredClone(example!.body) as { properties: Record<string, unknown> };
    delete body.properties.title;
    const result = validateSentinelRequestBody("Incidents_CreateOrUpdate", body);
    expect(result.valid).toBe(false);
    expect(result.ajvErrors).toContainEqual(
      expect.objectContaining({
        instancePath: "/properties",
        keyword: "required",
        params: { missingProperty: "title" },
      }),
    );
  });

  it("the validator also rejects enum misspellings, bad formats and read-only properties", () => {
    const check = (properties: Record<string, unknown>) =>
      validateSentinelRequestBody("Incidents_CreateOrUpdate", {
        properties: { title: "t", severity: "High", status: "New", ...properties },
      });
    expect(check({}).valid).toBe(true);
    expect(check({ severity: "Critical" }).errors).toEqual([
      expect.stringMatching(/^\/properties\/severity/),
    ]);
    expect(check({ owner: { objectId: "not-a-uuid" } }).errors).toEqual([
      expect.stringMatching(/^\/properties\/owner\/objectId must match format "uuid"/),
    ]);
    expect(check({ incidentNumber: 1 }).errors).toEqual([
      "/properties/incidentNumber is read-only and must not be sent in a request",
    ]);
    expect(check({ labels: [{ labelName: "x", labelType: "User" }] }).valid).toBe(false);
  });

  it.each<[string, SentinelIncidentWriteProperties, string | undefined]>([
    ["a new incident", { title: "New incident", severity: "Medium", status: "New" }, undefined],
    [
      "a closed incident with owner and labels",
      {
        title: "Closed",
        severity: "Low",
        status: "Closed",
        classification: "FalsePositive",
        classificationReason: "IncorrectAlertLogic",
        classificationComment: "noise",
        description: "d",
        owner: { objectId: "2046feea-040d-4a46-9e2b-91c2941bfa70" },
        labels: [{ labelName: "synced-from-defender" }],
        firstActivityTimeUtc: "2019-01-01T13:00:30Z",
        lastActivityTimeUtc: "2019-01-01T13:05:30Z",
      },
      '"0300bf09-0000-0000-0000-5c37296e0000"',
    ],
    [
      "a GET round trip (read-only fields and label types present)",
      {
        ...(incidentFromGet.properties as unknown as SentinelIncidentWriteProperties),
        labels: [{ labelName: "auto", labelType: "AutoAssigned" }],
      },
      incidentFromGet.etag ?? undefined,
    ],
  ])(
    "the body SentinelClient.createOrUpdateIncident sends for %s validates",
    async (_label, properties, etag) => {
      const bodies = capturePuts();
      await newClient().createOrUpdateIncident(INCIDENT_ID, properties, { etag });
      expect(bodies).toHaveLength(1);
      expect(validateSentinelRequestBody("Incidents_CreateOrUpdate", bodies[0]).errors).toEqual([]);
    },
  );
});

describe("IncidentComments_CreateOrUpdate request bodies", () => {
  it("every x-ms-examples request body validates", () => {
    const examples = sentinelRequestExamples("IncidentComments_CreateOrUpdate");
    expect(examples.map((e) => e.file)).toEqual([
      "sentinel/examples/incidents/comments/CreateIncidentComment.json",
    ]);
    for (const { file, body } of examples) {
      expect(validateSentinelRequestBody("IncidentComments_CreateOrUpdate", body).errors, file).toEqual([]);
    }
  });

  it("the validator rejects a comment without `message`", () => {
    const result = validateSentinelRequestBody("IncidentComments_CreateOrUpdate", { properties: {} });
    expect(result.errors).toEqual(["/properties must have required property 'message'"]);
  });

  it.each([undefined, "0300bf09-0000-0000-0000-5c37296e0000"])(
    "the body SentinelClient.createIncidentComment sends (etag %s) validates",
    async (etag) => {
      const bodies = capturePuts();
      await newClient().createIncidentComment(INCIDENT_ID, COMMENT_ID, "Synced from Defender: looks benign", {
        etag,
      });
      expect(bodies).toHaveLength(1);
      expect(validateSentinelRequestBody("IncidentComments_CreateOrUpdate", bodies[0]).errors).toEqual([]);
    },
  );
});
