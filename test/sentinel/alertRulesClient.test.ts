import { HttpResponse, http, type JsonBodyType } from "msw";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, isConflictError } from "../../src/core/errors";
import { isScheduledAlertRule, NRT_ALERT_RULE_API_VERSION } from "../../src/sentinel/alertRuleModels";
import { SentinelClient } from "../../src/sentinel/sentinelClient";
import { fakeCredential } from "../helpers/credential";
import { readJson } from "../helpers/fixtures";
import { ARM_BASE, server, useMswServer } from "../helpers/msw";
import { ALERT_RULES_SPEC_PATH, validateSentinelDefinition } from "../helpers/openapi";

const recorder = useMswServer();

const SUB = "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0";
const BASE = `${ARM_BASE}/subscriptions/${SUB}/resourceGroups/myRg/providers/Microsoft.OperationalInsights/workspaces/myWorkspace/providers/Microsoft.SecurityInsights`;
const RULE_ID = "73e01a99-5cd7-4139-a149-9f2736ff2ab5";

interface Example {
  parameters: { alertRule?: any };
  responses: Record<string, { body?: JsonBodyType }>;
}
const create = readJson<Example>("sentinel/examples/alertRules/CreateScheduledAlertRule.json");
const get = readJson<Example>("sentinel/examples/alertRules/GetScheduledAlertRule.json");
const list = readJson<Example>("sentinel/examples/alertRules/GetAllAlertRules.json");
const exampleRule = create.parameters.alertRule as { kind: "Scheduled"; etag?: string; properties: any };

const newClient = (apiVersion?: string) =>
  new SentinelClient(fakeCredential(), {
    subscriptionId: SUB,
    resourceGroupName: "myRg",
    workspaceName: "myWorkspace",
    rateLimit: false,
    retryOptions: { retryDelayInMs: 1, maxRetries: 1 },
    ...(apiVersion ? { apiVersion } : {}),
  });

/** Records each PUT (URL and body) and answers with the example's 201 body. */
function capturePuts(): { url: URL; body: any }[] {
  const puts: { url: URL; body: any }[] = [];
  server.use(
    http.put(`${BASE}/alertRules/:ruleId`, async ({ request }) => {
      puts.push({ url: new URL(request.url), body: await request.json() });
      return HttpResponse.json(create.responses["201"]!.body, { status: 201 });
    }),
  );
  return puts;
}

