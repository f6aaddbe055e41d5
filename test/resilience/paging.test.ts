import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { isPagingError } from "../../src/core/errors";
import {
  DefenderClient,
  type DefenderClientOptions,
  isSyncSdkError,
  type PagedAsyncIterableIterator,
  type PagingError,
  SentinelClient,
  type SentinelClientOptions,
} from "../../src/index";
import { fakeCredential } from "../helpers/credential";
import { readJson } from "../helpers/fixtures";
import { ARM_BASE, GRAPH_BASE, server, useMswServer } from "../helpers/msw";

const recorder = useMswServer();

const FAST = { rateLimit: false, retryOptions: { retryDelayInMs: 1, maxRetries: 0 } } as const;
const defender = (options: DefenderClientOptions = {}) =>
  new DefenderClient(fakeCredential(), { ...FAST, ...options });
const sentinel = (options: Partial<SentinelClientOptions> = {}) =>
  new SentinelClient(fakeCredential(), {
    subscriptionId: SUB,
    resourceGroupName: "myRg",
    workspaceName: "myWorkspace",
    ...FAST,
    ...options,
  });

const INCIDENTS = `${GRAPH_BASE}/security/incidents`;
const ALERTS = `${GRAPH_BASE}/security/alerts_v2`;
const SUB = "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0";
const ARM_WS = `${ARM_BASE}/subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.OperationalInsights/workspaces/myWorkspace/providers/Microsoft.SecurityInsights`;
const SENTINEL_INCIDENTS = `${ARM_WS}/incidents`;
const INCIDENT_NAME = "73e01a99-5cd7-4139-a149-9f2736ff2ab5";
const COMMENTS = `${SENTINEL_INCIDENTS}/${INCIDENT_NAME}/comments`;

const graphIncident = readJson<{ value: Record<string, unknown>[] }>(
  "graph/examples/security-list-incidents.1.response.json",
).value[0]!;
const graphAlert = readJson<{ value: Record<string, unknown>[] }>(
  "graph/examples/security-list-alerts_v2.1.response.json",
).value[0]!;
const armIncident = readJson<{ responses: Record<string, { body: { value: Record<string, unknown>[] } }> }>(
  "sentinel/examples/incidents/GetIncidents.json",
).responses["200"]!.body.value[0]!;

/** The test's own bound: a listing that is still going after this many pages never ends. */
const RUNAWAY = 200;

/** Drains a listing page by page; returns the error it ended with (or fails the test if it ran away). */
async function drain<T>(
  iter: PagedAsyncIterableIterator<T, T[]>,
): Promise<{ pages: number; error: unknown }> {
  let pages = 0;
  try {
    for await (const _page of iter.byPage()) {
      if (++pages > RUNAWAY) throw new Error(`listing still running after ${RUNAWAY} pages`);
    }
  } catch (error) {
    return { pages, error };
  }
  return { pages, error: undefined };
}

function expectPagingError(error: unknown, reason: PagingError["reason"]): PagingError {
  if (!isPagingError(error)) throw error instanceof Error ? error : new Error(`not a PagingError: ${error}`);
  expect(isSyncSdkError(error)).toBe(true);
  expect(error.reason).toBe(reason);
  // Opaque skip tokens are credentials-adjacent: never in the message.
  expect(error.message).not.toMatch(/skiptoken=|tok-/i);
  return error;
}

