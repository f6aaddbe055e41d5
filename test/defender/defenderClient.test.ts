import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { delay, HttpResponse, http, type JsonBodyType } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type HttpResponseError,
  isAbortError,
  isAuthenticationError,
  isAuthorizationError,
  isConflictError,
  isInvalidArgumentError,
  isNotFoundError,
  isResponseValidationError,
  isUntrustedHostError,
  type ResponseValidationError,
} from "../../src/core/errors";
import {
  DefenderClient,
  type DefenderClientOptions,
  MAX_INCIDENT_PAGE_SIZE,
} from "../../src/defender/defenderClient";
import { type DefenderIncident, defenderIncidentPatchSchema } from "../../src/defender/models";
import { fakeCredential, TEST_TOKEN } from "../helpers/credential";
import { FIXTURES_ROOT, readJson, readJsonc } from "../helpers/fixtures";
import { GRAPH_BASE, type RecordedRequest, server, useMswServer } from "../helpers/msw";

const recorder = useMswServer();
afterEach(() => {
  vi.useRealTimers();
});

const FAST: DefenderClientOptions = { rateLimit: false, retryOptions: { retryDelayInMs: 1, maxRetries: 2 } };
const newClient = (options: DefenderClientOptions = {}) =>
  new DefenderClient(fakeCredential(), { ...FAST, ...options });

const INCIDENTS = `${GRAPH_BASE}/security/incidents`;
const ALERTS = `${GRAPH_BASE}/security/alerts_v2`;
const EVIL = "evil.example.com";

const listIncidentsExample = readJson<{ value: Record<string, unknown>[] }>(
  "graph/examples/security-list-incidents.1.response.json",
);
const listIncidentsWithAlertsExample = readJsonc<{ value: Record<string, unknown>[] }>(
  "graph/examples/security-list-incidents.2.response.jsonc",
);
const getIncidentExample = readJson<Record<string, unknown>>(
  "graph/examples/security-incident-get.1.response.json",
);
const updateIncidentExample = readJson<Record<string, unknown>>(
  "graph/examples/security-incident-update.1.response.json",
);
const commentsExample = readJson<{ value: JsonBodyType[] }>(
  "graph/examples/security-incident-post-comments.1.response.json",
);
const listAlertsExample = readJson<{ value: Record<string, unknown>[] }>(
  "graph/examples/security-list-alerts_v2.1.response.json",
);
const getAlertExample = readJson<Record<string, unknown>>(
  "graph/examples/security-alert-get.1.response.json",
);

/** A Graph doc request block: `METHOD URL`, headers, blank line, JSON body. */
function readRequestExample(name: string): { method: string; url: string; body: unknown } {
  const text = readFileSync(join(FIXTURES_ROOT, "graph/examples", name), "utf8").replace(/\r\n/g, "\n");
  const [head = "", ...rest] = text.split("\n\n");
  const [method = "", url = ""] = (head.split("\n")[0] ?? "").split(" ");
  return { method, url, body: JSON.parse(rest.join("\n\n")) };
}

async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) out.push(item);
  return out;
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

function incident(id: string, lastUpdateDateTime: string, extra: Record<string, unknown> = {}) {
  return {
    "@odata.type": "#microsoft.graph.security.incident",
    id,
    lastUpdateDateTime,
    status: "active",
    ...extra,
  };
}

// -------------------------------------------------------------------------------------------------------------
// Every method against the same failure modes

interface MethodCase {
  name: string;
  method: "get" | "post" | "patch";
  url: string;
  ok: () => JsonBodyType;
  call: (client: DefenderClient) => Promise<unknown>;
  check: (result: unknown) => void;
  /** What a 404 gives: `undefined` for gets, a NotFoundError otherwise. */
  notFound: "undefined" | "error";
  /** A 200 body that fails the schema, and the issue path it must name. */
  badBody: JsonBodyType;
  badPath: string;
}

