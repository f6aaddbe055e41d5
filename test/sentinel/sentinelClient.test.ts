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
import type { SentinelIncident, SentinelIncidentWriteProperties } from "../../src/sentinel/models";
import {
  DEFAULT_SENTINEL_API_VERSION,
  SENTINEL_LIMITS,
  SentinelClient,
  type SentinelClientOptions,
} from "../../src/sentinel/sentinelClient";
import { fakeCredential, TEST_TOKEN } from "../helpers/credential";
import { readJson } from "../helpers/fixtures";
import { ARM_BASE, server, useMswServer } from "../helpers/msw";

const recorder = useMswServer();
afterEach(() => {
  vi.useRealTimers();
});

const SUB = "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0";
const RG = "myRg";
const WS = "myWorkspace";
const BASE = `${ARM_BASE}/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.OperationalInsights/workspaces/${WS}/providers/Microsoft.SecurityInsights`;
const INCIDENT_ID = "73e01a99-5cd7-4139-a149-9f2736ff2ab5";
const COMMENT_ID = "4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014";
const EVIL = "evil.example.com";

const FAST: Omit<SentinelClientOptions, "subscriptionId" | "resourceGroupName" | "workspaceName"> = {
  rateLimit: false,
  retryOptions: { retryDelayInMs: 1, maxRetries: 2 },
};
const newClient = (options: Partial<SentinelClientOptions> = {}) =>
  new SentinelClient(fakeCredential(), {
    subscriptionId: SUB,
    resourceGroupName: RG,
    workspaceName: WS,
    ...FAST,
    ...options,
  });

interface Example {
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: JsonBodyType }>;
}
const ex = (name: string) => readJson<Example>(`sentinel/examples/incidents/${name}`);
const getIncidents = ex("GetIncidents.json");
const getIncidentById = ex("GetIncidentById.json");
const createIncident = ex("CreateIncident.json");
const alertsExample = ex("GetAllIncidentAlerts.json");
const entitiesExample = ex("GetAllIncidentEntities.json");
const createComment = ex("comments/CreateIncidentComment.json");
const listComments = ex("comments/GetAllIncidentComments.json");

const incidentBody = getIncidentById.responses["200"]!.body as SentinelIncident;
const newIncident: SentinelIncidentWriteProperties = {
  title: "My incident",
  severity: "High",
  status: "New",
};

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

function withProps(props: Record<string, unknown>) {
  return { ...incidentBody, properties: { ...incidentBody.properties, ...props } };
}

// -------------------------------------------------------------------------------------------------------------
// Every method against the same failure modes

interface MethodCase {
  name: string;
  method: "get" | "put" | "post" | "delete";
  url: string;
  ok: () => JsonBodyType;
  okStatus?: number;
  call: (client: SentinelClient) => Promise<unknown>;
  check: (result: unknown) => void;
  notFound: "undefined" | "resolves" | "error";
  /** A 200 body that fails the schema and the issue path it must name; `null` when the body is ignored. */
  badBody: JsonBodyType;
  badPath: string;
}

