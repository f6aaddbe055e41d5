/**
 * Sentinel has no PATCH: a caller reads an incident, changes a field and PUTs the properties back. Whatever a GET
 * returns (nulls, empty lists, enum values never seen, properties this package does not know) must go back
 * without a schema refusal; only the service's own rules and obvious typos are refused before sending.
 */
import { HttpResponse, http, type JsonBodyType } from "msw";
import { describe, expect, it } from "vitest";
import { isInvalidArgumentError } from "../../src/core/errors";
import type { SentinelIncident } from "../../src/sentinel/models";
import { SentinelClient, validateIncidentProperties } from "../../src/sentinel/sentinelClient";
import { createEmulator } from "../../src/testing/index";
import { fakeCredential } from "../helpers/credential";
import { readJson } from "../helpers/fixtures";
import { ARM_BASE, server, useMswServer } from "../helpers/msw";

const recorder = useMswServer();

const SUB = "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0";
const BASE = `${ARM_BASE}/subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.OperationalInsights/workspaces/myWorkspace/providers/Microsoft.SecurityInsights`;
const FAST = { rateLimit: false, retryOptions: { retryDelayInMs: 1, maxRetries: 1 } } as const;
const newClient = () =>
  new SentinelClient(fakeCredential(), {
    subscriptionId: SUB,
    resourceGroupName: "myRg",
    workspaceName: "myWorkspace",
    ...FAST,
  });

type Example = { responses: Record<string, { body: JsonBodyType }> };
const example = (name: string) => readJson<Example>(`sentinel/examples/incidents/${name}`);
const officialIncidents: SentinelIncident[] = [
  example("GetIncidentById.json").responses["200"]!.body as unknown as SentinelIncident,
  ...(example("GetIncidents.json").responses["200"]!.body as unknown as { value: SentinelIncident[] }).value,
  example("CreateIncident.json").responses["200"]!.body as unknown as SentinelIncident,
];

const READ_ONLY = [
  "incidentNumber",
  "incidentUrl",
  "createdTimeUtc",
  "lastModifiedTimeUtc",
  "additionalData",
  "relatedAnalyticRuleIds",
  "providerName",
  "providerIncidentId",
];

/** A GET body a real workspace can return: nulls everywhere optional, values and properties never seen. */
const hostile: SentinelIncident = {
  id: `/subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.OperationalInsights/workspaces/myWorkspace/providers/Microsoft.SecurityInsights/incidents/3177`,
  name: "3177",
  type: "Microsoft.SecurityInsights/incidents",
  etag: '"6f00b7d8-0000-0d00-0000-6527f4f40000"',
  systemData: null,
  properties: {
    title: "Multistage incident involving Initial access",
    severity: "Critical",
    status: "Triaged",
    description: null,
    classification: null,
    classificationReason: null,
    classificationComment: null,
    owner: {
      objectId: null,
      email: null,
      assignedTo: null,
      userPrincipalName: null,
      ownerType: "ServicePrincipal",
      displayName: "Automation",
    },
    labels: [],
    firstActivityTimeUtc: null,
    lastActivityTimeUtc: "2024-10-12T13:05:30.1234567Z",
    createdTimeUtc: "2024-10-12T13:15:30.1234567Z",
    lastModifiedTimeUtc: "2024-10-12T13:15:31Z",
    incidentNumber: 3177,
    incidentUrl: null,
    providerName: "Microsoft XDR",
    providerIncidentId: "4711",
    relatedAnalyticRuleIds: [],
    additionalData: {
      alertsCount: 2,
      bookmarksCount: 0,
      commentsCount: 0,
      alertProductNames: ["Microsoft Defender for Endpoint"],
      tactics: [],
      techniques: ["T1078"],
      providerIncidentUrl: null,
      nextGenerationField: { anything: [1, 2] },
    },
    teamInformation: null,
    incidentSummary: { text: "Brief from the service", generatedAt: "2024-10-12T13:15:31Z" },
  },
} as unknown as SentinelIncident;

function capturePut(
  name: string,
  answer: JsonBodyType,
): { properties: Record<string, unknown>; etag?: string }[] {
  const bodies: { properties: Record<string, unknown>; etag?: string }[] = [];
  server.use(
    http.put(`${BASE}/incidents/${name}`, async ({ request }) => {
      bodies.push((await request.json()) as (typeof bodies)[number]);
      return HttpResponse.json(answer);
    }),
  );
  return bodies;
}