const methods: MethodCase[] = [
  {
    name: "listIncidents",
    method: "get",
    url: INCIDENTS,
    ok: () => listIncidentsExample,
    call: (c) => collect(c.listIncidents()),
    check: (r) => expect((r as DefenderIncident[]).map((i) => i.id)).toEqual(["2972395"]),
    notFound: "error",
    badBody: { value: [{ id: 2972395 }] },
    badPath: "value.0.id",
  },
  {
    name: "countIncidents",
    method: "get",
    url: INCIDENTS,
    ok: () => ({ "@odata.count": 120, value: [] }),
    call: (c) => c.countIncidents(),
    check: (r) => expect(r).toBe(120),
    notFound: "error",
    badBody: { "@odata.count": "many", value: [] },
    badPath: "@odata.count",
  },
  {
    name: "getIncident",
    method: "get",
    url: `${INCIDENTS}/2972395`,
    ok: () => getIncidentExample,
    call: (c) => c.getIncident("2972395"),
    check: (r) =>
      expect(r).toMatchObject({ id: "2972395", classification: "truePositive", status: "active" }),
    notFound: "undefined",
    badBody: { ...getIncidentExample, id: 2972395 },
    badPath: "id",
  },
  {
    name: "updateIncident",
    method: "patch",
    url: `${INCIDENTS}/2972395`,
    ok: () => updateIncidentExample,
    call: (c) => c.updateIncident("2972395", { status: "resolved", classification: "truePositive" }),
    check: (r) => expect(r).toMatchObject({ id: "2972395", determination: "multiStagedAttack" }),
    notFound: "error",
    badBody: { ...updateIncidentExample, customTags: "Demo" },
    badPath: "customTags",
  },
  {
    name: "addIncidentComment",
    method: "post",
    url: `${INCIDENTS}/3962396/comments`,
    ok: () => commentsExample,
    call: (c) => c.addIncidentComment("3962396", "Demo for docs"),
    check: (r) =>
      expect((r as { comment: string }[]).map((x) => x.comment)).toEqual(["test", "Demo for docs"]),
    notFound: "error",
    badBody: { value: [{ comment: 42 }] },
    badPath: "value.0.comment",
  },
  {
    name: "listAlerts",
    method: "get",
    url: ALERTS,
    ok: () => listAlertsExample,
    call: (c) => collect(c.listAlerts()),
    check: (r) =>
      expect((r as { id: string }[]).map((a) => a.id)).toEqual(["da637551227677560813_-961444813"]),
    notFound: "error",
    badBody: { value: [{ ...listAlertsExample.value[0], evidence: "none" }] },
    badPath: "value.0.evidence",
  },
  {
    name: "getAlert",
    method: "get",
    url: `${ALERTS}/da637578995287051192_756343937`,
    ok: () => getAlertExample,
    call: (c) => c.getAlert("da637578995287051192_756343937"),
    check: (r) => expect(r).toMatchObject({ id: "da637578995287051192_756343937", incidentId: "28282" }),
    notFound: "undefined",
    badBody: { ...getAlertExample, id: null },
    badPath: "id",
  },
];

describe.each(methods)("DefenderClient.$name", (m) => {
  const respond = (resolver: Parameters<typeof http.get>[1]) => server.use(http[m.method](m.url, resolver));

  it("succeeds on the official example response", async () => {
    respond(() => HttpResponse.json(m.ok()));
    m.check(await m.call(newClient()));
    expect(recorder.requests).toHaveLength(1);
    expect(recorder.requests[0]?.method).toBe(m.method.toUpperCase());
    expect(recorder.requests[0]?.headers.prefer).toBe("include-unknown-enum-members");
  });

  it("waits out a 429's Retry-After before trying again", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let calls = 0;
    respond(() => {
      calls++;
      return calls === 1
        ? HttpResponse.json(
            { error: { code: "TooManyRequests" } },
            { status: 429, headers: { "Retry-After": "3" } },
          )
        : HttpResponse.json(m.ok());
    });
    const client = newClient();
    const result = m.call(client);
    await vi.advanceTimersByTimeAsync(2_950);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
    m.check(await result);
    expect(client.metrics.snapshot().throttledResponses).toBe(1);
  });

  it.each([
    [401, isAuthenticationError],
    [403, isAuthorizationError],
    [409, isConflictError],
  ] as const)("turns %i into its typed error without retrying", async (status, guard) => {
    respond(() => HttpResponse.json({ error: { code: "Denied", message: `status ${status}` } }, { status }));
    const e = (await caught(m.call(newClient()))) as HttpResponseError;
    expect(guard(e)).toBe(true);
    expect(e.statusCode).toBe(status);
    expect(e.service).toBe("defender");
    expect(recorder.requests).toHaveLength(1);
  });

  it(`answers 404 with ${m.notFound === "undefined" ? "undefined" : "NotFoundError"}`, async () => {
    respond(() => HttpResponse.json({ error: { code: "NotFound", message: "not found" } }, { status: 404 }));
    if (m.notFound === "undefined") {
      await expect(m.call(newClient())).resolves.toBeUndefined();
    } else {
      expect(isNotFoundError(await caught(m.call(newClient())))).toBe(true);
    }
  });

  it("turns a 200 with malformed JSON into ResponseValidationError", async () => {
    respond(() =>
      HttpResponse.text('{"value": [ {"id": "1",', { headers: { "content-type": "application/json" } }),
    );
    const e = (await caught(m.call(newClient()))) as ResponseValidationError;
    expect(isResponseValidationError(e)).toBe(true);
    expect(e.issues[0]?.path).toBe("");
    expect(e.issues[0]?.message).toMatch(/not valid JSON/);
  });

  it("turns a 200 that fails the schema into ResponseValidationError naming the path", async () => {
    respond(() => HttpResponse.json(m.badBody));
    const e = (await caught(m.call(newClient()))) as ResponseValidationError;
    expect(isResponseValidationError(e)).toBe(true);
    expect(e.issues.map((i) => i.path)).toContain(m.badPath);
  });

  it("keeps the token out of the thrown error", async () => {
    respond(() => HttpResponse.json({ error: { code: "InvalidAuthenticationToken" } }, { status: 401 }));
    const e = (await caught(m.call(newClient()))) as HttpResponseError;
    expect(recorder.requests[0]?.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
    expect(JSON.stringify(e)).not.toContain(TEST_TOKEN);
    expect(e.message).not.toContain(TEST_TOKEN);
    expect(String(e.request)).not.toContain(TEST_TOKEN);
    expect(JSON.stringify(e.request)).not.toContain(TEST_TOKEN);
    expect(e.request.headers.Authorization ?? e.request.headers.authorization).toBe("REDACTED");
    expect(inspect(e, { depth: 8 })).not.toContain(TEST_TOKEN);
  });
});