const methods: MethodCase[] = [
  {
    name: "listIncidents",
    method: "get",
    url: `${BASE}/incidents`,
    ok: () => getIncidents.responses["200"]!.body,
    call: (c) => collect(c.listIncidents()),
    check: (r) => expect((r as SentinelIncident[]).map((i) => i.name)).toEqual([INCIDENT_ID]),
    notFound: "error",
    badBody: { value: [withProps({ title: undefined })] },
    badPath: "value.0.properties.title",
  },
  {
    name: "getIncident",
    method: "get",
    url: `${BASE}/incidents/${INCIDENT_ID}`,
    ok: () => incidentBody,
    call: (c) => c.getIncident(INCIDENT_ID),
    check: (r) =>
      expect(r).toMatchObject({ name: INCIDENT_ID, properties: { incidentNumber: 3177, status: "Closed" } }),
    notFound: "undefined",
    badBody: withProps({ severity: 3 }),
    badPath: "properties.severity",
  },
  {
    name: "createOrUpdateIncident",
    method: "put",
    url: `${BASE}/incidents/${INCIDENT_ID}`,
    ok: () => createIncident.responses["201"]!.body,
    okStatus: 201,
    call: (c) => c.createOrUpdateIncident(INCIDENT_ID, newIncident),
    check: (r) =>
      expect(r).toMatchObject({ name: INCIDENT_ID, etag: '"0300bf09-0000-0000-0000-5c37296e0001"' }),
    notFound: "error",
    badBody: { ...incidentBody, name: 7 },
    badPath: "name",
  },
  {
    name: "deleteIncident",
    method: "delete",
    url: `${BASE}/incidents/${INCIDENT_ID}`,
    ok: () => null,
    call: (c) => c.deleteIncident(INCIDENT_ID),
    check: (r) => expect(r).toBeUndefined(),
    notFound: "resolves",
    badBody: null,
    badPath: "",
  },
  {
    name: "listIncidentComments",
    method: "get",
    url: `${BASE}/incidents/${INCIDENT_ID}/comments`,
    ok: () => listComments.responses["200"]!.body,
    call: (c) => collect(c.listIncidentComments(INCIDENT_ID)),
    check: (r) =>
      expect((r as { properties: { message: string } }[])[0]?.properties.message).toBe("Some message"),
    notFound: "error",
    badBody: { value: [{ id: "x", name: "y", properties: {} }] },
    badPath: "value.0.properties.message",
  },
  {
    name: "createIncidentComment",
    method: "put",
    url: `${BASE}/incidents/${INCIDENT_ID}/comments/${COMMENT_ID}`,
    ok: () => createComment.responses["201"]!.body,
    okStatus: 201,
    call: (c) => c.createIncidentComment(INCIDENT_ID, COMMENT_ID, "Some message"),
    check: (r) => expect(r).toMatchObject({ name: COMMENT_ID, properties: { author: { name: "john doe" } } }),
    notFound: "error",
    badBody: { id: "x", name: COMMENT_ID, properties: { message: ["no"] } },
    badPath: "properties.message",
  },
  {
    name: "listIncidentAlerts",
    method: "post",
    url: `${BASE}/incidents/${INCIDENT_ID}/alerts`,
    ok: () => alertsExample.responses["200"]!.body,
    call: (c) => c.listIncidentAlerts(INCIDENT_ID),
    check: (r) =>
      expect(r).toMatchObject([
        { kind: "SecurityAlert", properties: { alertDisplayName: "myAlert", severity: "Low" } },
      ]),
    notFound: "error",
    badBody: { value: [{ kind: "Bookmark", properties: {} }] },
    badPath: "value.0.kind",
  },
  {
    name: "listIncidentEntities",
    method: "post",
    url: `${BASE}/incidents/${INCIDENT_ID}/entities`,
    ok: () => entitiesExample.responses["200"]!.body,
    call: (c) => c.listIncidentEntities(INCIDENT_ID),
    check: (r) =>
      expect(r).toEqual({
        entities: [
          expect.objectContaining({
            kind: "Account",
            properties: expect.objectContaining({ accountName: "administrator" }),
          }),
        ],
        metaData: [{ entityKind: "Account", count: 1 }],
      }),
    notFound: "error",
    badBody: { entities: [{ kind: 5 }] },
    badPath: "entities.0.kind",
  },
];

