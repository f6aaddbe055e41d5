import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import {
  armPageSchema,
  type IncidentLabel,
  type IncidentOwner,
  incidentLabelSchema,
  incidentOwnerSchema,
  type SentinelAlert,
  type SentinelComment,
  type SentinelEntity,
  type SentinelIncident,
  type SentinelIncidentProperties,
  type SentinelIncidentWriteProperties,
  type SentinelSeverity,
  sentinelAlertSchema,
  sentinelAlertsResponseSchema,
  sentinelClassificationReasonSchema,
  sentinelClassificationSchema,
  sentinelCommentPageSchema,
  sentinelCommentSchema,
  sentinelEntitiesResponseSchema,
  sentinelEntitySchema,
  sentinelIncidentPageSchema,
  sentinelIncidentSchema,
  sentinelIncidentWritePropertiesSchema,
  sentinelSeveritySchema,
  sentinelStatusSchema,
} from "../../src/sentinel/models";
import { listFixtures, readJson } from "../helpers/fixtures";

const INCIDENTS = "sentinel/examples/incidents";
const COMMENTS = `${INCIDENTS}/comments`;

interface ExampleFile {
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: unknown }>;
}

/**
 * The schema for each example of the incidents, comments, alerts and entities operations; `null` means the
 * operation has no response body (deletes). Bookmarks, relations and tasks are out of scope.
 */
const schemaByExample: Record<string, z.ZodType | null> = {
  [`${INCIDENTS}/GetIncidents.json`]: sentinelIncidentPageSchema,
  [`${INCIDENTS}/GetIncidentById.json`]: sentinelIncidentSchema,
  [`${INCIDENTS}/CreateIncident.json`]: sentinelIncidentSchema,
  [`${INCIDENTS}/DeleteIncident.json`]: null,
  [`${INCIDENTS}/GetAllIncidentAlerts.json`]: sentinelAlertsResponseSchema,
  [`${INCIDENTS}/GetAllIncidentEntities.json`]: sentinelEntitiesResponseSchema,
  [`${COMMENTS}/CreateIncidentComment.json`]: sentinelCommentSchema,
  [`${COMMENTS}/GetIncidentCommentById.json`]: sentinelCommentSchema,
  [`${COMMENTS}/GetAllIncidentComments.json`]: sentinelCommentPageSchema,
  [`${COMMENTS}/DeleteIncidentComment.json`]: null,
};
const OUT_OF_SCOPE = new Set([`${INCIDENTS}/GetAllIncidentBookmarks.json`]);

const exampleFiles = [...listFixtures(INCIDENTS, ".json"), ...listFixtures(COMMENTS, ".json")].filter(
  (file) => !OUT_OF_SCOPE.has(file),
);

/** Every (file, status, body) in scope, so each response body gets its own test. */
const responseBodies = exampleFiles.flatMap((file) =>
  Object.entries(readJson<ExampleFile>(file).responses)
    .filter(([, response]) => response.body !== undefined)
    .map(([status, response]) => [file, status, response.body] as const),
);

function example(file: string): ExampleFile {
  return readJson<ExampleFile>(file);
}

function body<S extends z.ZodType>(schema: S, file: string, status = "200"): z.infer<S> {
  return schema.parse(example(file).responses[status]?.body);
}

function only<T>(items: readonly T[] | null | undefined): T {
  expect(items).toHaveLength(1);
  return items![0]!;
}

