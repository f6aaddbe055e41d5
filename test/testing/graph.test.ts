import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEmulator, type EmulatorServer } from "../../src/testing/index";
import { bearer, FIXED_START, GUID, json, manualClock, SEVEN_DIGITS } from "./helpers";

const clock = manualClock(FIXED_START);
const emu = createEmulator({ seed: 7, incidents: 120, now: clock.now, throttling: false });
let srv: EmulatorServer;
let base: string;
const auth = bearer(emu.tenantId);
const PREFER = { prefer: "include-unknown-enum-members" };

beforeAll(async () => {
  srv = await emu.listen();
  base = srv.defenderEndpoint;
});
afterAll(() => srv.close());
beforeEach(() => {
  emu.reset();
  clock.advance(1000);
});

async function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, { headers: { ...auth, ...headers } });
}
async function send(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method,
    headers: { ...auth, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}
function expectGraphError(body: any, code: string) {
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(Object.keys(body.error.innerError).sort()).toEqual(["client-request-id", "date", "request-id"]);
  expect(body.error.innerError["request-id"]).toMatch(GUID);
  expect(body.error.innerError.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
}

describe("Graph: authentication and errors", () => {
  it("401 with WWW-Authenticate when there is no bearer token", async () => {
    const res = await fetch(`${base}/security/incidents`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expectGraphError(await json(res), "InvalidAuthenticationToken");
  });

  it("401 for a token of an unknown tenant; other tokens go to the default tenant", async () => {
    expect((await get("/security/incidents", { authorization: "Bearer emulator-token:nope" })).status).toBe(
      401,
    );
    expect((await get("/security/incidents?$top=1", { authorization: "Bearer opaque-token" })).status).toBe(
      200,
    );
  });

  it("sends request-id and echoes client-request-id", async () => {
    const res = await get("/security/incidents/does-not-exist", { "client-request-id": "abc-123" });
    expect(res.status).toBe(404);
    expect(res.headers.get("request-id")).toMatch(GUID);
    expect(res.headers.get("client-request-id")).toBe("abc-123");
    const body = await json(res);
    expectGraphError(body, "NotFound");
    expect(body.error.innerError["client-request-id"]).toBe("abc-123");
    expect(body.error.innerError["request-id"]).toBe(res.headers.get("request-id"));
  });
});

describe("Graph: list limits and paging", () => {
  it("$top above 50 → 400 with the real message", async () => {
    const res = await get("/security/incidents?$top=100");
    expect(res.status).toBe(400);
    const body = await json(res);
    expectGraphError(body, "BadRequest");
    expect(body.error.message).toBe(
      "The limit of '50' for Top query has been exceeded. The value from the incoming request is '100'.",
    );
    expect((await get("/security/incidents?$top=50")).status).toBe(200);
  });

  it("$skip above 500 → 400", async () => {
    expect((await get("/security/incidents?$skip=500")).status).toBe(200);
    const res = await get("/security/incidents?$skip=501");
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toContain("'500'");
  });

  it("unsupported query options → 400", async () => {
    expect((await get("/security/incidents?$search=foo")).status).toBe(400);
    expect((await get("/security/incidents?$expand=comments")).status).toBe(400);
    expect((await get("/security/alerts_v2?$expand=evidence")).status).toBe(400);
  });

  it("follows @odata.nextLink over every incident exactly once, newest first by default", async () => {
    const ids: string[] = [];
    const created: string[] = [];
    let url: string | undefined = `${base}/security/incidents?$top=7`;
    let pages = 0;
    while (url) {
      expect(new URL(url).origin).toBe(srv.url);
      const body = await json(await fetch(url, { headers: auth }));
      for (const i of body.value) {
        ids.push(i.id);
        created.push(i.createdDateTime);
      }
      url = body["@odata.nextLink"];
      pages++;
    }
    expect(pages).toBe(Math.ceil(120 / 7));
    expect(new Set(ids).size).toBe(120);
    expect([...created].sort().reverse()).toEqual(created);
  });

  it("$count=true adds @odata.count; envelope is value (+ nextLink)", async () => {
    const body = await json(await get("/security/incidents?$count=true&$top=5"));
    expect(body["@odata.count"]).toBe(120);
    expect(Object.keys(body).sort()).toEqual(["@odata.count", "@odata.nextLink", "value"]);
    const all = await json(await get("/security/incidents?$filter=status eq 'redirected'"));
    expect(Object.keys(all)).toEqual(["value"]);
  });

  it("$expand=alerts includes alerts, otherwise none", async () => {
    const plain = await json(await get("/security/incidents?$top=3"));
    expect(plain.value.every((i: any) => !("alerts" in i))).toBe(true);
    const expanded = await json(await get("/security/incidents?$top=3&$expand=alerts"));
    expect(expanded.value.every((i: any) => Array.isArray(i.alerts))).toBe(true);
    expect(expanded.value.some((i: any) => i.alerts.length > 0)).toBe(true);
  });
});

describe("Graph: $filter and $orderby", () => {
  it("lastUpdateDateTime ge/gt/le/lt with 7-digit literals, and, parentheses, orderby", async () => {
    const all = emu.defender.listIncidents();
    const sorted = all.map((i) => i.lastUpdateDateTime).sort();
    const pivot = sorted[60]!;
    expect(pivot).toMatch(SEVEN_DIGITS);
    const list = async (filter: string) => {
      const out: any[] = [];
      let url: string | undefined =
        `${base}/security/incidents?$filter=${encodeURIComponent(filter)}&$orderby=lastUpdateDateTime asc`;
      while (url) {
        const res = await fetch(url, { headers: auth });
        expect(res.status).toBe(200);
        const body = await json(res);
        out.push(...body.value);
        url = body["@odata.nextLink"];
      }
      return out;
    };
    const ge = await list(`lastUpdateDateTime ge ${pivot}`);
    expect(ge.length).toBe(sorted.filter((t) => t >= pivot).length);
    expect(ge.map((i) => i.lastUpdateDateTime)).toEqual(sorted.filter((t) => t >= pivot));
    const gt = await list(`lastUpdateDateTime gt ${pivot}`);
    expect(gt.length).toBe(ge.length - 1);
    const lt = await list(`lastUpdateDateTime lt ${pivot}`);
    expect(lt.length + ge.length).toBe(120);
    const lo = sorted[10]!;
    const window = await list(
      `(lastUpdateDateTime ge ${lo}) and (lastUpdateDateTime le ${pivot}) and status eq 'active'`,
    );
    const expected = all.filter(
      (i) => i.lastUpdateDateTime >= lo && i.lastUpdateDateTime <= pivot && i.status === "active",
    );
    expect(window.map((i) => i.id).sort()).toEqual(expected.map((i) => i.id).sort());
    expect(window.length).toBeGreaterThan(0);
    // fewer digits and offsets are accepted too
    const coarse = await list(`lastUpdateDateTime ge ${pivot.slice(0, 19)}Z`);
    expect(coarse.length).toBeGreaterThanOrEqual(ge.length);
  });

  it("eq on strings with '' escaping, null, or, ne", async () => {
    const [first] = emu.defender.listIncidents();
    emu.defender.editIncident(first!.id, { assignedTo: "o'brien@contoso.com" });
    const res = await get(
      `/security/incidents?$filter=${encodeURIComponent("assignedTo eq 'o''brien@contoso.com'")}`,
    );
    expect(res.status).toBe(200);
    expect((await json(res)).value.map((i: any) => i.id)).toEqual([first!.id]);
    const unassigned = emu.defender.listIncidents().filter((i) => i.assignedTo === null).length;
    const nulls = await json(
      await get(`/security/incidents?$count=true&$top=1&$filter=${encodeURIComponent("assignedTo eq null")}`),
    );
    expect(nulls["@odata.count"]).toBe(unassigned);
    const either = await json(
      await get(
        `/security/incidents?$count=true&$top=1&$filter=${encodeURIComponent("status eq 'resolved' or status eq 'redirected'")}`,
      ),
    );
    expect(either["@odata.count"]).toBe(
      emu.defender.listIncidents().filter((i) => ["resolved", "redirected"].includes(i.status)).length,
    );
  });

  it("unsupported filters → 400", async () => {
    for (const filter of [
      "contains(displayName,'x')",
      "displayName eq 'x'",
      "nope eq 'x'",
      "lastUpdateDateTime ge '2025-01-01T00:00:00Z'",
      "lastUpdateDateTime ge 2025-01-01T00:00:00.123456789Z",
      "customTags/any(t: t eq 'x')",
      "status eq",
      "(status eq 'active'",
    ]) {
      const res = await get(`/security/incidents?$filter=${encodeURIComponent(filter)}`);
      expect(res.status, filter).toBe(400);
      expectGraphError(await json(res), "BadRequest");
    }
    expect((await get("/security/incidents?$orderby=displayName")).status).toBe(400);
    expect(
      (await get(`/security/alerts_v2?$filter=${encodeURIComponent("investigationState eq 'running'")}`))
        .status,
    ).toBe(400);
  });
});

describe("Graph: PATCH, comments, enums", () => {
  it("PATCH accepts the writable fields, bumps lastUpdateDateTime, sets lastModifiedBy", async () => {
    const target = emu.defender.listIncidents().find((i) => i.status === "active")!;
    clock.advance(5000);
    const res = await send("PATCH", `/security/incidents/${target.id}`, {
      status: "Resolved",
      assignedTo: "kaic@contoso.onmicrosoft.com",
      classification: "TruePositive",
      determination: "malware",
      customTags: ["a", "b"],
      description: "d",
      displayName: "n",
      severity: "high",
      resolvingComment: "done",
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.status).toBe("resolved");
    expect(body.classification).toBe("truePositive");
    expect(body.customTags).toEqual(["a", "b"]);
    expect(body.lastUpdateDateTime).toMatch(SEVEN_DIGITS);
    expect(body.lastUpdateDateTime > target.lastUpdateDateTime).toBe(true);
    expect(body.lastModifiedBy).toMatch(/^API-App:/);
    expect(body.alerts).toBeUndefined();
    const stored = emu.defender.getIncident(target.id)!;
    expect(stored.alerts.every((a) => a.status === "resolved")).toBe(true);
  });

  it("PATCH of read-only or unknown fields, bad enums or awaitingAction → 400", async () => {
    const id = emu.defender.listIncidents()[0]!.id;
    for (const body of [
      { id: "1" },
      { comments: [] },
      { systemTags: ["x"] },
      { lastUpdateDateTime: "2025-01-01T00:00:00Z" },
      { foo: 1 },
      { status: "closed" },
      { status: "awaitingAction" },
      { severity: "critical" },
      { customTags: "x" },
    ]) {
      const res = await send("PATCH", `/security/incidents/${id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expectGraphError(await json(res), "BadRequest");
    }
    expect((await send("PATCH", "/security/incidents/999999", { status: "active" })).status).toBe(404);
  });

  it("a PATCH that changes nothing does not bump lastUpdateDateTime", async () => {
    const i = emu.defender.listIncidents()[3]!;
    const body = await json(await send("PATCH", `/security/incidents/${i.id}`, { severity: i.severity }));
    expect(body.lastUpdateDateTime).toBe(i.lastUpdateDateTime);
  });

  it("comments are append-only; POST answers 200 with the whole list", async () => {
    const i = emu.defender.listIncidents().find((x) => x.comments.length >= 1)!;
    const res = await send("POST", `/security/incidents/${i.id}/comments`, {
      "@odata.type": "microsoft.graph.security.alertComment",
      comment: "Hallo Welt – ünïcödé 🚀",
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(Object.keys(body)).toEqual(["@odata.context", "value"]);
    expect(body.value.length).toBe(i.comments.length + 1);
    expect(body.value.slice(0, -1)).toEqual(i.comments);
    const last = body.value.at(-1);
    expect(Object.keys(last).sort()).toEqual(["comment", "createdByDisplayName", "createdDateTime"]);
    expect(last.comment).toBe("Hallo Welt – ünïcödé 🚀");
    expect(emu.defender.getIncident(i.id)!.lastUpdateDateTime).toBe(last.createdDateTime);
    expect((await send("POST", `/security/incidents/${i.id}/comments`, { comment: "" })).status).toBe(400);
    // No endpoint edits or deletes comments.
    expect((await send("PATCH", `/security/incidents/${i.id}/comments`, { comment: "x" })).status).toBe(405);
  });

  it("hides enum members after unknownFutureValue unless Prefer: include-unknown-enum-members", async () => {
    const i = emu.defender.listIncidents().find((x) => x.status === "active")!;
    emu.defender.editIncident(i.id, { status: "awaitingAction" });
    const hidden = await json(await get(`/security/incidents/${i.id}`));
    expect(hidden.status).toBe("unknownFutureValue");
    const res = await get(`/security/incidents/${i.id}`, PREFER);
    expect(res.headers.get("preference-applied")).toBe("include-unknown-enum-members");
    expect((await json(res)).status).toBe("awaitingAction");

    const withLater = emu.defender
      .listIncidents()
      .find((x) =>
        x.alerts.some((a) =>
          ["microsoftDefenderForCloud", "microsoftSentinel", "microsoftInsiderRiskManagement"].includes(
            a.serviceSource,
          ),
        ),
      )!;
    const plain = await json(await get(`/security/incidents/${withLater.id}?$expand=alerts`));
    const prefer = await json(await get(`/security/incidents/${withLater.id}?$expand=alerts`, PREFER));
    const later = prefer.alerts.findIndex((a: any) =>
      ["microsoftDefenderForCloud", "microsoftSentinel", "microsoftInsiderRiskManagement"].includes(
        a.serviceSource,
      ),
    );
    expect(plain.alerts[later].serviceSource).toBe("unknownFutureValue");
    const laterDetections = new Set([
      "microsoftDefenderForServers",
      "microsoftDefenderForStorage",
      "microsoftDefenderForKeyVault",
      "microsoftDefenderForResourceManager",
      "scheduledAlerts",
      "nrtAlerts",
      "microsoftInsiderRiskManagement",
    ]);
    expect(laterDetections.has(prefer.alerts[later].detectionSource)).toBe(true);
    expect(plain.alerts[later].detectionSource).toBe("unknownFutureValue");
  });
});

describe("Graph: alerts_v2", () => {
  it("lists, filters by incidentId and serviceSource, gets one, caps $top at 1000", async () => {
    const i = emu.defender.listIncidents().find((x) => x.alerts.length >= 2)!;
    const body = await json(
      await get(`/security/alerts_v2?$filter=${encodeURIComponent(`incidentId eq '${i.id}'`)}`, PREFER),
    );
    expect(body.value.map((a: any) => a.id).sort()).toEqual(i.alerts.map((a) => a.id).sort());
    const one = await json(await get(`/security/alerts_v2/${i.alerts[0]!.id}`, PREFER));
    expect(one).toEqual(i.alerts[0]);
    const mde = await json(
      await get(
        `/security/alerts_v2?$top=1000&$filter=${encodeURIComponent("serviceSource eq 'microsoftDefenderForEndpoint'")}`,
      ),
    );
    expect(mde.value.length).toBeGreaterThan(0);
    expect(mde.value.every((a: any) => a.serviceSource === "microsoftDefenderForEndpoint")).toBe(true);
    expect((await get("/security/alerts_v2?$top=1001")).status).toBe(400);
  });
});

describe("Graph: summary is writable", () => {
  it("PATCH summary is stored and returned", async () => {
    const i = emu.defender.listIncidents()[0]!;
    const res = await send("PATCH", `/security/incidents/${i.id}`, { summary: "Two hosts, one phish." });
    expect(res.status).toBe(200);
    expect((await json(res)).summary).toBe("Two hosts, one phish.");
    expect(emu.defender.getIncident(i.id)?.summary).toBe("Two hosts, one phish.");
  });
});

describe("Graph: refusal switches (emu.refuse)", () => {
  const list = (query: string) => get(`/security/incidents?${query}`);
  const alertFilter = (id: string) =>
    get(`/security/alerts_v2?$filter=${encodeURIComponent(`incidentId eq '${id}'`)}`);

  it("orderby: $orderby on the incident list answers 400; without it the list works", async () => {
    emu.refuse({ defender: { orderby: true } });
    const refused = await list("$orderby=lastUpdateDateTime%20asc&$top=5");
    expect(refused.status).toBe(400);
    const body = await json(refused);
    expectGraphError(body, "BadRequest");
    expect(body.error.message).toContain("'orderby' is not allowed");
    expect((await list("$top=5")).status).toBe(200);
  });

  it("alertsFilterByIncidentId: only filters naming incidentId answer 400", async () => {
    const i = emu.defender.listIncidents()[0]!;
    emu.refuse({ defender: { alertsFilterByIncidentId: true } });
    const refused = await alertFilter(i.id);
    expect(refused.status).toBe(400);
    expect((await json(refused)).error.message).toContain("Could not find a property named 'incidentId'");
    const bySource = await get(
      `/security/alerts_v2?$filter=${encodeURIComponent("serviceSource eq 'microsoftDefenderForEndpoint'")}`,
    );
    expect(bySource.status).toBe(200);
  });

  it("statusInProgress: a PATCH with inProgress answers 400 and changes nothing; active works", async () => {
    const i = emu.defender.listIncidents().find((x) => x.status === "active")!;
    emu.refuse({ defender: { statusInProgress: true } });
    const refused = await send("PATCH", `/security/incidents/${i.id}`, {
      status: "inProgress",
      severity: "low",
    });
    expect(refused.status).toBe(400);
    expectGraphError(await json(refused), "BadRequest");
    expect(emu.defender.getIncident(i.id)).toMatchObject({ status: "active", severity: i.severity });
    expect((await send("PATCH", `/security/incidents/${i.id}`, { status: "resolved" })).status).toBe(200);
  });

  it("expandAlerts / expandAlertsOnGet: $expand=alerts answers the given 5xx, plain reads work", async () => {
    const id = emu.defender.listIncidents()[0]!.id;
    emu.refuse({ defender: { expandAlerts: 500, expandAlertsOnGet: 503 } });
    const listed = await list("$expand=alerts&$top=5");
    expect(listed.status).toBe(500);
    expectGraphError(await json(listed), "InternalServerError");
    expect((await get(`/security/incidents/${id}?$expand=alerts`)).status).toBe(503);
    expect((await list("$top=5")).status).toBe(200);
    expect((await get(`/security/incidents/${id}`)).status).toBe(200);
  });

  it("refuse({}) lifts every refusal; reset() goes back to the refuse option; bad statuses are refused", async () => {
    const i = emu.defender.listIncidents()[0]!;
    emu.refuse({ defender: { orderby: true, alertsFilterByIncidentId: true } });
    emu.refuse({});
    expect((await list("$orderby=lastUpdateDateTime%20asc&$top=5")).status).toBe(200);
    expect((await alertFilter(i.id)).status).toBe(200);
    emu.refuse({ defender: { orderby: true } });
    emu.reset();
    expect((await list("$orderby=lastUpdateDateTime%20asc&$top=5")).status).toBe(200);
    expect(() => emu.refuse({ defender: { expandAlerts: 404 } })).toThrow(RangeError);

    const strict = createEmulator({ seed: 1, incidents: 3, refuse: { defender: { orderby: true } } });
    const res = await strict.handle(
      new Request("https://graph.microsoft.com/v1.0/security/incidents?$orderby=createdDateTime", {
        headers: bearer(strict.tenantId),
      }),
    );
    expect(res.status).toBe(400);
    strict.reset();
    const again = await strict.handle(
      new Request("https://graph.microsoft.com/v1.0/security/incidents?$orderby=createdDateTime", {
        headers: bearer(strict.tenantId),
      }),
    );
    expect(again.status).toBe(400);
  });
});