describe.each(methods)("SentinelClient.$name", (m) => {
  const respond = (resolver: Parameters<typeof http.get>[1]) => server.use(http[m.method](m.url, resolver));
  const okResponse = () => {
    const body = m.ok();
    return body === null
      ? new HttpResponse(null, { status: 200 })
      : HttpResponse.json(body, { status: m.okStatus ?? 200 });
  };

  it("succeeds on the official example response, with api-version on the request", async () => {
    respond(okResponse);
    m.check(await m.call(newClient()));
    expect(recorder.requests).toHaveLength(1);
    expect(recorder.requests[0]?.method).toBe(m.method.toUpperCase());
    expect(recorder.requests[0]?.url.searchParams.get("api-version")).toBe("2025-09-01");
  });

  it("waits out a 429's Retry-After before trying again", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let calls = 0;
    respond(() => {
      calls++;
      return calls === 1
        ? HttpResponse.json(
            { error: { code: "TooManyRequests", message: "The request is being throttled" } },
            { status: 429, headers: { "Retry-After": "2" } },
          )
        : okResponse();
    });
    const result = m.call(newClient());
    await vi.advanceTimersByTimeAsync(1_950);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
    m.check(await result);
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
    expect(e.service).toBe("sentinel");
    expect(e.code).toBe("Denied");
    expect(recorder.requests).toHaveLength(1);
  });

  it(`answers 404 with ${m.notFound === "error" ? "NotFoundError" : m.notFound}`, async () => {
    respond(() => HttpResponse.json({ error: { code: "NotFound", message: "not found" } }, { status: 404 }));
    const result = m.call(newClient());
    if (m.notFound === "error") expect(isNotFoundError(await caught(result))).toBe(true);
    else await expect(result).resolves.toBeUndefined();
  });

  if (m.badBody === null) {
    it("ignores whatever body comes with a 2xx", async () => {
      respond(() =>
        HttpResponse.text("{ not json", { status: 200, headers: { "content-type": "application/json" } }),
      );
      await expect(m.call(newClient())).resolves.toBeUndefined();
    });
  } else {
    it("turns a 200 with malformed JSON into ResponseValidationError", async () => {
      respond(() =>
        HttpResponse.text('{"value": [', {
          status: m.okStatus ?? 200,
          headers: { "content-type": "application/json" },
        }),
      );
      const e = (await caught(m.call(newClient()))) as ResponseValidationError;
      expect(isResponseValidationError(e)).toBe(true);
      expect(e.issues[0]?.path).toBe("");
    });

    it("turns a 200 that fails the schema into ResponseValidationError naming the path", async () => {
      respond(() => HttpResponse.json(m.badBody));
      const e = (await caught(m.call(newClient()))) as ResponseValidationError;
      expect(isResponseValidationError(e)).toBe(true);
      expect(e.issues.map((i) => i.path)).toContain(m.badPath);
    });
  }

  it("keeps the token out of the thrown error", async () => {
    respond(() => HttpResponse.json({ error: { code: "AuthorizationFailed" } }, { status: 403 }));
    const e = (await caught(m.call(newClient()))) as HttpResponseError;
    expect(recorder.requests[0]?.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
    expect(JSON.stringify(e)).not.toContain(TEST_TOKEN);
    expect(e.message).not.toContain(TEST_TOKEN);
    expect(String(e.request)).not.toContain(TEST_TOKEN);
    expect(JSON.stringify(e.request)).not.toContain(TEST_TOKEN);
    expect(inspect(e, { depth: 8 })).not.toContain(TEST_TOKEN);
  });
});

// -------------------------------------------------------------------------------------------------------------
// Bad input from callers