describe("a nextLink already followed ends the listing with PagingError", () => {
  it("DefenderClient.listIncidents: the service keeps answering the same page and nextLink", async () => {
    const t1 = "2024-05-01T00:00:01Z";
    const t2 = "2024-05-01T00:00:02Z";
    server.use(
      http.get(INCIDENTS, () =>
        HttpResponse.json({
          value: [
            { ...graphIncident, id: "a", lastUpdateDateTime: t1 },
            { ...graphIncident, id: "b", lastUpdateDateTime: t2 },
          ],
          "@odata.nextLink": `${INCIDENTS}?$skiptoken=tok-same`,
        }),
      ),
    );
    const { pages, error } = await drain(defender().listIncidents());
    const e = expectPagingError(error, "repeatedLink");
    expect(e.service).toBe("defender");
    // First page, keyset page, the nextLink once; its second appearance is refused without being fetched.
    expect(recorder.requests).toHaveLength(3);
    expect(pages).toBe(3);
  });

  it("DefenderClient.listAlerts: nextLinks that cycle A → B → A", async () => {
    server.use(
      http.get(ALERTS, ({ request }) => {
        const at = new URL(request.url).searchParams.get("$skiptoken");
        const next = at === "tok-a" ? "tok-b" : "tok-a";
        return HttpResponse.json({
          value: [{ ...graphAlert, id: `alert-${at ?? "first"}` }],
          "@odata.nextLink": `${ALERTS}?$skiptoken=${next}`,
        });
      }),
    );
    const { error } = await drain(defender().listAlerts());
    expectPagingError(error, "repeatedLink");
    expect(recorder.requests.map((r) => r.url.searchParams.get("$skiptoken"))).toEqual([
      null,
      "tok-a",
      "tok-b",
    ]);
  });

  it("SentinelClient.listIncidents: a nextLink pointing at itself", async () => {
    const self = `${SENTINEL_INCIDENTS}?api-version=2025-09-01&$skipToken=tok-self`;
    server.use(
      http.get(SENTINEL_INCIDENTS, () => HttpResponse.json({ value: [armIncident], nextLink: self })),
    );
    const { error } = await drain(sentinel().listIncidents());
    const e = expectPagingError(error, "repeatedLink");
    expect(e.service).toBe("sentinel");
    expect(recorder.requests).toHaveLength(2);
  });
});

describe("empty pages that keep giving a new nextLink end with PagingError", () => {
  function endlessEmpty(url: string, shape: (next: string) => Record<string, unknown>) {
    let n = 0;
    return http.get(url, () =>
      HttpResponse.json(shape(`${url}?api-version=2025-09-01&$skipToken=tok-${++n}`)),
    );
  }

  it("DefenderClient.listIncidents stops after 10 consecutive empty pages by default", async () => {
    server.use(endlessEmpty(INCIDENTS, (next) => ({ value: [], "@odata.nextLink": next })));
    const { pages, error } = await drain(defender().listIncidents());
    const e = expectPagingError(error, "emptyPages");
    expect(recorder.requests).toHaveLength(10);
    expect(pages).toBe(10);
    expect(e.pages).toBe(10);
  });

  it("DefenderClient.listAlerts honours pagingOptions.maxConsecutiveEmptyPages", async () => {
    server.use(endlessEmpty(ALERTS, (next) => ({ value: [], "@odata.nextLink": next })));
    const { error } = await drain(defender({ pagingOptions: { maxConsecutiveEmptyPages: 3 } }).listAlerts());
    expectPagingError(error, "emptyPages");
    expect(recorder.requests).toHaveLength(3);
  });

  it("SentinelClient.listIncidents and listIncidentComments stop too", async () => {
    server.use(
      endlessEmpty(SENTINEL_INCIDENTS, (next) => ({ value: [], nextLink: next })),
      endlessEmpty(COMMENTS, (next) => ({ value: [], nextLink: next })),
    );
    const client = sentinel({ pagingOptions: { maxConsecutiveEmptyPages: 4 } });
    expectPagingError((await drain(client.listIncidents())).error, "emptyPages");
    expect(recorder.requests).toHaveLength(4);
    expectPagingError((await drain(client.listIncidentComments(INCIDENT_NAME))).error, "emptyPages");
    expect(recorder.requests).toHaveLength(8);
  });

  it("a listing with a few empty pages between full ones still completes", async () => {
    let n = 0;
    server.use(
      http.get(ALERTS, () => {
        n++;
        const value = n % 3 === 0 ? [{ ...graphAlert, id: `alert-${n}` }] : [];
        return HttpResponse.json({
          value,
          ...(n < 12 ? { "@odata.nextLink": `${ALERTS}?$skiptoken=tok-${n}` } : {}),
        });
      }),
    );
    // Runs of two empty pages, under a bound of three.
    const { pages, error } = await drain(
      defender({ pagingOptions: { maxConsecutiveEmptyPages: 3 } }).listAlerts(),
    );
    expect(error).toBeUndefined();
    expect(pages).toBe(12);
  });
});