// -------------------------------------------------------------------------------------------------------------
// Bad input from callers

describe("DefenderClient input validation", () => {
  const badIds = ["", "12/34", "12?$expand=alerts", "..", "../alerts_v2/1", "12 34", "%2e%2e"];
  const calls: [string, (c: DefenderClient, id: string) => Promise<unknown>][] = [
    ["getIncident", (c, id) => c.getIncident(id)],
    ["updateIncident", (c, id) => c.updateIncident(id, { status: "active" })],
    ["addIncidentComment", (c, id) => c.addIncidentComment(id, "hello")],
    ["getAlert", (c, id) => c.getAlert(id)],
  ];

  it.each(calls)("%s refuses odd ids with InvalidArgumentError and sends nothing", async (_name, call) => {
    const client = newClient();
    for (const id of [...badIds, undefined as unknown as string, 42 as unknown as string]) {
      const e = await caught(call(client, id));
      expect(isInvalidArgumentError(e), `id ${JSON.stringify(id)}`).toBe(true);
    }
    expect(recorder.requests).toHaveLength(0);
  });

  it.each([0, 51, 1.5, -1, Number.NaN])("listIncidents refuses pageSize %s", (pageSize) => {
    let error: unknown;
    try {
      newClient().listIncidents({ pageSize });
    } catch (e) {
      error = e;
    }
    expect(isInvalidArgumentError(error)).toBe(true);
    expect(recorder.requests).toHaveLength(0);
  });

  it("listAlerts refuses a non-positive pageSize", () => {
    expect(() => newClient().listAlerts({ pageSize: 0 })).toThrow(/pageSize/);
  });

  it("listIncidents refuses a continuation token it did not produce", async () => {
    const e = await caught(newClient().listIncidents().byPage({ continuationToken: "not-ours" }).next());
    expect(isInvalidArgumentError(e)).toBe(true);
    expect(recorder.requests).toHaveLength(0);
  });
});

// -------------------------------------------------------------------------------------------------------------
// listIncidents

/** 100-ns ticks of a timestamp, computed independently of the code under test. */
function ticks(ts: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(ts);
  if (!m) throw new Error(`bad timestamp ${ts}`);
  return BigInt(Date.parse(`${m[1]}Z`)) * 10_000n + BigInt((m[2] ?? "").padEnd(7, "0").slice(0, 7));
}

interface PageLog {
  url: URL;
  skip: number;
  top: number;
  items: { id: string; lastUpdateDateTime: string }[];
}

/**
 * A Graph `/security/incidents` stand-in: honours `$filter=lastUpdateDateTime ge …`, `$orderby`, `$top` and
 * `$skip`, and answers with an `@odata.nextLink` carrying `$skip` whenever more rows match, as Graph does.
 */
function fakeGraphIncidents(
  rows: { id: string; lastUpdateDateTime: string }[],
  log: PageLog[],
  options: { ignoreOrderBy?: boolean; failExpand?: boolean } = {},
) {
  return http.get(INCIDENTS, ({ request }) => fakeGraphIncidentsResponse(request, rows, log, options));
}

function fakeGraphIncidentsResponse(
  request: Request,
  rows: { id: string; lastUpdateDateTime: string }[],
  log: PageLog[],
  options: { ignoreOrderBy?: boolean; failExpand?: boolean } = {},
) {
  const url = new URL(request.url);
  if (options.failExpand && url.searchParams.get("$expand") === "alerts") {
    return HttpResponse.json(
      { error: { code: "InternalServerError", message: "expand failed" } },
      { status: 500 },
    );
  }
  const filter = url.searchParams.get("$filter") ?? "";
  const bound = /lastUpdateDateTime ge (\S+)/.exec(filter)?.[1];
  const top = Number(url.searchParams.get("$top") ?? "50");
  const skip = Number(url.searchParams.get("$skip") ?? "0");
  const ordered = [...rows].sort((a, b) => {
    const d = ticks(a.lastUpdateDateTime) - ticks(b.lastUpdateDateTime);
    return d !== 0n ? (d < 0n ? -1 : 1) : a.id.localeCompare(b.id);
  });
  if (options.ignoreOrderBy) ordered.reverse();
  const matching = bound ? ordered.filter((r) => ticks(r.lastUpdateDateTime) >= ticks(bound)) : ordered;
  const page = matching.slice(skip, skip + top);
  log.push({ url, skip, top, items: page });
  const body: Record<string, unknown> = {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#security/incidents",
    value: page.map((r) => incident(r.id, r.lastUpdateDateTime)),
  };
  if (skip + top < matching.length) {
    const next = new URL(url);
    next.searchParams.set("$skip", String(skip + top));
    body["@odata.nextLink"] = next.toString();
  }
  return HttpResponse.json(body as JsonBodyType);
}