describe("SentinelClient input validation", () => {
  // The spec types incident and comment names as plain strings: only names that would change the path fail.
  const badNames = [
    "",
    "   ",
    "73e01a99-5cd7-4139-a149-9f2736ff2ab5/comments",
    "a\\b",
    "../incidents",
    "?$top=1",
    "a#b",
    "a%2Fb",
    "a\u0000b",
    "..",
    ".",
    "abc.",
    "x".repeat(257),
  ];
  const calls: [string, (c: SentinelClient, id: string) => Promise<unknown>][] = [
    ["getIncident", (c, id) => c.getIncident(id)],
    ["createOrUpdateIncident", (c, id) => c.createOrUpdateIncident(id, newIncident)],
    ["deleteIncident", (c, id) => c.deleteIncident(id)],
    // Listing validates when called (synchronously), like the other list methods' options.
    ["listIncidentComments", async (c, id) => collect(c.listIncidentComments(id))],
    ["createIncidentComment (incident)", (c, id) => c.createIncidentComment(id, COMMENT_ID, "m")],
    ["createIncidentComment (comment id)", (c, id) => c.createIncidentComment(INCIDENT_ID, id, "m")],
    ["listIncidentAlerts", (c, id) => c.listIncidentAlerts(id)],
    ["listIncidentEntities", (c, id) => c.listIncidentEntities(id)],
  ];

  it.each(calls)(
    "%s refuses path-changing names with InvalidArgumentError and sends nothing",
    async (_name, call) => {
      const client = newClient();
      for (const id of [...badNames, undefined as unknown as string]) {
        expect(isInvalidArgumentError(await caught(call(client, id))), `name ${JSON.stringify(id)}`).toBe(
          true,
        );
      }
      expect(recorder.requests).toHaveLength(0);
    },
  );

  it.each([
    ["subscriptionId", { subscriptionId: "not-a-guid" }],
    ["resourceGroupName", { resourceGroupName: ".." }],
    ["resourceGroupName", { resourceGroupName: "rg." }],
    ["resourceGroupName", { resourceGroupName: "a/b" }],
    ["resourceGroupName", { resourceGroupName: "" }],
    ["workspaceName", { workspaceName: "-ws" }],
    ["workspaceName", { workspaceName: "ws" }],
    ["workspaceName", { workspaceName: "w".repeat(91) }],
    ["workspaceName", { workspaceName: "ws/../x" }],
    ["endpoint", { endpoint: "http://management.azure.com" }],
  ] as const)("the constructor refuses a bad %s (%j)", (argument, options) => {
    let error: unknown;
    try {
      newClient(options);
    } catch (e) {
      error = e;
    }
    expect(isInvalidArgumentError(error)).toBe(true);
    expect((error as { argument: string }).argument).toBe(argument);
  });

  it.each([0, 1001, 2.5])("listIncidents refuses pageSize=%s", (pageSize) => {
    expect(() => newClient().listIncidents({ pageSize })).toThrow(/pageSize/);
    expect(recorder.requests).toHaveLength(0);
  });
});

// -------------------------------------------------------------------------------------------------------------
// Listing