describe("official Sentinel examples", () => {
  it("are all covered by a schema", () => {
    expect(exampleFiles).toHaveLength(10);
    for (const file of exampleFiles) expect(schemaByExample, file).toHaveProperty([file]);
    expect(responseBodies).toHaveLength(10);
  });

  it.each(responseBodies)("%s (%s) parses", (file, _status, raw) => {
    const schema = schemaByExample[file];
    if (!schema) throw new Error(`${file} should have no body`);
    expect(schema.safeParse(raw).error?.issues ?? []).toEqual([]);
  });

  it.each([`${INCIDENTS}/DeleteIncident.json`, `${COMMENTS}/DeleteIncidentComment.json`])(
    "%s has 200/204 responses without a body",
    (file) => {
      expect(example(file).responses).toEqual({ "200": {}, "204": {} });
    },
  );

  it("GetIncidents: a page of incidents with every property", () => {
    const page = body(sentinelIncidentPageSchema, `${INCIDENTS}/GetIncidents.json`);
    expect(page.nextLink).toBeUndefined();
    const incident = only(page.value);
    expect(incident.name).toBe("73e01a99-5cd7-4139-a149-9f2736ff2ab5");
    expect(incident.type).toBe("Microsoft.SecurityInsights/incidents");
    // Quirk S3: incident etags carry their quotes.
    expect(incident.etag).toBe('"0300bf09-0000-0000-0000-5c37296e0000"');
    const p = incident.properties;
    expect(p).toMatchObject({
      title: "My incident",
      severity: "High",
      status: "Closed",
      classification: "FalsePositive",
      classificationReason: "IncorrectAlertLogic",
      classificationComment: "Not a malicious activity",
      incidentNumber: 3177,
      providerName: "Azure Sentinel",
      providerIncidentId: "3177",
      lastModifiedTimeUtc: "2019-01-01T13:15:30Z",
      firstActivityTimeUtc: "2019-01-01T13:00:30Z",
      labels: [],
    });
    expect(p.owner).toEqual({
      objectId: "2046feea-040d-4a46-9e2b-91c2941bfa70",
      email: "john.doe@contoso.com",
      userPrincipalName: "john@contoso.com",
      assignedTo: "john doe",
    });
    expect(p.relatedAnalyticRuleIds).toHaveLength(2);
    expect(p.additionalData).toEqual({
      alertsCount: 0,
      bookmarksCount: 0,
      commentsCount: 3,
      alertProductNames: [],
      tactics: ["Persistence"],
    });
    expect(p.incidentUrl).toMatch(/^https:\/\/portal\.azure\.com\//);
  });

  it("GetIncidentById: a single incident", () => {
    const incident = body(sentinelIncidentSchema, `${INCIDENTS}/GetIncidentById.json`);
    expect(incident.id).toMatch(/\/providers\/Microsoft\.SecurityInsights\/incidents\/73e01a99-/);
    expect(incident.properties.classificationReason).toBe("InaccurateData");
    expect(incident.properties.additionalData?.tactics).toEqual(["InitialAccess", "Persistence"]);
  });

  it("CreateIncident: the request body is valid write properties, both responses parse", () => {
    const request = example(`${INCIDENTS}/CreateIncident.json`).parameters.incident as {
      properties: unknown;
    };
    const write = sentinelIncidentWritePropertiesSchema.parse(request.properties);
    expect(write.owner).toEqual({ objectId: "2046feea-040d-4a46-9e2b-91c2941bfa70" });
    for (const status of ["200", "201"]) {
      const incident = body(sentinelIncidentSchema, `${INCIDENTS}/CreateIncident.json`, status);
      expect(incident.etag).toBe('"0300bf09-0000-0000-0000-5c37296e0001"');
      // The service fills in the owner from the objectId.
      expect(incident.properties.owner?.email).toBe("john.doe@contoso.com");
      expect(incident.properties.title).toBe(write.title);
    }
  });

  it("GetAllIncidentAlerts: SecurityAlert entities", () => {
    const alerts = body(sentinelAlertsResponseSchema, `${INCIDENTS}/GetAllIncidentAlerts.json`);
    const alert = only(alerts.value);
    expect(alert.kind).toBe("SecurityAlert");
    // Quirk S6.
    expect(alert.type).toBe("Microsoft.SecurityInsights/Entities");
    expect(alert.properties).toMatchObject({
      systemAlertId: "baa8a239-6fde-4ab7-a093-d09f7b75c58c",
      alertDisplayName: "myAlert",
      severity: "Low",
      status: "New",
      productName: "Azure Security Center",
      vendorName: "Microsoft",
      confidenceLevel: "Unknown",
      tactics: [],
      friendlyName: "myAlert",
    });
    expect(only(alert.properties.resourceIdentifiers)).toMatchObject({
      type: "LogAnalytics",
      workspaceId: "c8c99641-985d-4e4e-8e91-fb3466cd0e5b",
    });
    expect(alert.properties.additionalData).toEqual({ AlertMessageEnqueueTime: "2020-07-20T18:21:57.304Z" });
  });

  it("GetAllIncidentEntities: entities by kind plus metadata", () => {
    const response = body(sentinelEntitiesResponseSchema, `${INCIDENTS}/GetAllIncidentEntities.json`);
    const entity = only(response.entities);
    expect(entity.kind).toBe("Account");
    expect(entity.properties).toEqual({
      friendlyName: "administrator",
      accountName: "administrator",
      ntDomain: "domain",
    });
    expect(response.metaData).toEqual([{ entityKind: "Account", count: 1 }]);
  });

  it("comments: message, author and unquoted etags", () => {
    const page = body(sentinelCommentPageSchema, `${COMMENTS}/GetAllIncidentComments.json`);
    const comment = only(page.value);
    expect(comment.name).toBe("4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014");
    // Quirk S3: comment etags are not quoted.
    expect(comment.etag).toBe("0300bf09-0000-0000-0000-5c37296e0000");
    expect(comment.properties).toEqual({
      message: "Some message",
      createdTimeUtc: "2019-01-01T13:15:30Z",
      lastModifiedTimeUtc: "2019-01-01T13:15:30Z",
      author: {
        objectId: "2046feea-040d-4a46-9e2b-91c2941bfa70",
        email: "john.doe@contoso.com",
        userPrincipalName: "john@contoso.com",
        name: "john doe",
      },
    });
    expect(body(sentinelCommentSchema, `${COMMENTS}/GetIncidentCommentById.json`)).toEqual(comment);
  });

  it("CreateIncidentComment: ids are kept verbatim, typo included (quirk S4)", () => {
    const updated = body(sentinelCommentSchema, `${COMMENTS}/CreateIncidentComment.json`, "200");
    const created = body(sentinelCommentSchema, `${COMMENTS}/CreateIncidentComment.json`, "201");
    expect(updated.id).toContain("Microsoft.OperationalIinsights");
    expect(created.id).toContain("Microsoft.OperationalInsights");
    expect(updated.properties.lastModifiedTimeUtc).toBe("2019-01-04T13:15:30Z");
    expect(created.properties.message).toBe("Some message");
  });
});

describe("Sentinel enums", () => {
  it("normalize case to the documented PascalCase", () => {
    expect(sentinelSeveritySchema.parse("high")).toBe("High");
    expect(sentinelStatusSchema.parse("new")).toBe("New");
    expect(sentinelStatusSchema.parse("CLOSED")).toBe("Closed");
    expect(sentinelClassificationSchema.parse("truepositive")).toBe("TruePositive");
    expect(sentinelClassificationReasonSchema.parse("suspiciousButExpected")).toBe("SuspiciousButExpected");
    expect(incidentOwnerSchema.parse({ ownerType: "group" }).ownerType).toBe("Group");
    expect(incidentLabelSchema.parse({ labelName: "x", labelType: "autoassigned" }).labelType).toBe(
      "AutoAssigned",
    );
  });

  it("keep unknown values as sent", () => {
    expect(sentinelStatusSchema.parse("someNewValue")).toBe("someNewValue");
    expect(sentinelSeveritySchema.parse("Critical")).toBe("Critical");
  });

  it("infer the documented members plus any string", () => {
    expectTypeOf<SentinelSeverity>().toEqualTypeOf<
      "High" | "Medium" | "Low" | "Informational" | (string & {})
    >();
  });
});

describe("sentinelIncidentSchema", () => {
  const minimal = {
    id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w/providers/Microsoft.SecurityInsights/incidents/n",
    name: "n",
    properties: { title: "t", severity: "medium", status: "active" },
  };

  it("needs only id, name and title/severity/status", () => {
    const incident = sentinelIncidentSchema.parse(minimal);
    expect(incident.properties.severity).toBe("Medium");
    expect(incident.properties.status).toBe("Active");
    expect(incident.etag).toBeUndefined();
    for (const key of ["title", "severity", "status"]) {
      const properties: Record<string, unknown> = { ...minimal.properties };
      delete properties[key];
      expect(sentinelIncidentSchema.safeParse({ ...minimal, properties }).success, key).toBe(false);
    }
  });

  it("accepts nulls and keeps unknown properties at every level", () => {
    const incident = sentinelIncidentSchema.parse({
      ...minimal,
      etag: null,
      systemData: { createdBy: "me", createdByType: "User", somethingNew: 1 },
      future: true,
      properties: {
        ...minimal.properties,
        description: null,
        classification: null,
        owner: { objectId: null, email: null, ownerType: "ServicePrincipal" },
        labels: [{ labelName: "Redirected", labelType: "User", color: "red" }],
        additionalData: {
          techniques: ["T1566"],
          providerIncidentUrl: "https://security.microsoft.com/incidents/1",
        },
        teamInformation: { teamId: "x" },
      },
    });
    expect(incident).toMatchObject({ future: true, systemData: { somethingNew: 1 } });
    expect(incident.properties.owner?.ownerType).toBe("ServicePrincipal");
    expect(incident.properties.labels?.[0]).toEqual({
      labelName: "Redirected",
      labelType: "User",
      color: "red",
    });
    expect(incident.properties.additionalData?.techniques).toEqual(["T1566"]);
    expect(incident.properties).toMatchObject({ teamInformation: { teamId: "x" } });
  });

  it("requires labelName on labels", () => {
    expect(incidentLabelSchema.safeParse({ labelType: "User" }).success).toBe(false);
  });

  it("exposes the wire shape in its types", () => {
    expectTypeOf<SentinelIncident["properties"]>().toEqualTypeOf<SentinelIncidentProperties>();
    expectTypeOf<SentinelIncidentProperties["title"]>().toEqualTypeOf<string>();
    expectTypeOf<IncidentOwner["objectId"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<IncidentLabel["labelName"]>().toEqualTypeOf<string>();
    expectTypeOf<SentinelComment["properties"]["message"]>().toEqualTypeOf<string>();
  });
});

describe("sentinelIncidentWritePropertiesSchema", () => {
  const valid: SentinelIncidentWriteProperties = {
    title: "t",
    severity: "High",
    status: "Closed",
    classification: "BenignPositive",
    classificationReason: "SuspiciousButExpected",
    classificationComment: "expected",
    description: "d",
    owner: { objectId: "2046feea-040d-4a46-9e2b-91c2941bfa70" },
    labels: [{ labelName: "synced" }],
    firstActivityTimeUtc: "2024-01-01T00:00:00Z",
    lastActivityTimeUtc: "2024-01-02T00:00:00Z",
    providerName: "Microsoft XDR",
    providerIncidentId: "2972395",
  };

  it("accepts what we send", () => {
    expect(sentinelIncidentWritePropertiesSchema.parse(valid)).toEqual(valid);
    expect(
      sentinelIncidentWritePropertiesSchema.parse({ title: "t", severity: "Low", status: "New" }),
    ).toEqual({
      title: "t",
      severity: "Low",
      status: "New",
    });
  });

  it.each([
    ["incidentNumber", 3177],
    ["createdTimeUtc", "2019-01-01T13:15:30Z"],
    ["lastModifiedTimeUtc", "2019-01-01T13:15:30Z"],
    ["additionalData", { alertsCount: 0 }],
    ["incidentUrl", "https://portal.azure.com/"],
    ["relatedAnalyticRuleIds", []],
  ])("rejects the read-only field %s", (key, value) => {
    const result = sentinelIncidentWritePropertiesSchema.safeParse({ ...valid, [key]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe("unrecognized_keys");
  });

  it("rejects anything but the exact documented enum spelling", () => {
    for (const bad of [
      { severity: "high" },
      { severity: "Critical" },
      { status: "closed" },
      { classification: "truePositive" },
      { classificationReason: "Other" },
    ]) {
      expect(
        sentinelIncidentWritePropertiesSchema.safeParse({ ...valid, ...bad }).success,
        JSON.stringify(bad),
      ).toBe(false);
    }
  });

  it("requires title, severity and status", () => {
    expect(sentinelIncidentWritePropertiesSchema.safeParse({ severity: "High", status: "New" }).success).toBe(
      false,
    );
    expect(sentinelIncidentWritePropertiesSchema.safeParse({ title: "t", status: "New" }).success).toBe(
      false,
    );
  });

  it("types enums as exact literals", () => {
    expectTypeOf<SentinelIncidentWriteProperties["severity"]>().toEqualTypeOf<
      "High" | "Medium" | "Low" | "Informational"
    >();
    expectTypeOf<SentinelIncidentWriteProperties["status"]>().toEqualTypeOf<"New" | "Active" | "Closed">();
  });
});

describe("alerts and entities", () => {
  it("keeps an entity of a kind not known today, with its properties", () => {
    const entity = sentinelEntitySchema.parse({
      kind: "GenAiPrompt",
      properties: { prompt: "hi", score: 3 },
    });
    expect(entity).toEqual({ kind: "GenAiPrompt", properties: { prompt: "hi", score: 3 } });
    expect(sentinelEntitySchema.parse({ kind: "Host" }).properties).toEqual({});
    expect(sentinelEntitySchema.safeParse({ properties: {} }).success).toBe(false);
  });

  it("reads an entities response without metaData", () => {
    expect(sentinelEntitiesResponseSchema.parse({}).entities).toEqual([]);
  });

  it("normalizes alert enums and keeps unknown alert properties", () => {
    const alert = sentinelAlertSchema.parse({
      kind: "SecurityAlert",
      properties: { severity: "medium", status: "dismissed", newField: [1] },
    });
    expect(alert.properties.severity).toBe("Medium");
    expect(alert.properties.status).toBe("Dismissed");
    expect(alert.properties).toMatchObject({ newField: [1] });
  });

  it("types kind and properties", () => {
    expectTypeOf<SentinelAlert["kind"]>().toEqualTypeOf<"SecurityAlert">();
    expectTypeOf<SentinelEntity["kind"]>().toEqualTypeOf<string>();
    expectTypeOf<SentinelEntity["properties"]>().toEqualTypeOf<Record<string, unknown>>();
  });
});

describe("armPageSchema", () => {
  it("reads nextLink as string, null or absent", () => {
    const schema = armPageSchema(sentinelCommentSchema);
    const next = "https://management.azure.com/x?$skipToken=abc";
    expect(schema.parse({ value: [], nextLink: next }).nextLink).toBe(next);
    expect(schema.parse({ value: [], nextLink: null }).nextLink).toBeNull();
    expect(schema.parse({ value: [] }).nextLink).toBeUndefined();
    expect(schema.safeParse({ nextLink: next }).success).toBe(false);
  });
});