function expectEachIdOnce(ids: string[], expected: string[]) {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect([...counts.keys()].sort()).toEqual([...expected].sort());
}

describe("DefenderClient.listIncidents", () => {
  it("sends the keyset query: 7-digit ge bound, ascending order, $top=50 and the Prefer header", async () => {
    server.use(http.get(INCIDENTS, () => HttpResponse.json({ value: [] })));
    await collect(
      newClient().listIncidents({ updatedSince: "2024-03-01T10:00:00Z", filter: "status eq 'active'" }),
    );
    const [req] = recorder.requests;
    expect(req?.url.searchParams.get("$filter")).toBe(
      "(lastUpdateDateTime ge 2024-03-01T10:00:00.0000000Z) and (status eq 'active')",
    );
    expect(req?.url.searchParams.get("$orderby")).toBe("lastUpdateDateTime asc");
    expect(req?.url.searchParams.get("$top")).toBe(String(MAX_INCIDENT_PAGE_SIZE));
    expect(req?.url.searchParams.has("$skip")).toBe(false);
    expect(req?.url.searchParams.has("$expand")).toBe(false);
    expect(req?.headers.prefer).toBe("include-unknown-enum-members");
    // %20, not "+", between OData tokens
    expect(req?.url.search).toContain("lastUpdateDateTime%20ge%20");
  });

  it("countIncidents asks for $count=true&$top=1 with the same time filter", async () => {
    server.use(http.get(INCIDENTS, () => HttpResponse.json({ "@odata.count": 3, value: [] })));
    expect(await newClient().countIncidents({ updatedSince: "2024-03-01T10:00:00Z" })).toBe(3);
    const url = recorder.requests[0]!.url;
    expect(url.searchParams.get("$count")).toBe("true");
    expect(url.searchParams.get("$top")).toBe("1");
    expect(url.searchParams.get("$filter")).toBe("lastUpdateDateTime ge 2024-03-01T10:00:00.0000000Z");
  });

  it("getIncident with expandAlerts asks for $expand=alerts", async () => {
    server.use(http.get(`${INCIDENTS}/2972395`, () => HttpResponse.json(getIncidentExample)));
    await newClient().getIncident("2972395", { expandAlerts: true });
    expect(recorder.requests[0]?.url.searchParams.get("$expand")).toBe("alerts");
  });

  it("accepts a Date as updatedSince and honours a smaller pageSize", async () => {
    server.use(http.get(INCIDENTS, () => HttpResponse.json({ value: [] })));
    await collect(
      newClient().listIncidents({ updatedSince: new Date(Date.UTC(2024, 2, 1, 10, 0, 0, 123)), pageSize: 7 }),
    );
    expect(recorder.requests[0]?.url.searchParams.get("$filter")).toBe(
      "lastUpdateDateTime ge 2024-03-01T10:00:00.1230000Z",
    );
    expect(recorder.requests[0]?.url.searchParams.get("$top")).toBe("7");
  });

  it("pages ~130 incidents by moving the ge bound (never $skip), returning each id exactly once", async () => {
    // Pairs of incidents share a second; the same instant is written with 1, 2 and 7 fractional digits.
    const fractions = [".5Z", ".5000000Z", ".50Z"];
    const rows = Array.from({ length: 130 }, (_, i) => ({
      id: `inc-${String(i).padStart(3, "0")}`,
      lastUpdateDateTime: `2024-05-01T00:${String(Math.floor((i * 0.8) / 60)).padStart(2, "0")}:${String(
        Math.floor(i * 0.8) % 60,
      ).padStart(2, "0")}${fractions[i % 3]}`,
    })).reverse();
    const log: PageLog[] = [];
    server.use(fakeGraphIncidents(rows, log));

    const pages: DefenderIncident[][] = [];
    for await (const page of newClient().listIncidents({ updatedSince: "2024-05-01T00:00:00Z" }).byPage()) {
      pages.push(page);
    }
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expectEachIdOnce(
      pages.flat().map((i) => i.id),
      rows.map((r) => r.id),
    );
    expect(log.filter((p) => p.skip > 0)).toEqual([]);
    // Each request after the first starts at the previous page's last timestamp, written with 7 digits.
    for (let i = 1; i < log.length; i++) {
      const prevLast = log[i - 1]!.items.at(-1)!.lastUpdateDateTime;
      const bound = /ge (\S+)\)?/.exec(log[i]!.url.searchParams.get("$filter") ?? "")?.[1];
      expect(bound).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
      expect(ticks(bound!)).toBe(ticks(prevLast));
    }
    // Oldest first across pages.
    const flat = pages.flat();
    for (let i = 1; i < flat.length; i++) {
      expect(ticks(flat[i - 1]!.lastUpdateDateTime!) <= ticks(flat[i]!.lastUpdateDateTime!)).toBe(true);
    }
  });

  it("falls back to the service's $skip nextLink only when a full page shares one timestamp", async () => {
    const rows = [
      ...Array.from({ length: 20 }, (_, i) => ({
        id: `a-${String(i).padStart(2, "0")}`,
        lastUpdateDateTime: `2024-06-01T00:00:${String(i).padStart(2, "0")}Z`,
      })),
      ...Array.from({ length: 60 }, (_, i) => ({
        id: `b-${String(i).padStart(2, "0")}`,
        lastUpdateDateTime: "2024-06-01T01:00:00.1234567Z",
      })),
      ...Array.from({ length: 50 }, (_, i) => ({
        id: `c-${String(i).padStart(2, "0")}`,
        lastUpdateDateTime: `2024-06-01T02:00:${String(i).padStart(2, "0")}.5Z`,
      })),
    ];
    const log: PageLog[] = [];
    server.use(fakeGraphIncidents(rows, log));

    const ids = (await collect(newClient().listIncidents())).map((i) => i.id);
    expectEachIdOnce(
      ids,
      rows.map((r) => r.id),
    );
    const skipped = log.map((p, i) => ({ p, i })).filter(({ p }) => p.skip > 0);
    expect(skipped.length).toBeGreaterThan(0);
    for (const { i } of skipped) {
      const prev = log[i - 1]!;
      expect(prev.items).toHaveLength(prev.top);
      expect(new Set(prev.items.map((r) => ticks(r.lastUpdateDateTime))).size).toBe(1);
    }
  });

  it("follows nextLink when the service ignores $orderby, still returning each id once", async () => {
    const rows = Array.from({ length: 120 }, (_, i) => ({
      id: `d-${String(i).padStart(3, "0")}`,
      lastUpdateDateTime: `2024-07-01T00:${String(Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}Z`,
    }));
    const log: PageLog[] = [];
    server.use(fakeGraphIncidents(rows, log, { ignoreOrderBy: true }));
    const ids = (await collect(newClient().listIncidents())).map((i) => i.id);
    expectEachIdOnce(
      ids,
      rows.map((r) => r.id),
    );
    expect(log.map((p) => p.skip)).toEqual([0, 50, 100]);
  });

  it("when $expand=alerts fails with 500, lists without it and fetches alerts per incident on every page", async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({
      id: `e-${i}`,
      lastUpdateDateTime: `2024-08-01T00:00:0${i}Z`,
    }));
    const log: PageLog[] = [];
    const alertFilters: string[] = [];
    server.use(
      fakeGraphIncidents(rows, log, { failExpand: true }),
      http.get(`${INCIDENTS}/:id`, ({ params, request }) => {
        expect(new URL(request.url).searchParams.get("$expand")).toBe("alerts");
        const id = String(params.id);
        if (id === "e-3")
          return HttpResponse.json({ error: { code: "InternalServerError" } }, { status: 500 });
        const row = rows.find((r) => r.id === id)!;
        return HttpResponse.json(incident(id, row.lastUpdateDateTime, { alerts: [{ id: `alert-${id}` }] }));
      }),
      http.get(ALERTS, ({ request }) => {
        alertFilters.push(new URL(request.url).searchParams.get("$filter") ?? "");
        return HttpResponse.json({ value: [{ id: "alert-e-3-a", incidentId: "e-3" }] });
      }),
    );

    const pages: DefenderIncident[][] = [];
    for await (const page of newClient().listIncidents({ expandAlerts: true, pageSize: 2 }).byPage())
      pages.push(page);

    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.flat().map((i) => i.id)).toEqual(["e-0", "e-1", "e-2", "e-3", "e-4"]);
    for (const i of pages.flat()) {
      expect(
        i.alerts?.map((a) => a.id),
        i.id,
      ).toEqual(i.id === "e-3" ? ["alert-e-3-a"] : [`alert-${i.id}`]);
    }
    const listCalls = recorder.requests.filter((r) => r.url.pathname === "/v1.0/security/incidents");
    const expanded = listCalls.filter((r) => r.url.searchParams.get("$expand") === "alerts");
    // First page: the attempt and two retries; the fallback is sticky for later pages.
    expect(expanded).toHaveLength(3);
    expect(listCalls.indexOf(expanded.at(-1)!)).toBe(2);
    // Then four plain keyset pages (each re-reads its boundary incident, so 2 per page means 1 new per page).
    expect(listCalls).toHaveLength(7);
    const perIncident = recorder.requests.filter((r) => /\/security\/incidents\/e-\d$/.test(r.url.pathname));
    expect(perIncident.map((r) => r.url.pathname.split("/").at(-1))).toEqual([
      "e-0",
      "e-1",
      "e-2",
      "e-3",
      "e-3",
      "e-3",
      "e-4",
    ]);
    expect(alertFilters).toEqual(["incidentId eq 'e-3'"]);
  });

  it("after an $expand fallback, also drops $expand from nextLinks it follows", async () => {
    const rows = Array.from({ length: 4 }, (_, i) => ({
      id: `f-${i}`,
      lastUpdateDateTime: `2024-08-02T00:00:0${i}Z`,
    }));
    const log: PageLog[] = [];
    server.use(
      fakeGraphIncidents(rows, log, { failExpand: true, ignoreOrderBy: true }),
      http.get(`${INCIDENTS}/:id`, ({ params }) =>
        HttpResponse.json(
          incident(String(params.id), "2024-08-02T00:00:00Z", { alerts: [{ id: `alert-${params.id}` }] }),
        ),
      ),
    );
    const items = await collect(newClient().listIncidents({ expandAlerts: true, pageSize: 2 }));
    expect(items.map((i) => i.id)).toEqual(["f-3", "f-2", "f-1", "f-0"]);
    expect(items.every((i) => i.alerts?.length === 1)).toBe(true);
    const expanded = recorder.requests.filter(
      (r) => r.url.pathname === "/v1.0/security/incidents" && r.url.searchParams.get("$expand") === "alerts",
    );
    expect(expanded).toHaveLength(3);
  });

  it("returns the alerts of the official $expand=alerts example", async () => {
    server.use(http.get(INCIDENTS, () => HttpResponse.json(listIncidentsWithAlertsExample)));
    const [first] = await collect(newClient().listIncidents({ expandAlerts: true }));
    expect(recorder.requests[0]?.url.searchParams.get("$expand")).toBe("alerts");
    expect(first?.alerts?.length).toBeGreaterThan(0);
    expect(first?.customTags).toEqual(listIncidentsWithAlertsExample.value[0]?.tags);
  });

  it("hands a malformed item to onInvalidItem and returns the valid ones", async () => {
    server.use(
      http.get(INCIDENTS, () =>
        HttpResponse.json({
          value: [
            incident("1", "2024-01-01T00:00:00Z"),
            { id: 2, lastUpdateDateTime: "2024-01-01T00:00:01Z" },
            incident("3", "2024-01-01T00:00:02Z"),
          ],
        }),
      ),
    );
    const invalid: { error: ResponseValidationError; raw: unknown }[] = [];
    const items = await collect(
      newClient().listIncidents({ onInvalidItem: (error, raw) => invalid.push({ error, raw }) }),
    );
    expect(items.map((i) => i.id)).toEqual(["1", "3"]);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]?.raw).toMatchObject({ id: 2 });
    expect(invalid[0]?.error.issues[0]?.path).toBe("value.1.id");
  });

  it("without onInvalidItem, a malformed item throws ResponseValidationError naming value.<i>.<field>", async () => {
    server.use(
      http.get(INCIDENTS, () =>
        HttpResponse.json({ value: [incident("1", "2024-01-01T00:00:00Z"), { id: 2 }] }),
      ),
    );
    const e = (await caught(collect(newClient().listIncidents()))) as ResponseValidationError;
    expect(isResponseValidationError(e)).toBe(true);
    expect(e.issues.map((i) => i.path)).toEqual(["value.1.id"]);
    expect(e.message).toContain("value.1.id");
  });

  it("refuses a nextLink on another host with UntrustedHostError; that host gets nothing", async () => {
    server.use(
      http.get(INCIDENTS, () =>
        HttpResponse.json({
          value: [incident("1", "2024-01-01T00:00:00Z")],
          "@odata.nextLink": `https://${EVIL}/v1.0/security/incidents?$skip=1`,
        }),
      ),
      http.get(`https://${EVIL}/*`, () => HttpResponse.json({ value: [] })),
    );
    const e = await caught(collect(newClient().listIncidents()));
    expect(isUntrustedHostError(e)).toBe(true);
    expect(recorder.to(EVIL)).toHaveLength(0);
    expect(recorder.requests.every((r) => r.url.host === "graph.microsoft.com")).toBe(true);
  });

  it("stops with AbortError when aborted mid-paging", async () => {
    const ac = new AbortController();
    const rows = Array.from({ length: 4 }, (_, i) => ({
      id: `g-${i}`,
      lastUpdateDateTime: `2024-09-01T00:00:0${i}Z`,
    }));
    const log: PageLog[] = [];
    let calls = 0;
    server.use(
      http.get(INCIDENTS, async ({ request }) => {
        calls++;
        if (calls === 2) {
          ac.abort();
          await delay(150);
        }
        return fakeGraphIncidentsResponse(request, rows, log);
      }),
    );
    const seen: string[] = [];
    const e = await caught(
      (async () => {
        for await (const i of newClient().listIncidents({ pageSize: 2, abortSignal: ac.signal }))
          seen.push(i.id);
      })(),
    );
    expect(isAbortError(e)).toBe(true);
    expect(seen).toEqual(["g-0", "g-1"]);
    expect(calls).toBe(2);
  });
});