describe("SentinelClient.listIncidents", () => {
  it("filters on properties/lastModifiedTimeUtc, orders ascending and sends $top", async () => {
    server.use(http.get(`${BASE}/incidents`, () => HttpResponse.json({ value: [] })));
    await collect(
      newClient().listIncidents({
        modifiedSince: "2026-01-01T00:00:00Z",
        filter: "properties/providerName eq 'Microsoft XDR'",
        pageSize: 1000,
      }),
    );
    const url = recorder.requests[0]!.url;
    expect(url.searchParams.get("$filter")).toBe(
      "(properties/lastModifiedTimeUtc ge 2026-01-01T00:00:00.0000000Z) and (properties/providerName eq 'Microsoft XDR')",
    );
    expect(url.searchParams.get("$orderby")).toBe("properties/lastModifiedTimeUtc asc");
    expect(url.searchParams.get("$top")).toBe("1000");
    expect(url.searchParams.get("api-version")).toBe(DEFAULT_SENTINEL_API_VERSION);
  });

  it("follows nextLink (with $skipToken) verbatim to the last page", async () => {
    const item = (getIncidents.responses["200"]!.body as { value: SentinelIncident[] }).value[0]!;
    server.use(
      http.get(`${BASE}/incidents`, ({ request }) => {
        const token = new URL(request.url).searchParams.get("$skipToken");
        const page = token === null ? 1 : Number(token.replace("tok", ""));
        const body: Record<string, unknown> = {
          value: [{ ...item, name: `00000000-0000-0000-0000-00000000000${page}` }],
        };
        if (page < 3)
          body.nextLink = `${BASE}/incidents?api-version=2025-09-01&$top=1&$skipToken=tok${page + 1}`;
        return HttpResponse.json(body);
      }),
    );
    const names = (await collect(newClient().listIncidents({ pageSize: 1 }))).map((i) => i.name);
    expect(names).toEqual([
      "00000000-0000-0000-0000-000000000001",
      "00000000-0000-0000-0000-000000000002",
      "00000000-0000-0000-0000-000000000003",
    ]);
    expect(recorder.requests.map((r) => r.url.searchParams.get("$skipToken"))).toEqual([
      null,
      "tok2",
      "tok3",
    ]);
    expect(recorder.requests.every((r) => r.url.searchParams.get("api-version") === "2025-09-01")).toBe(true);
  });

  it("adds api-version to a nextLink that lacks it, keeping the $skipToken as sent", async () => {
    server.use(
      http.get(`${BASE}/incidents`, ({ request }) => {
        const first = !new URL(request.url).searchParams.has("$skipToken");
        return HttpResponse.json(
          first ? { value: [], nextLink: `${BASE}/incidents?$skipToken=a%2Bb%3D%3D` } : { value: [] },
        );
      }),
    );
    await collect(newClient().listIncidents());
    expect(recorder.requests).toHaveLength(2);
    expect(recorder.requests[1]?.url.search).toBe("?$skipToken=a%2Bb%3D%3D&api-version=2025-09-01");
  });

  it("honours a custom apiVersion on every request", async () => {
    server.use(
      http.get(`${BASE}/incidents`, ({ request }) => {
        const first = !new URL(request.url).searchParams.has("$skipToken");
        return HttpResponse.json(
          first ? { value: [], nextLink: `${BASE}/incidents?$skipToken=x` } : { value: [] },
        );
      }),
      http.get(`${BASE}/incidents/${INCIDENT_ID}`, () => HttpResponse.json(incidentBody)),
      http.post(`${BASE}/incidents/${INCIDENT_ID}/alerts`, () => HttpResponse.json({ value: [] })),
    );
    const client = newClient({ apiVersion: "2025-06-01" });
    expect(client.apiVersion).toBe("2025-06-01");
    await collect(client.listIncidents());
    await client.getIncident(INCIDENT_ID);
    await client.listIncidentAlerts(INCIDENT_ID);
    expect(recorder.requests).toHaveLength(4);
    expect(recorder.requests.map((r) => r.url.searchParams.get("api-version"))).toEqual(
      Array(4).fill("2025-06-01"),
    );
  });

  it("hands a malformed item to onInvalidItem and returns the valid ones", async () => {
    server.use(
      http.get(`${BASE}/incidents`, () =>
        HttpResponse.json({ value: [incidentBody, withProps({ status: null }), incidentBody] }),
      ),
    );
    const invalid: string[] = [];
    const items = await collect(
      newClient().listIncidents({
        onInvalidItem: (error) => invalid.push(...error.issues.map((i) => i.path)),
      }),
    );
    expect(items).toHaveLength(2);
    expect(invalid).toEqual(["value.1.properties.status"]);
  });

  it.each([
    ["listIncidents", (c: SentinelClient) => c.listIncidents(), `${BASE}/incidents`],
    [
      "listIncidentComments",
      (c: SentinelClient) => c.listIncidentComments(INCIDENT_ID),
      `${BASE}/incidents/${INCIDENT_ID}/comments`,
    ],
  ] as const)("%s refuses a cross-origin nextLink; that host gets nothing", async (_name, list, url) => {
    server.use(
      http.get(url, () =>
        HttpResponse.json({ value: [], nextLink: `https://${EVIL}/incidents?$skipToken=t` }),
      ),
      http.get(`https://${EVIL}/*`, () => HttpResponse.json({ value: [] })),
    );
    const e = await caught(collect(list(newClient()) as AsyncIterable<unknown>));
    expect(isUntrustedHostError(e)).toBe(true);
    expect(recorder.to(EVIL)).toHaveLength(0);
    expect((e as Error).message).not.toContain("$skipToken");
  });

  it("listIncidentComments follows nextLink to the last page", async () => {
    const comment = (listComments.responses["200"]!.body as { value: JsonBodyType[] }).value[0]!;
    server.use(
      http.get(`${BASE}/incidents/${INCIDENT_ID}/comments`, ({ request }) => {
        const token = new URL(request.url).searchParams.get("$skipToken");
        return HttpResponse.json(
          token
            ? { value: [comment] }
            : {
                value: [comment],
                nextLink: `${BASE}/incidents/${INCIDENT_ID}/comments?api-version=2025-09-01&$skipToken=c2`,
              },
        );
      }),
    );
    expect(await collect(newClient().listIncidentComments(INCIDENT_ID))).toHaveLength(2);
    expect(recorder.requests.map((r) => r.url.searchParams.get("$skipToken"))).toEqual([null, "c2"]);
  });

  it("stops with AbortError when aborted mid-paging", async () => {
    const ac = new AbortController();
    let calls = 0;
    server.use(
      http.get(`${BASE}/incidents`, async () => {
        calls++;
        if (calls === 2) {
          ac.abort();
          await delay(150);
        }
        return HttpResponse.json({
          value: [incidentBody],
          nextLink: `${BASE}/incidents?api-version=2025-09-01&$skipToken=p${calls + 1}`,
        });
      }),
    );
    let seen = 0;
    const e = await caught(
      (async () => {
        for await (const _ of newClient().listIncidents({ abortSignal: ac.signal })) seen++;
      })(),
    );
    expect(isAbortError(e)).toBe(true);
    expect(seen).toBe(1);
    expect(calls).toBe(2);
  });
});

