import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEmulator, type EmulatorServer } from "../../src/testing/index";
import {
  API,
  bearer,
  FIXED_START,
  GUID,
  json,
  manualClock,
  SEVEN_DIGITS,
  serverBase,
  workspaceBase,
} from "./helpers";

const clock = manualClock(FIXED_START);
const emu = createEmulator({
  seed: 3,
  incidents: 60,
  connectorCopies: 0.5,
  sentinelIncidents: 10,
  now: clock.now,
});
let srv: EmulatorServer;
let base: string;
const auth = bearer(emu.tenantId);
const NAME = "73e01a99-5cd7-4139-a149-9f2736ff2ab5";

beforeAll(async () => {
  srv = await emu.listen();
  base = serverBase(srv);
});
afterAll(() => srv.close());
beforeEach(() => {
  emu.reset();
  clock.advance(1000);
});

function req(method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  return fetch(`${base}${path}${path.includes("?") ? "&" : "?"}${API}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
function expectArmError(body: any, code: string) {
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message"]);
  expect(body.error.code).toBe(code);
}
const minimal = { properties: { title: "t", severity: "High", status: "New" } };

describe("ARM: front door", () => {
  it("401 AuthenticationFailed with WWW-Authenticate without a bearer token", async () => {
    const res = await req("GET", "/incidents", undefined, {});
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer authorization_uri=/);
    expectArmError(await json(res), "AuthenticationFailed");
  });

  it("api-version is required", async () => {
    const res = await fetch(`${base}/incidents`, { headers: auth });
    expect(res.status).toBe(400);
    expectArmError(await json(res), "MissingApiVersionParameter");
    const bad = await fetch(`${base}/incidents?api-version=2019-01-01`, { headers: auth });
    expect(bad.status).toBe(400);
    expectArmError(await json(bad), "NoRegisteredProviderFound");
    expect((await fetch(`${base}/incidents?api-version=2025-07-01-preview`, { headers: auth })).status).toBe(
      200,
    );
  });

  it("404 for unknown subscription, resource group and workspace", async () => {
    const cases: [Parameters<typeof workspaceBase>[1], string][] = [
      [{ ...srv, subscriptionId: "00000000-0000-0000-0000-000000000000" }, "SubscriptionNotFound"],
      [{ ...srv, resourceGroupName: "otherRg" }, "ResourceGroupNotFound"],
      [{ ...srv, workspaceName: "otherWs" }, "ResourceNotFound"],
    ];
    for (const [coords, code] of cases) {
      const res = await fetch(`${workspaceBase(srv.sentinelEndpoint, coords)}/incidents?${API}`, {
        headers: auth,
      });
      expect(res.status).toBe(404);
      expectArmError(await json(res), code);
    }
  });

  it("sends x-ms-request-id and remaining-reads/-writes headers that count down", async () => {
    const a = await req("GET", "/incidents?$top=1");
    const b = await req("GET", "/incidents?$top=1");
    expect(a.headers.get("x-ms-request-id")).toMatch(GUID);
    const ra = Number(a.headers.get("x-ms-ratelimit-remaining-subscription-reads"));
    const rb = Number(b.headers.get("x-ms-ratelimit-remaining-subscription-reads"));
    expect(ra).toBeLessThanOrEqual(249);
    expect(rb).toBe(ra - 1);
    const w = await req("PUT", `/incidents/${NAME}`, minimal);
    expect(Number(w.headers.get("x-ms-ratelimit-remaining-subscription-writes"))).toBe(199);
  });
});

describe("ARM: incident PUT", () => {
  it("creates (201) with server-assigned fields, updates (200) with a new etag", async () => {
    const [analyst] = emu.users();
    const before = emu.sentinel.listIncidents().length;
    const res = await req("PUT", `/incidents/${NAME}`, {
      properties: {
        title: "Hello ünïcödé",
        severity: "high",
        status: "Active",
        owner: { objectId: analyst!.objectId },
        labels: [{ labelName: "x" }, { labelName: "y", labelType: "AutoAssigned" }],
        providerName: "ignored",
        incidentNumber: 99999,
      },
    });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(Object.keys(created)).toEqual(["id", "name", "type", "etag", "properties"]);
    expect(created.etag).toMatch(/^"[0-9a-f-]{36}"$/);
    expect(created.id).toBe(
      `/subscriptions/${srv.subscriptionId}/resourceGroups/${srv.resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/${srv.workspaceName}/providers/Microsoft.SecurityInsights/incidents/${NAME}`,
    );
    const p = created.properties;
    expect(p.severity).toBe("High");
    expect(p.incidentNumber).toBe(before + 1);
    expect(p.providerName).toBe("Azure Sentinel");
    expect(p.providerIncidentId).toBe(String(p.incidentNumber));
    expect(p.incidentUrl).toBe(
      `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${created.id}`,
    );
    expect(p.createdTimeUtc).toMatch(SEVEN_DIGITS);
    expect(p.lastModifiedTimeUtc).toBe(p.createdTimeUtc);
    expect(p.labels).toEqual([
      { labelName: "x", labelType: "User" },
      { labelName: "y", labelType: "User" },
    ]);
    expect(p.owner).toEqual({
      objectId: analyst!.objectId,
      email: analyst!.email,
      assignedTo: analyst!.displayName,
      userPrincipalName: analyst!.userPrincipalName,
      ownerType: "User",
    });
    expect(p.additionalData).toMatchObject({
      alertsCount: 0,
      bookmarksCount: 0,
      commentsCount: 0,
      alertProductNames: [],
      tactics: [],
    });
    expect(p.relatedAnalyticRuleIds).toEqual([]);

    clock.advance(10);
    const second = await req("PUT", `/incidents/${crypto.randomUUID()}`, minimal);
    expect((await json(second)).properties.incidentNumber).toBe(before + 2);

    clock.advance(10);
    const upd = await req("PUT", `/incidents/${NAME}`, {
      etag: created.etag,
      properties: {
        ...minimal.properties,
        owner: { userPrincipalName: analyst!.userPrincipalName.toUpperCase() },
      },
    });
    expect(upd.status).toBe(200);
    const updated = await json(upd);
    expect(updated.etag).not.toBe(created.etag);
    expect(updated.properties.incidentNumber).toBe(p.incidentNumber);
    expect(updated.properties.createdTimeUtc).toBe(p.createdTimeUtc);
    expect(updated.properties.lastModifiedTimeUtc > p.lastModifiedTimeUtc).toBe(true);
    expect(updated.properties.owner.objectId).toBe(analyst!.objectId);
    // full PUT: labels not sent are gone
    expect(updated.properties.labels).toEqual([]);
    expect((await json(await req("GET", `/incidents/${NAME}`))).etag).toBe(updated.etag);
  });

  it("a stale etag → 409 Conflict with the real message; the current one → 200", async () => {
    const created = await json(await req("PUT", `/incidents/${NAME}`, minimal));
    await req("PUT", `/incidents/${NAME}`, { etag: created.etag, ...minimal });
    const res = await req("PUT", `/incidents/${NAME}`, { etag: created.etag, ...minimal });
    expect(res.status).toBe(409);
    expect(await json(res)).toEqual({
      error: { code: "Conflict", message: `Newer version of resource '${NAME}' exists. Data was not saved` },
    });
    const current = emu.sentinel.getIncident(NAME)!.etag;
    expect((await req("PUT", `/incidents/${NAME}`, { etag: current, ...minimal })).status).toBe(200);
  });

  it("validates like the service: required fields, closing rules, BenignPositive reason, description length", async () => {
    const cases: [unknown, RegExp][] = [
      [{ properties: { severity: "High", status: "New" } }, /title/],
      [{ properties: { title: "t", status: "New" } }, /severity/],
      [{ properties: { title: "t", severity: "High" } }, /status/],
      [{ properties: { title: "t", severity: "Critical", status: "New" } }, /severity/],
      [{ properties: { title: "t", severity: "High", status: "Closed" } }, /classification/],
      [
        { properties: { title: "t", severity: "High", status: "New", description: "x".repeat(5001) } },
        /5000/,
      ],
      [{ properties: { title: "t", severity: "High", status: "New", owner: { objectId: "nope" } } }, /GUID/],
      [{ nope: true }, /properties/],
    ];
    for (const [body, message] of cases) {
      const res = await req("PUT", `/incidents/${NAME}`, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const err = await json(res);
      expectArmError(err, "BadRequest");
      expect(err.error.message).toMatch(message);
    }
    const benign = await req("PUT", `/incidents/${NAME}`, {
      properties: { title: "t", severity: "High", status: "Closed", classification: "BenignPositive" },
    });
    expect(benign.status).toBe(400);
    expect((await json(benign)).error.message).toBe(
      "classification 'BenignPositive' must have classificationReason.",
    );
    const ok = await req("PUT", `/incidents/${NAME}`, {
      properties: {
        title: "t",
        severity: "High",
        status: "Closed",
        classification: "BenignPositive",
        classificationReason: "SuspiciousButExpected",
      },
    });
    expect(ok.status).toBe(201);
    const broken = await fetch(`${base}/incidents/${NAME}?${API}`, {
      method: "PUT",
      headers: auth,
      body: "{not json",
    });
    expect(broken.status).toBe(400);
    expectArmError(await json(broken), "InvalidRequestContent");
  });

  it("DELETE answers 200, then 204; GET of a missing incident is 404 NotFound", async () => {
    await req("PUT", `/incidents/${NAME}`, minimal);
    expect((await req("DELETE", `/incidents/${NAME}`)).status).toBe(200);
    expect((await req("DELETE", `/incidents/${NAME}`)).status).toBe(204);
    const res = await req("GET", `/incidents/${NAME}`);
    expect(res.status).toBe(404);
    expectArmError(await json(res), "NotFound");
  });
});

describe("ARM: list, filter, paging", () => {
  it("pages with nextLink/$skipToken over every incident; $top ≤ 1000", async () => {
    const total = emu.sentinel.listIncidents().length;
    expect(total).toBeGreaterThan(20);
    const names: string[] = [];
    let url: string | undefined =
      `${base}/incidents?${API}&$top=4&$orderby=properties/lastModifiedTimeUtc asc`;
    const stamps: string[] = [];
    while (url) {
      expect(url).toContain("api-version=2025-09-01");
      const body = await json(await fetch(url, { headers: auth }));
      for (const i of body.value) {
        names.push(i.name);
        stamps.push(i.properties.lastModifiedTimeUtc);
      }
      url = body.nextLink;
      if (url) expect(new URL(url).searchParams.get("$skipToken")).toBeTruthy();
    }
    expect(names.length).toBe(total);
    expect(new Set(names).size).toBe(total);
    expect([...stamps].sort()).toEqual(stamps);
    expect((await req("GET", "/incidents?$top=1001")).status).toBe(400);
    expect((await req("GET", "/incidents?$skipToken=garbage")).status).toBe(400);
  });

  it("filters on lastModifiedTimeUtc, providerName, status; Undetermined is broken as in the real service", async () => {
    const all = emu.sentinel.listIncidents();
    const pivot = all.map((i) => i.properties.lastModifiedTimeUtc).sort()[10]!;
    const count = async (filter: string) => {
      const body = await json(await req("GET", `/incidents?$top=1000&$filter=${encodeURIComponent(filter)}`));
      return body.value.length as number;
    };
    expect(await count(`properties/lastModifiedTimeUtc ge ${pivot}`)).toBe(
      all.filter((i) => i.properties.lastModifiedTimeUtc >= pivot).length,
    );
    expect(await count("properties/providerName eq 'Microsoft XDR'")).toBe(
      all.filter((i) => i.properties.providerName === "Microsoft XDR").length,
    );
    expect(await count("properties/providerName eq 'Azure Sentinel' and properties/status eq 'Closed'")).toBe(
      all.filter((i) => i.properties.providerName === "Azure Sentinel" && i.properties.status === "Closed")
        .length,
    );
    expect(all.some((i) => i.properties.classification === "Undetermined")).toBe(true);
    expect(await count("properties/classification eq 'Undetermined'")).toBe(0);
    expect(
      (await req("GET", `/incidents?$filter=${encodeURIComponent("startswith(properties/title,'x')")}`))
        .status,
    ).toBe(400);
  });
});

describe("ARM: comments, alerts, entities", () => {
  it("comment PUT creates (201) then edits (200); limits are 30,000 chars and 100 comments", async () => {
    await req("PUT", `/incidents/${NAME}`, minimal);
    const cid = "4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014";
    const res = await req("PUT", `/incidents/${NAME}/comments/${cid}`, {
      properties: { message: "Some message" },
    });
    expect(res.status).toBe(201);
    const c = await json(res);
    expect(c.etag).toMatch(GUID); // comment etags are not quoted
    expect(c.properties.author.name).toBeTruthy();
    expect(Object.keys(c.properties).sort()).toEqual([
      "author",
      "createdTimeUtc",
      "lastModifiedTimeUtc",
      "message",
    ]);
    const edit = await req("PUT", `/incidents/${NAME}/comments/${cid}`, {
      properties: { message: "Edited" },
    });
    expect(edit.status).toBe(200);
    expect((await json(edit)).properties.createdTimeUtc).toBe(c.properties.createdTimeUtc);
    expect(emu.sentinel.getIncident(NAME)!.properties.additionalData.commentsCount).toBe(1);

    expect(
      (
        await req("PUT", `/incidents/${NAME}/comments/${crypto.randomUUID()}`, {
          properties: { message: "x".repeat(30_000) },
        })
      ).status,
    ).toBe(201);
    const long = await req("PUT", `/incidents/${NAME}/comments/${crypto.randomUUID()}`, {
      properties: { message: "x".repeat(30_001) },
    });
    expect(long.status).toBe(400);
    expectArmError(await json(long), "BadRequest");
    for (let i = 0; i < 98; i++) emu.sentinel.addComment(NAME, `c${i}`);
    const full = await req("PUT", `/incidents/${NAME}/comments/${crypto.randomUUID()}`, {
      properties: { message: "101st" },
    });
    expect(full.status).toBe(400);
    expect((await json(full)).error.message).toMatch(/100/);
    // editing still works at the limit
    expect(
      (await req("PUT", `/incidents/${NAME}/comments/${cid}`, { properties: { message: "again" } })).status,
    ).toBe(200);

    const page1 = await json(await req("GET", `/incidents/${NAME}/comments?$top=30`));
    expect(page1.value.length).toBe(30);
    expect(page1.nextLink).toContain("$skipToken=");
    expect(
      (
        await json(
          await req("DELETE", `/incidents/${NAME}/comments/${cid}`).then(() =>
            req("GET", `/incidents/${NAME}`),
          ),
        )
      ).properties.additionalData.commentsCount,
    ).toBe(99);
  });

  it("POST alerts and entities answer unpaged lists", async () => {
    const copy = emu.sentinel
      .listIncidents()
      .find(
        (i) => i.properties.providerName !== "Azure Sentinel" && i.properties.additionalData.alertsCount > 0,
      )!;
    const alerts = await json(await req("POST", `/incidents/${copy.name}/alerts`));
    expect(Object.keys(alerts)).toEqual(["value"]);
    expect(alerts.value.length).toBe(copy.properties.additionalData.alertsCount);
    expect(alerts.value[0].kind).toBe("SecurityAlert");
    const entities = await json(await req("POST", `/incidents/${copy.name}/entities`));
    expect(Object.keys(entities).sort()).toEqual(["entities", "metaData"]);
    expect(entities.entities.length).toBeGreaterThan(0);
    expect(entities.metaData.reduce((s: number, m: any) => s + m.count, 0)).toBe(entities.entities.length);
    expect((await req("GET", `/incidents/${copy.name}/alerts`)).status).toBe(405);
  });
});