// -------------------------------------------------------------------------------------------------------------
// listAlerts paging

describe("DefenderClient.listAlerts", () => {
  it("follows @odata.nextLink to the last page, with $top and the time filter", async () => {
    server.use(
      http.get(ALERTS, ({ request }) => {
        const url = new URL(request.url);
        const page = Number(url.searchParams.get("page") ?? "1");
        const base = listAlertsExample.value[0]!;
        const body: Record<string, unknown> = {
          value: [
            { ...base, id: `alert-${page}-a` },
            { ...base, id: `alert-${page}-b` },
          ],
        };
        if (page < 3) body["@odata.nextLink"] = `${ALERTS}?$top=2&page=${page + 1}`;
        return HttpResponse.json(body);
      }),
    );
    const ids = (
      await collect(newClient().listAlerts({ pageSize: 2, updatedSince: "2024-01-01T00:00:00Z" }))
    ).map((a) => a.id);
    expect(ids).toEqual(["alert-1-a", "alert-1-b", "alert-2-a", "alert-2-b", "alert-3-a", "alert-3-b"]);
    expect(recorder.requests).toHaveLength(3);
    expect(recorder.requests[0]?.url.searchParams.get("$top")).toBe("2");
    expect(recorder.requests[0]?.url.searchParams.get("$filter")).toBe(
      "lastUpdateDateTime ge 2024-01-01T00:00:00.0000000Z",
    );
  });

  it("sends no $top unless asked", async () => {
    server.use(http.get(ALERTS, () => HttpResponse.json({ value: [] })));
    await collect(newClient().listAlerts());
    expect(recorder.requests[0]?.url.searchParams.has("$top")).toBe(false);
  });

  it("refuses a cross-origin nextLink with UntrustedHostError; that host gets nothing", async () => {
    server.use(
      http.get(ALERTS, () =>
        HttpResponse.json({ value: [], "@odata.nextLink": `https://${EVIL}/v1.0/security/alerts_v2?p=2` }),
      ),
      http.get(`https://${EVIL}/*`, () => HttpResponse.json({ value: [] })),
    );
    expect(isUntrustedHostError(await caught(collect(newClient().listAlerts())))).toBe(true);
    expect(recorder.to(EVIL)).toHaveLength(0);
  });

  it("stops with AbortError when aborted mid-paging", async () => {
    const ac = new AbortController();
    let calls = 0;
    server.use(
      http.get(ALERTS, async () => {
        calls++;
        if (calls === 2) {
          ac.abort();
          await delay(150);
        }
        return HttpResponse.json({
          value: [{ id: `a${calls}` }],
          "@odata.nextLink": `${ALERTS}?p=${calls + 1}`,
        });
      }),
    );
    const seen: string[] = [];
    const e = await caught(
      (async () => {
        for await (const a of newClient().listAlerts({ abortSignal: ac.signal })) seen.push(a.id);
      })(),
    );
    expect(isAbortError(e)).toBe(true);
    expect(seen).toEqual(["a1"]);
  });
});