// -------------------------------------------------------------------------------------------------------------
// Writes

function capturePut(url: string, response: JsonBodyType, status = 200): unknown[] {
  const bodies: unknown[] = [];
  server.use(
    http.put(url, async ({ request }) => {
      bodies.push(await request.json());
      return HttpResponse.json(response, { status });
    }),
  );
  return bodies;
}

describe("SentinelClient.createOrUpdateIncident", () => {
  const url = `${BASE}/incidents/${INCIDENT_ID}`;
  const created = createIncident.responses["200"]!.body;

  it("sends the etag in the body and returns the new version", async () => {
    const bodies = capturePut(url, created);
    const result = await newClient().createOrUpdateIncident(INCIDENT_ID, newIncident, {
      etag: '"0300bf09-0000-0000-0000-5c37296e0000"',
    });
    expect(bodies).toEqual([{ properties: newIncident, etag: '"0300bf09-0000-0000-0000-5c37296e0000"' }]);
    expect(result.etag).toBe('"0300bf09-0000-0000-0000-5c37296e0001"');
    expect(recorder.requests[0]?.headers["if-match"]).toBeUndefined();
  });

  it("sends no etag when none is given (last writer wins)", async () => {
    const bodies = capturePut(url, created);
    await newClient().createOrUpdateIncident(INCIDENT_ID, newIncident);
    expect(bodies).toEqual([{ properties: newIncident }]);
  });

  it("a stale etag's 409 becomes a ConflictError", async () => {
    server.use(
      http.put(url, () =>
        HttpResponse.json(
          {
            error: {
              code: "Conflict",
              message: `Newer version of resource '${INCIDENT_ID}' exists. Data was not saved`,
            },
          },
          { status: 409 },
        ),
      ),
    );
    const e = (await caught(
      newClient().createOrUpdateIncident(INCIDENT_ID, newIncident, { etag: '"old"' }),
    )) as HttpResponseError;
    expect(isConflictError(e)).toBe(true);
    expect(e.code).toBe("Conflict");
    expect(e.message).toContain("Newer version");
    expect(recorder.requests).toHaveLength(1);
  });

  it("drops read-only properties of a GET (incidentNumber, additionalData, …) from the PUT body", async () => {
    const bodies = capturePut(url, created);
    const fromGet = {
      ...incidentBody.properties,
      labels: [
        { labelName: "synced", labelType: "User" },
        { labelName: "auto", labelType: "AutoAssigned" },
      ],
      status: "Active",
    };
    await newClient().createOrUpdateIncident(
      INCIDENT_ID,
      fromGet as unknown as SentinelIncidentWriteProperties,
      {
        etag: incidentBody.etag ?? undefined,
      },
    );
    const sent = (bodies[0] as { properties: Record<string, unknown> }).properties;
    for (const key of [
      "incidentNumber",
      "incidentUrl",
      "additionalData",
      "createdTimeUtc",
      "lastModifiedTimeUtc",
      "relatedAnalyticRuleIds",
      "providerName",
      "providerIncidentId",
    ]) {
      expect(sent, key).not.toHaveProperty(key);
    }
    expect(sent).toMatchObject({
      title: "My incident",
      severity: "High",
      status: "Active",
      classification: "FalsePositive",
      classificationReason: "InaccurateData",
      owner: { objectId: "2046feea-040d-4a46-9e2b-91c2941bfa70" },
    });
    expect(sent.labels).toEqual([{ labelName: "synced" }, { labelName: "auto" }]);
    expect((bodies[0] as { etag: string }).etag).toBe(incidentBody.etag);
  });

  it.each([
    ["closing without a classification", { ...newIncident, status: "Closed" }, "classification"],
    [
      "BenignPositive without a reason",
      { ...newIncident, status: "Closed", classification: "BenignPositive" },
      "classificationReason",
    ],
    ["an empty title", { ...newIncident, title: "  " }, "title"],
    ["a missing severity", { title: "t", status: "New" }, "severity"],
    ["a 5,001-character description", { ...newIncident, description: "d".repeat(5_001) }, "description"],
    ["a known status in the wrong case", { ...newIncident, status: "closed" }, "status"],
    ["a known severity in the wrong case", { ...newIncident, severity: "high" }, "severity"],
    ["a mistyped title", { ...newIncident, title: 42 }, "title"],
  ])("refuses %s with InvalidArgumentError and sends nothing", async (_label, properties, path) => {
    const e = (await caught(
      newClient().createOrUpdateIncident(INCIDENT_ID, properties as SentinelIncidentWriteProperties),
    )) as { issues: { path: string }[] };
    expect(isInvalidArgumentError(e)).toBe(true);
    expect(e.issues.map((i) => i.path)).toContain(path);
    expect(recorder.requests).toHaveLength(0);
  });

  it("accepts a 5,000-character description and a properly closed incident", async () => {
    const bodies = capturePut(url, created);
    await newClient().createOrUpdateIncident(INCIDENT_ID, {
      ...newIncident,
      description: "d".repeat(SENTINEL_LIMITS.maxDescriptionLength),
      status: "Closed",
      classification: "BenignPositive",
      classificationReason: "SuspiciousButExpected",
      classificationComment: "expected admin activity",
    });
    expect(bodies).toHaveLength(1);
  });
});