describe("GET → modify → PUT", () => {
  it.each(officialIncidents.map((i) => [i.name, i] as const))(
    "official example %s goes back with only the read-only properties left out",
    async (name, incident) => {
      const bodies = capturePut(name, incident as unknown as JsonBodyType);
      const changed = { ...incident.properties, severity: "Low" };
      await newClient().createOrUpdateIncident(name, changed, { etag: incident.etag ?? undefined });
      const sent = bodies[0]!.properties;
      for (const key of READ_ONLY) expect(sent, key).not.toHaveProperty(key);
      const expected: Record<string, unknown> = Object.fromEntries(
        Object.entries(changed).filter(([k, v]) => !READ_ONLY.includes(k) && v !== null),
      );
      expected.labels = (expected.labels as { labelName: string }[] | undefined)?.map((l) => ({
        labelName: l.labelName,
      }));
      if (expected.labels === undefined) delete expected.labels;
      expect(sent).toEqual(expected);
      expect(bodies[0]!.etag).toBe(incident.etag);
    },
  );

  it("a hostile-but-valid GET goes back: nulls left out, never-seen values and unknown properties kept", async () => {
    const bodies = capturePut("3177", hostile as unknown as JsonBodyType);
    const client = newClient();
    server.use(
      http.get(`${BASE}/incidents/3177`, () => HttpResponse.json(hostile as unknown as JsonBodyType)),
    );
    const read = await client.getIncident("3177");
    expect(read).toBeDefined();
    await client.createOrUpdateIncident(
      "3177",
      { ...read!.properties, title: "Renamed" },
      { etag: read!.etag! },
    );
    expect(bodies).toEqual([
      {
        etag: hostile.etag,
        properties: {
          title: "Renamed",
          severity: "Critical",
          status: "Triaged",
          owner: {
            objectId: null,
            email: null,
            assignedTo: null,
            userPrincipalName: null,
            ownerType: "ServicePrincipal",
            displayName: "Automation",
          },
          labels: [],
          lastActivityTimeUtc: "2024-10-12T13:05:30.1234567Z",
          incidentSummary: { text: "Brief from the service", generatedAt: "2024-10-12T13:15:31Z" },
        },
      },
    ]);
  });

  it("labels keep their names and lose the service-decided labelType", () => {
    const body = validateIncidentProperties({
      title: "t",
      severity: "Low",
      status: "New",
      labels: [
        { labelName: "a", labelType: "AutoAssigned" },
        { labelName: "b", labelType: "SomethingNew", addedBy: "rule" },
      ],
    });
    expect(body.labels).toEqual([{ labelName: "a" }, { labelName: "b", addedBy: "rule" }]);
  });

  it.each([
    ["a known status in the wrong case", { status: "closed" }, "status"],
    [
      "a known classification in the wrong case",
      { status: "Closed", classification: "truePositive" },
      "classification",
    ],
    ["an empty severity", { severity: "" }, "severity"],
    ["closing without a classification", { status: "Closed" }, "classification"],
    ["a number as title", { title: 3 }, "title"],
  ])("still refuses %s before sending", async (_label, change, path) => {
    const e = (await newClient()
      .createOrUpdateIncident("3177", { title: "t", severity: "Low", status: "New", ...change } as never)
      .catch((x: unknown) => x)) as { issues: { path: string }[] };
    expect(isInvalidArgumentError(e)).toBe(true);
    expect(e.issues.map((i) => i.path)).toContain(path);
    expect(recorder.requests).toHaveLength(0);
  });
});

describe("GET → modify → PUT against the emulator", () => {
  it("every generated incident (connector copies and native) round-trips with its etag", async () => {
    const emu = createEmulator({
      seed: 4,
      incidents: 20,
      connectorCopies: 0.5,
      sentinelIncidents: 10,
      throttling: false,
    });
    // The emulator's msw handlers answer for management.azure.com, so the client keeps its default endpoint.
    server.use(...emu.handlers);
    const client = new SentinelClient(emu.credential, {
      subscriptionId: emu.subscriptionId,
      resourceGroupName: emu.resourceGroupName,
      workspaceName: emu.workspaceName,
      ...FAST,
    });
    const names = emu.sentinel.listIncidents().map((i) => i.name);
    expect(names.length).toBeGreaterThanOrEqual(15);
    for (const name of names) {
      const read = (await client.getIncident(name))!;
      const written = await client.createOrUpdateIncident(
        name,
        { ...read.properties, title: `${read.properties.title} (edited)` },
        { etag: read.etag ?? undefined },
      );
      expect(written.properties.title, name).toBe(`${read.properties.title} (edited)`);
      expect(written.properties.status).toBe(read.properties.status);
      expect(written.properties.owner?.objectId ?? null).toBe(read.properties.owner?.objectId ?? null);
      expect(written.properties.labels?.map((l) => l.labelName)).toEqual(
        read.properties.labels?.map((l) => l.labelName),
      );
    }
  });
});