// -------------------------------------------------------------------------------------------------------------
// Writes

async function captureBody(
  method: "patch" | "post",
  url: string,
  response: JsonBodyType,
  captured: unknown[],
) {
  server.use(
    http[method](url, async ({ request }) => {
      captured.push(await request.json());
      return HttpResponse.json(response);
    }),
  );
}

describe("DefenderClient.updateIncident", () => {
  it("sends only the given writable fields and returns the updated incident", async () => {
    const bodies: unknown[] = [];
    await captureBody("patch", `${INCIDENTS}/2972395`, updateIncidentExample, bodies);
    const updated = await newClient().updateIncident("2972395", {
      status: "resolved",
      assignedTo: null,
      resolvingComment: "fixed",
    });
    expect(bodies).toEqual([{ status: "resolved", assignedTo: null, resolvingComment: "fixed" }]);
    expect(recorder.requests[0]?.headers["content-type"]).toBe("application/json");
    expect(updated.id).toBe("2972395");
  });

  it.each([
    [{ id: "2972395", status: "resolved" }],
    [{ comments: [{ comment: "x" }] }],
    [{ systemTags: ["x"] }],
    [{ status: "Resolved" }],
    [{}],
  ])("refuses %j with InvalidArgumentError and sends nothing", async (patch) => {
    const e = await caught(newClient().updateIncident("2972395", patch as never));
    expect(isInvalidArgumentError(e)).toBe(true);
    expect(recorder.requests).toHaveLength(0);
  });

  it("sends summary, which one version of the update page lists as writable", async () => {
    const bodies: unknown[] = [];
    await captureBody("patch", `${INCIDENTS}/2972395`, updateIncidentExample, bodies);
    await newClient().updateIncident("2972395", { summary: "Phishing led to two compromised hosts." });
    expect(bodies).toEqual([{ summary: "Phishing led to two compromised hosts." }]);
  });

  it("reads the incident back when the service answers 204", async () => {
    server.use(
      http.patch(`${INCIDENTS}/2972395`, () => new HttpResponse(null, { status: 204 })),
      http.get(`${INCIDENTS}/2972395`, () => HttpResponse.json(getIncidentExample)),
    );
    const updated = await newClient().updateIncident("2972395", { customTags: ["a"] });
    expect(updated.id).toBe("2972395");
    expect(recorder.requests.map((r) => r.method)).toEqual(["PATCH", "GET"]);
  });

  it("the official request example parses once its PascalCase enums (quirk G1) are the v1.0 members, and is what we send", async () => {
    const example = readRequestExample("security-incident-update.1.request.txt");
    expect(example.method).toBe("PATCH");
    // The doc sample writes `TruePositive` / `MultiStagedAttack`; the strict PATCH schema takes only enum members.
    const raw = defenderIncidentPatchSchema.safeParse(example.body);
    expect(raw.success).toBe(false);
    expect(raw.error?.issues.map((i) => i.path.join(".")).sort()).toEqual([
      "classification",
      "determination",
    ]);

    const normalized = {
      ...(example.body as Record<string, unknown>),
      classification: "truePositive",
      determination: "multiStagedAttack",
    };
    const parsed = defenderIncidentPatchSchema.parse(normalized);
    expect(parsed).toEqual({
      classification: "truePositive",
      determination: "multiStagedAttack",
      customTags: ["Demo"],
    });

    const bodies: unknown[] = [];
    await captureBody("patch", `${INCIDENTS}/2972395`, updateIncidentExample, bodies);
    await newClient().updateIncident("2972395", parsed);
    expect(bodies).toEqual([normalized]);
    expect(defenderIncidentPatchSchema.safeParse(bodies[0]).success).toBe(true);
    expect(recorder.requests[0]?.url.href).toBe(example.url);
  });
});