describe("SentinelClient comments", () => {
  const url = `${BASE}/incidents/${INCIDENT_ID}/comments/${COMMENT_ID}`;

  it("PUTs { properties: { message } } to the comment id we chose", async () => {
    const bodies = capturePut(url, createComment.responses["200"]!.body);
    const comment = await newClient().createIncidentComment(INCIDENT_ID, COMMENT_ID, "Some message");
    expect(bodies).toEqual([{ properties: { message: "Some message" } }]);
    expect(comment.properties.message).toBe("Some message");
  });

  it("accepts exactly 30,000 characters and refuses 30,001 (and empty) without sending", async () => {
    const bodies = capturePut(url, createComment.responses["200"]!.body);
    await newClient().createIncidentComment(
      INCIDENT_ID,
      COMMENT_ID,
      "c".repeat(SENTINEL_LIMITS.maxCommentLength),
    );
    expect(bodies).toHaveLength(1);
    for (const message of ["c".repeat(30_001), "", "   "]) {
      const e = await caught(newClient().createIncidentComment(INCIDENT_ID, COMMENT_ID, message));
      expect(isInvalidArgumentError(e)).toBe(true);
    }
    expect(recorder.requests).toHaveLength(1);
  });
});

describe("SentinelClient alerts, entities, delete", () => {
  it("lists alerts and entities with POST and an empty body", async () => {
    server.use(
      http.post(`${BASE}/incidents/${INCIDENT_ID}/alerts`, async ({ request }) => {
        expect(await request.text()).toBe("");
        return HttpResponse.json(alertsExample.responses["200"]!.body);
      }),
      http.post(`${BASE}/incidents/${INCIDENT_ID}/entities`, () =>
        HttpResponse.json(entitiesExample.responses["200"]!.body),
      ),
    );
    const client = newClient();
    const alerts = await client.listIncidentAlerts(INCIDENT_ID);
    const entities = await client.listIncidentEntities(INCIDENT_ID);
    expect(alerts[0]?.properties.systemAlertId).toBe("baa8a239-6fde-4ab7-a093-d09f7b75c58c");
    expect(entities.entities[0]?.kind).toBe("Account");
    expect(recorder.requests.map((r) => r.method)).toEqual(["POST", "POST"]);
  });

  it("entities without metaData give an empty list", async () => {
    server.use(
      http.post(`${BASE}/incidents/${INCIDENT_ID}/entities`, () => HttpResponse.json({ entities: [] })),
    );
    expect(await newClient().listIncidentEntities(INCIDENT_ID)).toEqual({ entities: [], metaData: [] });
  });

  it.each([200, 204])("deleteIncident resolves on %i", async (status) => {
    server.use(http.delete(`${BASE}/incidents/${INCIDENT_ID}`, () => new HttpResponse(null, { status })));
    await expect(newClient().deleteIncident(INCIDENT_ID)).resolves.toBeUndefined();
    expect(recorder.requests[0]?.method).toBe("DELETE");
  });

  it("deleteIncident resolves on the 404 of a missing incident, not on a missing workspace's", async () => {
    let code = "NotFound";
    server.use(
      http.delete(`${BASE}/incidents/${INCIDENT_ID}`, () =>
        HttpResponse.json({ error: { code, message: "gone" } }, { status: 404 }),
      ),
    );
    await expect(newClient().deleteIncident(INCIDENT_ID)).resolves.toBeUndefined();
    code = "ResourceNotFound";
    const e = (await caught(newClient().deleteIncident(INCIDENT_ID))) as HttpResponseError;
    expect(isNotFoundError(e)).toBe(true);
    expect(e.code).toBe("ResourceNotFound");
  });
});