describe("createOrUpdateAlertRule", () => {
  it("PUTs kind, etag and properties; the body validates against the spec; the answer is parsed", async () => {
    const puts = capturePuts();
    const { etag: _etag, ...rule } = exampleRule;
    const saved = await newClient().createOrUpdateAlertRule(RULE_ID, rule, { etag: '"0300bf09"' });
    expect(puts).toHaveLength(1);
    expect(puts[0]!.url.pathname).toBe(new URL(`${BASE}/alertRules/${RULE_ID}`).pathname);
    expect(puts[0]!.url.searchParams.get("api-version")).toBe("2025-09-01");
    expect(puts[0]!.body).toEqual({
      kind: "Scheduled",
      etag: '"0300bf09"',
      properties: exampleRule.properties,
    });
    expect(
      validateSentinelDefinition(ALERT_RULES_SPEC_PATH, "ScheduledAlertRule", puts[0]!.body).errors,
    ).toEqual([]);
    expect(isScheduledAlertRule(saved) && saved.properties.lastModifiedUtc).toBe("2021-03-01T13:15:30Z");
  });

  it("sends back a rule read with getAlertRule (read-only fields and nulls dropped)", async () => {
    server.use(http.get(`${BASE}/alertRules/:ruleId`, () => HttpResponse.json(get.responses["200"]!.body)));
    const puts = capturePuts();
    const client = newClient();
    const read = await client.getAlertRule(RULE_ID);
    if (!read || !isScheduledAlertRule(read)) throw new Error("expected a scheduled rule");
    read.properties.enabled = false;
    await client.createOrUpdateAlertRule(RULE_ID, read, { etag: read.etag ?? undefined });
    const body = puts[0]!.body;
    expect(body.properties.enabled).toBe(false);
    expect(body.properties).not.toHaveProperty("lastModifiedUtc");
    expect(body).not.toHaveProperty("id");
    expect(validateSentinelDefinition(ALERT_RULES_SPEC_PATH, "ScheduledAlertRule", body).errors).toEqual([]);
  });

  it("a stale etag's 409 becomes a ConflictError", async () => {
    server.use(
      http.put(`${BASE}/alertRules/:ruleId`, () =>
        HttpResponse.json(
          { error: { code: "Conflict", message: "Newer version of resource exists" } },
          { status: 409 },
        ),
      ),
    );
    const e = await newClient()
      .createOrUpdateAlertRule(RULE_ID, exampleRule, { etag: '"old"' })
      .catch((err: unknown) => err);
    expect(isConflictError(e)).toBe(true);
    expect((e as { code?: string }).code).toBe("Conflict");
  });

  it("sends NRT rules with the preview api-version unless told otherwise", async () => {
    const puts = capturePuts();
    const { queryFrequency, queryPeriod, triggerOperator, triggerThreshold, ...nrtProperties } =
      exampleRule.properties;
    expect(queryFrequency && queryPeriod && triggerOperator).toBeTruthy();
    expect(triggerThreshold).toBe(0);
    const client = newClient();
    await client.createOrUpdateAlertRule(RULE_ID, { kind: "NRT", properties: nrtProperties });
    await client.createOrUpdateAlertRule(
      RULE_ID,
      { kind: "NRT", properties: nrtProperties },
      { apiVersion: "2024-01-01-preview" },
    );
    await newClient("2025-10-01-preview").createOrUpdateAlertRule(RULE_ID, {
      kind: "NRT",
      properties: nrtProperties,
    });
    await client.createOrUpdateAlertRule(RULE_ID, exampleRule, { apiVersion: "2025-07-01-preview" });
    expect(puts.map((p) => p.url.searchParams.get("api-version"))).toEqual([
      NRT_ALERT_RULE_API_VERSION,
      "2024-01-01-preview",
      "2025-10-01-preview",
      "2025-07-01-preview",
    ]);
    expect(puts[0]!.body).toEqual({ kind: "NRT", properties: nrtProperties });
  });

  it("refuses invalid rules, rule ids and api-versions before sending anything", async () => {
    const client = newClient();
    const bad = {
      kind: "Scheduled" as const,
      properties: { ...exampleRule.properties, queryFrequency: "PT1M" },
    };
    await expect(client.createOrUpdateAlertRule(RULE_ID, bad)).rejects.toThrow(/queryFrequency/);
    await expect(client.createOrUpdateAlertRule("a/b", exampleRule)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(client.getAlertRule("..")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.getAlertRule(RULE_ID, { apiVersion: "latest&x=1" })).rejects.toThrow(/apiVersion/);
    expect(recorder.requests).toEqual([]);
  });
});

describe("getAlertRule, listAlertRules, deleteAlertRule", () => {
  it("gets a rule, and undefined for a 404", async () => {
    server.use(
      http.get(`${BASE}/alertRules/:ruleId`, ({ params }) =>
        params.ruleId === RULE_ID
          ? HttpResponse.json(get.responses["200"]!.body)
          : HttpResponse.json({ error: { code: "NotFound", message: "no" } }, { status: 404 }),
      ),
    );
    const client = newClient();
    const rule = await client.getAlertRule(RULE_ID, { apiVersion: NRT_ALERT_RULE_API_VERSION });
    expect(rule?.name).toBe(RULE_ID);
    expect(rule?.kind).toBe("Scheduled");
    expect(recorder.requests[0]!.url.searchParams.get("api-version")).toBe(NRT_ALERT_RULE_API_VERSION);
    expect(await client.getAlertRule("BuiltInFusion")).toBeUndefined();
  });

  it("lists every page by following nextLink, keeping rules of every kind", async () => {
    const firstPage = list.responses["200"]!.body as { value: unknown[] };
    const nextLink = `${BASE}/alertRules?api-version=2025-09-01&$skipToken=abc`;
    server.use(
      http.get(`${BASE}/alertRules`, ({ request }) => {
        const token = new URL(request.url).searchParams.get("$skipToken");
        if (token === null) return HttpResponse.json({ value: firstPage.value.slice(0, 2), nextLink });
        return HttpResponse.json({
          value: [...firstPage.value.slice(2), { name: "ti", kind: "ThreatIntelligence" }],
        });
      }),
    );
    const kinds: string[] = [];
    for await (const rule of newClient().listAlertRules()) kinds.push(rule.kind);
    expect(kinds).toEqual(["Scheduled", "MicrosoftSecurityIncidentCreation", "Fusion", "ThreatIntelligence"]);
    expect(recorder.requests.map((r) => r.url.searchParams.get("$skipToken"))).toEqual([null, "abc"]);
  });

  it("an invalid rule in a page goes to onInvalidItem and the rest is returned", async () => {
    server.use(
      http.get(`${BASE}/alertRules`, () =>
        HttpResponse.json({
          value: [{ kind: "Scheduled", properties: { query: 1 } }, get.responses["200"]!.body],
        }),
      ),
    );
    const invalid: unknown[] = [];
    const names: (string | null | undefined)[] = [];
    for await (const rule of newClient().listAlertRules({ onInvalidItem: (_e, raw) => invalid.push(raw) }))
      names.push(rule.name);
    expect(names).toEqual([RULE_ID]);
    expect(invalid).toHaveLength(1);
  });

  it("deletes, and succeeds when the rule is already gone", async () => {
    const statuses = [200, 204, 404];
    server.use(
      http.delete(`${BASE}/alertRules/:ruleId`, () => {
        const status = statuses.shift()!;
        return status === 404
          ? HttpResponse.json({ error: { code: "NotFound", message: "gone" } }, { status })
          : new HttpResponse(null, { status });
      }),
    );
    const client = newClient();
    for (let i = 0; i < 3; i++) await client.deleteAlertRule(RULE_ID);
    expect(recorder.requests.map((r) => r.method)).toEqual(["DELETE", "DELETE", "DELETE"]);
    expect(statuses).toEqual([]);
  });
});