describe("DefenderClient.addIncidentComment", () => {
  it("posts the alertComment body of the official example and returns the whole comment list", async () => {
    const example = readRequestExample("security-incident-post-comments.1.request.txt");
    expect(example.method).toBe("POST");
    const bodies: unknown[] = [];
    await captureBody("post", `${INCIDENTS}/3962396/comments`, commentsExample, bodies);
    const comments = await newClient().addIncidentComment("3962396", "Demo for docs");
    expect(bodies).toEqual([
      { "@odata.type": "microsoft.graph.security.alertComment", comment: "Demo for docs" },
    ]);
    expect(bodies[0]).toEqual(example.body);
    expect(recorder.requests[0]?.url.href).toBe(example.url);
    expect(comments).toHaveLength(2);
    expect(comments[1]).toMatchObject({
      comment: "Demo for docs",
      createdByDisplayName: "secAdmin@contoso.com",
    });
  });

  it.each(["", "   ", 5 as unknown as string])(
    "refuses the comment %j and sends nothing",
    async (comment) => {
      expect(isInvalidArgumentError(await caught(newClient().addIncidentComment("3962396", comment)))).toBe(
        true,
      );
      expect(recorder.requests).toHaveLength(0);
    },
  );
});

// -------------------------------------------------------------------------------------------------------------
// Security and endpoints