// -------------------------------------------------------------------------------------------------------------
// Security, endpoints, rate limits

describe("SentinelClient security and budgets", () => {
  it("sends the token only to the ARM host, for the ARM scope", async () => {
    server.use(http.get(`${BASE}/incidents/${INCIDENT_ID}`, () => HttpResponse.json(incidentBody)));
    const credential = fakeCredential();
    const client = new SentinelClient(credential, {
      subscriptionId: SUB,
      resourceGroupName: RG,
      workspaceName: WS,
      ...FAST,
    });
    await client.getIncident(INCIDENT_ID);
    expect(credential.calls).toEqual([["https://management.azure.com/.default"]]);
    expect(recorder.requests.filter((r) => r.headers.authorization).map((r) => r.url.host)).toEqual([
      "management.azure.com",
    ]);
  });

  it("uses a sovereign ARM endpoint and its scope", async () => {
    const gov = BASE.replace(ARM_BASE, "https://management.usgovcloudapi.net");
    server.use(http.get(`${gov}/incidents/${INCIDENT_ID}`, () => HttpResponse.json(incidentBody)));
    const credential = fakeCredential();
    const client = new SentinelClient(credential, {
      subscriptionId: SUB,
      resourceGroupName: RG,
      workspaceName: WS,
      endpoint: "https://management.usgovcloudapi.net",
      ...FAST,
    });
    await client.getIncident(INCIDENT_ID);
    expect(credential.calls).toEqual([["https://management.usgovcloudapi.net/.default"]]);
    expect(recorder.requests.map((r) => r.url.host)).toEqual(["management.usgovcloudapi.net"]);
  });

  it("budgets reads and writes in separate buckets", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    server.use(
      http.get(`${BASE}/incidents/${INCIDENT_ID}`, () => HttpResponse.json(incidentBody)),
      http.put(`${BASE}/incidents/${INCIDENT_ID}`, () => HttpResponse.json(incidentBody)),
    );
    const client = newClient({
      rateLimit: { read: { capacity: 1, refillPerSecond: 1 }, write: { capacity: 1, refillPerSecond: 1 } },
    });
    await client.getIncident(INCIDENT_ID);
    // The read bucket is empty, but a write does not wait for it.
    await client.createOrUpdateIncident(INCIDENT_ID, newIncident);
    expect(recorder.requests).toHaveLength(2);
    const secondRead = client.getIncident(INCIDENT_ID);
    await vi.advanceTimersByTimeAsync(900);
    expect(recorder.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(150);
    await secondRead;
    expect(recorder.requests).toHaveLength(3);
    expect(client.metrics.snapshot()).toMatchObject({
      requests: 3,
      reads: 2,
      writes: 1,
      rateLimitWaitInMs: 1000,
    });
  });
});
