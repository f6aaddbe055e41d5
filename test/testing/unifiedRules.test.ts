import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestError, ConflictError } from "../../src/core/errors";
import { ALERT_RULES_PAGE_SIZE } from "../../src/testing/index";
import { API, json, serverBase } from "./helpers";
import { relayRule, type UnifiedSetup, unifiedSetup } from "./unifiedFixtures";

let s: UnifiedSetup;
beforeAll(async () => {
  s = await unifiedSetup();
});
afterAll(() => s.srv.close());

const RULE = "73e01a99-5cd7-4139-a149-9f2736ff2ab5";

async function put(body: unknown, apiVersion = "2025-09-01", name = RULE): Promise<Response> {
  return fetch(`${serverBase(s.srv)}/alertRules/${name}?api-version=${apiVersion}`, {
    method: "PUT",
    headers: { authorization: "Bearer emulator-token:x", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function props(patch: Record<string, unknown>) {
  const r = relayRule();
  return { kind: r.kind, properties: { ...r.properties, ...patch } };
}

describe("ARM alertRules on the emulator", () => {
  it("creates (201), keeps an unchanged PUT (200, same etag), updates (200, new etag) and refuses a stale etag (409)", async () => {
    s.emu.reset();
    const created = await put(relayRule());
    expect(created.status).toBe(201);
    const body = await json(created);
    expect(body).toMatchObject({
      name: RULE,
      type: "Microsoft.SecurityInsights/alertRules",
      kind: "Scheduled",
      properties: { displayName: "Defender relay", queryFrequency: "PT5M", alertRuleTemplateName: null },
    });
    expect(body.id).toBe(
      `/subscriptions/${s.srv.subscriptionId}/resourceGroups/${s.srv.resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/${s.srv.workspaceName}/providers/Microsoft.SecurityInsights/alertRules/${RULE}`,
    );
    expect(body.etag).toMatch(/^"[0-9a-f-]{36}"$/);
    expect(body.properties.lastModifiedUtc).toBe("2025-06-01T00:00:00Z");

    const again = await s.sentinel.createOrUpdateAlertRule(RULE, relayRule());
    expect(again.etag).toBe(body.etag);
    const changed = await s.sentinel.createOrUpdateAlertRule(RULE, relayRule({ period: "PT10M" }), {
      etag: body.etag,
    });
    expect(changed.etag).not.toBe(body.etag);
    await expect(
      s.sentinel.createOrUpdateAlertRule(RULE, relayRule({ period: "PT15M" }), { etag: body.etag }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await s.sentinel.getAlertRule(RULE))?.etag).toBe(changed.etag);
    expect(s.emu.stats().sentinel.byRoute["PUT /alertRules/{ruleId}"]).toBe(4);
  });

  it("gets 404 → undefined, deletes with 200 then 204, and lists in pages of 50 with nextLink", async () => {
    s.emu.reset();
    expect(await s.sentinel.getAlertRule("absent")).toBeUndefined();
    const missing = await fetch(`${serverBase(s.srv)}/alertRules/absent?${API}`, {
      headers: { authorization: "Bearer t" },
    });
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.code).toBe("NotFound");
    for (let i = 0; i < ALERT_RULES_PAGE_SIZE + 1; i++) {
      await s.sentinel.createOrUpdateAlertRule(
        `rule-${i}`,
        relayRule({ displayName: `rule ${i}`, enabled: false }),
      );
    }
    const first = await json(
      await fetch(`${serverBase(s.srv)}/alertRules?${API}`, { headers: { authorization: "Bearer t" } }),
    );
    expect(first.value).toHaveLength(50);
    expect(first.nextLink).toContain("$skipToken=");
    const names: string[] = [];
    for await (const r of s.sentinel.listAlertRules()) names.push(r.name!);
    expect(names).toHaveLength(51);
    expect(new Set(names).size).toBe(51);
    const del = (name: string) =>
      fetch(`${serverBase(s.srv)}/alertRules/${name}?${API}`, {
        method: "DELETE",
        headers: { authorization: "Bearer t" },
      });
    expect((await del("rule-0")).status).toBe(200);
    expect((await del("rule-0")).status).toBe(204);
    await s.sentinel.deleteAlertRule("rule-1");
    expect(s.emu.unified.rules()).toHaveLength(49);
  });

  it("refuses NRT on the stable api-version and accepts it on a preview one", async () => {
    s.emu.reset();
    const nrt = { kind: "NRT", properties: { ...relayRule().properties } };
    for (const k of ["queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold"])
      delete (nrt.properties as Record<string, unknown>)[k];
    const stable = await put(nrt, "2025-09-01", "nrt");
    expect(stable.status).toBe(400);
    const error = (await json(stable)).error;
    expect(error.code).toBe("BadRequest");
    expect(error.message).toMatch(/NRT.*preview/);
    await expect(
      s.sentinel.createOrUpdateAlertRule("nrt", nrt as never, { apiVersion: "2025-09-01" }),
    ).rejects.toBeInstanceOf(BadRequestError);
    expect((await put(nrt, "2025-07-01-preview", "nrt")).status).toBe(201);
    // The client sends NRT with its preview api-version by itself.
    const viaClient = await s.sentinel.createOrUpdateAlertRule("nrt2", nrt as never);
    expect(viaClient.kind).toBe("NRT");
    expect(s.emu.unified.nextRunAt("nrt")?.toISOString()).toBe("2025-06-01T00:03:00.000Z");
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ["a frequency under 5 minutes", { queryFrequency: "PT4M" }, /queryFrequency/],
    ["a period over 14 days", { queryPeriod: "P15D" }, /queryPeriod/],
    ["a frequency above the period", { queryFrequency: "PT10M", queryPeriod: "PT5M" }, /less than or equal/],
    [
      "a period over 2 days with a frequency under 1 hour",
      { queryFrequency: "PT30M", queryPeriod: "P3D" },
      /at least 1 hour/,
    ],
    ["a missing query", { query: undefined }, /'query'/],
    ["an empty query", { query: "" }, /query/],
    ["an unknown severity", { severity: "Critical" }, /severity/],
    ["a bad trigger operator", { triggerOperator: "Above" }, /triggerOperator/],
    ["a non-duration", { suppressionDuration: "5 hours" }, /ISO 8601/],
    [
      "an identifier the entity type lacks",
      {
        entityMappings: [{ entityType: "IP", fieldMappings: [{ identifier: "HostName", columnName: "h" }] }],
      },
      /identifier of entity type 'IP'/,
    ],
    [
      "four parameters in the alert name",
      { alertDetailsOverride: { alertDisplayNameFormat: "{{A}}{{B}}{{C}}{{D}}" } },
      /at most 3/,
    ],
    [
      "21 custom details",
      { customDetails: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`K${i}`, "c"])) },
      /at most 20/,
    ],
    [
      "grouping on a custom detail the rule lacks",
      {
        incidentConfiguration: {
          createIncident: true,
          groupingConfiguration: {
            enabled: true,
            reopenClosedIncident: false,
            lookbackDuration: "PT1H",
            matchingMethod: "Selected",
            groupByCustomDetails: ["Nope"],
          },
        },
      },
      /Nope/,
    ],
    [
      "a lookback over 7 days",
      {
        incidentConfiguration: {
          createIncident: true,
          groupingConfiguration: {
            enabled: true,
            reopenClosedIncident: false,
            lookbackDuration: "P8D",
            matchingMethod: "AnyAlert",
          },
        },
      },
      /lookbackDuration/,
    ],
    ["an unknown tactic", { tactics: ["Sneaking"] }, /tactics/],
  ];
  it.each(invalid)("answers 400 with a CloudError for %s", async (_name, patch, message) => {
    const res = await put(props(patch));
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe("BadRequest");
    expect(body.error.message).toMatch(message);
    expect(res.headers.get("x-ms-request-id")).toBeTruthy();
  });

  it("refuses an unknown kind, a body without properties and a kind change", async () => {
    s.emu.reset();
    expect((await put({ kind: "Anomaly", properties: {} })).status).toBe(400);
    expect((await put({ kind: "Scheduled" })).status).toBe(400);
    expect((await put(relayRule())).status).toBe(201);
    const fusion = await put({
      kind: "Fusion",
      properties: { enabled: true, alertRuleTemplateName: "f71aba3d-28fb-450b-b192-4e76a83015c8" },
    });
    expect(fusion.status).toBe(400);
    expect((await json(fusion)).error.message).toMatch(/cannot be changed/);
  });
});