describe("DefenderClient security", () => {
  it("sends the token only to the configured host, with the Graph scope", async () => {
    server.use(http.get(`${INCIDENTS}/1`, () => HttpResponse.json(incident("1", "2024-01-01T00:00:00Z"))));
    const credential = fakeCredential();
    const client = new DefenderClient(credential, FAST);
    await client.getIncident("1");
    expect(credential.calls).toEqual([["https://graph.microsoft.com/.default"]]);
    const withToken: RecordedRequest[] = recorder.requests.filter((r) =>
      r.headers.authorization?.includes(TEST_TOKEN),
    );
    expect(withToken.map((r) => r.url.host)).toEqual(["graph.microsoft.com"]);
  });

  it("uses a sovereign-cloud endpoint and its scope", async () => {
    server.use(
      http.get("https://graph.microsoft.us/v1.0/security/incidents/1", () =>
        HttpResponse.json(incident("1", "2024-01-01T00:00:00Z")),
      ),
    );
    const credential = fakeCredential();
    const client = new DefenderClient(credential, { ...FAST, endpoint: "https://graph.microsoft.us/v1.0/" });
    expect(client.endpoint).toBe("https://graph.microsoft.us/v1.0");
    await client.getIncident("1");
    expect(credential.calls).toEqual([["https://graph.microsoft.us/.default"]]);
    expect(recorder.requests.map((r) => r.url.host)).toEqual(["graph.microsoft.us"]);
  });

  it("refuses a plain-http endpoint that is not loopback", () => {
    expect(
      () => new DefenderClient(fakeCredential(), { endpoint: "http://graph.microsoft.com/v1.0" }),
    ).toThrow(/loopback/);
  });

  it("with the default Graph budget, requests within budget neither wait nor report client throttling", async () => {
    server.use(
      http.get(`${INCIDENTS}/:id`, ({ params }) =>
        HttpResponse.json(incident(String(params.id), "2024-01-01T00:00:00Z")),
      ),
    );
    const client = new DefenderClient(fakeCredential(), { retryOptions: FAST.retryOptions });
    const throttles: unknown[] = [];
    client.metrics.onThrottle((info) => throttles.push(info));
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.getIncident(String(i))));
    expect(client.metrics.snapshot()).toMatchObject({ requests: 20, reads: 20, rateLimitWaitInMs: 0 });
    expect(throttles).toEqual([]);
  });
});
