import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sourceKeysOfIncident } from "../../src/targets/sourceKeys";
import { NRT_ALERTS_PER_RUN, SCHEDULED_ALERTS_PER_RUN } from "../../src/testing/index";
import {
  CUSTOMER,
  MINUTE,
  relayIncidents,
  relayRule,
  row,
  TABLE,
  type UnifiedSetup,
  unifiedSetup,
} from "./unifiedFixtures";

const RULE = "relay";
let s: UnifiedSetup;
beforeEach(async () => {
  s = await unifiedSetup();
});
afterEach(() => s.srv.close());

describe("rule cadence and the built-in delay", () => {
  it("runs a Scheduled rule every queryFrequency, 5 minutes after each scheduled time, over TimeGenerated in [S − period, S)", async () => {
    await s.sentinel.createOrUpdateAlertRule(RULE, relayRule());
    expect(s.emu.unified.nextRunAt(RULE)?.toISOString()).toBe("2025-06-01T00:05:00.000Z");
    s.advance(MINUTE);
    await s.ingest([row("i1", "a1")]);
    expect(s.emu.unified.rows(TABLE)[0]?.row.TimeGenerated).toBe("2025-06-01T00:01:00.000Z");

    s.advance(4 * MINUTE); // 00:05, scheduled 00:00: the row is after the window
    expect(s.emu.unified.runs(RULE)).toMatchObject([
      {
        runAt: "2025-06-01T00:05:00.000Z",
        scheduledAt: "2025-06-01T00:00:00.000Z",
        window: { start: "2025-05-31T23:55:00.000Z", end: "2025-06-01T00:00:00.000Z", on: "TimeGenerated" },
        results: 0,
      },
    ]);
    expect(await relayIncidents(s.defender)).toEqual([]);

    s.advance(4 * MINUTE); // 00:09: nothing due
    expect(s.emu.unified.runs(RULE)).toHaveLength(1);
    s.advance(MINUTE); // 00:10, scheduled 00:05: the row is in
    const [incident] = await relayIncidents(s.defender);
    expect(s.emu.unified.runs(RULE).at(-1)).toMatchObject({
      runAt: "2025-06-01T00:10:00.000Z",
      results: 1,
      triggered: true,
    });
    const alert = incident!.alerts![0]!;
    expect(alert).toMatchObject({
      serviceSource: "microsoftSentinel",
      detectionSource: "scheduledAlerts",
      productName: "Microsoft Sentinel",
      title: "Suspicious activity a1",
      description: `Relayed from ${CUSTOMER}`,
      severity: "high",
      detectorId: RULE,
      customDetails: { SourceTenantId: CUSTOMER, SourceIncidentId: "i1", SourceAlertId: "a1" },
      additionalData: { SourceIncidentId: ["i1"] },
    });
    expect(alert.createdDateTime).toMatch(/^2025-06-01T00:10:00\.\d{7}Z$/);
    expect(alert.evidence?.map((e) => e["@odata.type"])).toEqual([
      "#microsoft.graph.security.deviceEvidence",
      "#microsoft.graph.security.ipEvidence",
      "#microsoft.graph.security.userEvidence",
    ]);
    expect(alert.evidence?.[2]).toMatchObject({
      userAccount: { accountName: "alice", userPrincipalName: "alice@contoso.com" },
    });
    expect(incident).toMatchObject({
      displayName: "Suspicious activity a1",
      severity: "high",
      status: "active",
    });
    expect(sourceKeysOfIncident(incident!)).toEqual([{ tenantId: CUSTOMER, incidentId: "i1" }]);

    s.advance(5 * MINUTE); // the row is not seen twice
    expect(s.emu.unified.runs(RULE).at(-1)?.results).toBe(0);
    expect(s.emu.unified.alerts(RULE)).toHaveLength(1);
  });

  it("runs when the next request arrives, without runDue()", async () => {
    await s.sentinel.createOrUpdateAlertRule(RULE, relayRule());
    await s.ingest([row("i1", "a1")]);
    s.clock.advance(10 * MINUTE);
    expect((await relayIncidents(s.defender)).map((i) => i.alerts?.length)).toEqual([1]);
  });

  it("runs an NRT rule every minute with a 2-minute delay over ingestion time, at most 30 alerts per run", async () => {
    const nrt = relayRule();
    for (const k of ["queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold"])
      delete (nrt.properties as Record<string, unknown>)[k];
    await s.sentinel.createOrUpdateAlertRule("nrt", { ...nrt, kind: "NRT" } as never);
    // An hour-old TimeGenerated does not matter to NRT: it reads ingestion time.
    await s.ingest(
      Array.from({ length: 40 }, (_, i) => row("i1", `a${i}`, { TimeGenerated: "2025-05-31T23:00:00Z" })),
    );
    s.advance(2 * MINUTE);
    expect(s.emu.unified.runs("nrt")).toHaveLength(0);
    s.advance(MINUTE); // 00:03 runs the 00:01 schedule over ingestion [00:00, 00:01)
    const [run] = s.emu.unified.runs("nrt");
    expect(run).toMatchObject({
      kind: "NRT",
      scheduledAt: "2025-06-01T00:01:00.000Z",
      results: 40,
      summarizedResults: 40 - (NRT_ALERTS_PER_RUN - 1),
    });
    expect(run!.alertIds).toHaveLength(NRT_ALERTS_PER_RUN);
    expect(s.emu.unified.alerts("nrt")[0]?.alert.detectionSource).toBe("nrtAlerts");
    s.advance(MINUTE);
    expect(s.emu.unified.runs("nrt").at(-1)).toMatchObject({ results: 0, window: { on: "ingestionTime" } });
  });

  it("misses a late row a short period cannot see, and re-stamps a TimeGenerated more than 2 days old", async () => {
    await s.sentinel.createOrUpdateAlertRule(RULE, relayRule());
    await s.ingest([
      row("late", "a1", { TimeGenerated: "2025-05-31T21:00:00Z" }),
      row("old", "a2", { TimeGenerated: "2025-05-20T00:00:00Z" }),
    ]);
    s.advance(30 * MINUTE);
    const alerts = s.emu.unified.alerts(RULE);
    expect(alerts.map((a) => a.alert.customDetails.SourceIncidentId)).toEqual(["old"]);
    expect(s.emu.unified.rows(TABLE).map((r) => r.row.TimeGenerated)).toEqual([
      "2025-05-31T21:00:00.000Z",
      "2025-06-01T00:00:00.000Z",
    ]);
  });
});

describe("ago() in the query: execution time (default) versus scheduled time", () => {
  const lookback = (query: string) => relayRule({ query, period: "P2D" });
  const naive = `${TABLE} | where ingestion_time() > ago(5m)`;
  const robust = `${TABLE} | where ingestion_time() between (ago(10m) .. ago(5m))`;

  it("a rule keyed on ingestion_time() > ago(queryFrequency) never sees a fresh row when ago() counts from execution", async () => {
    await s.sentinel.createOrUpdateAlertRule("naive", lookback(naive));
    await s.sentinel.createOrUpdateAlertRule("robust", lookback(robust));
    s.advance(MINUTE);
    await s.ingest([row("i1", "a1")]);
    s.advance(30 * MINUTE);
    expect(s.emu.unified.alerts("naive")).toHaveLength(0);
    expect(s.emu.unified.alerts("robust")).toHaveLength(1);
  });

  it("with agoReference scheduledTime both queries raise the row exactly once", async () => {
    await s.srv.close();
    s = await unifiedSetup({ agoReference: "scheduledTime" });
    await s.sentinel.createOrUpdateAlertRule("naive", lookback(naive));
    await s.sentinel.createOrUpdateAlertRule("robust", lookback(robust));
    s.advance(MINUTE);
    await s.ingest([row("i1", "a1")]);
    s.advance(30 * MINUTE);
    expect(s.emu.unified.alerts("naive")).toHaveLength(1);
    expect(s.emu.unified.alerts("robust")).toHaveLength(1);
  });

  it("an overlapping period without an ingestion filter raises the same row on every run that covers it", async () => {
    await s.sentinel.createOrUpdateAlertRule(RULE, relayRule({ period: "PT15M" }));
    await s.ingest([row("i1", "a1")]);
    s.advance(40 * MINUTE);
    expect(s.emu.unified.alerts(RULE)).toHaveLength(3);
    expect((await relayIncidents(s.defender)).map((i) => i.alerts?.length)).toEqual([3]);
  });
});

describe("alerts per run", () => {
  it("raises 149 single alerts and a 150th that summarises the rest (Scheduled, AlertPerResult)", async () => {
    await s.sentinel.createOrUpdateAlertRule(RULE, relayRule());
    await s.ingest(Array.from({ length: 160 }, (_, i) => row("big", `a${i}`)));
    s.advance(10 * MINUTE);
    const alerts = s.emu.unified.alerts(RULE);
    expect(alerts).toHaveLength(SCHEDULED_ALERTS_PER_RUN);
    expect(alerts.filter((a) => a.summary)).toHaveLength(1);
    const summary = alerts.at(-1)!;
    expect(summary).toMatchObject({ summary: true, resultCount: 11 });
    expect(JSON.parse(summary.alert.customDetails.SourceAlertId!)).toEqual(
      Array.from({ length: 11 }, (_, i) => `a${149 + i}`),
    );
    expect(s.emu.unified.runs(RULE).at(-1)).toMatchObject({ results: 160, summarizedResults: 11 });
    // Rows past the cap have no alert of their own: a relay must keep each run under it.
    const single = new Set(alerts.filter((a) => !a.summary).map((a) => a.alert.customDetails.SourceAlertId));
    expect(single.has("a149")).toBe(false);
  });

  it("raises one alert for all results with SingleAlert, and none below the trigger threshold", async () => {
    await s.sentinel.createOrUpdateAlertRule(
      "single",
      relayRule({ eventGroupingSettings: { aggregationKind: "SingleAlert" } }),
    );
    await s.sentinel.createOrUpdateAlertRule("threshold", relayRule({ triggerThreshold: 5 }));
    await s.ingest([row("i1", "a1"), row("i1", "a2"), row("i2", "a3")]);
    s.advance(10 * MINUTE);
    const [single] = s.emu.unified.alerts("single");
    expect(single?.alert.additionalData).toMatchObject({
      SourceIncidentId: ["i1", "i2"],
      SourceAlertId: ["a1", "a2", "a3"],
    });
    expect(s.emu.unified.alerts("single")).toHaveLength(1);
    expect(s.emu.unified.alerts("threshold")).toHaveLength(0);
    expect(s.emu.unified.runs("threshold").at(-1)).toMatchObject({ results: 3, triggered: false });
  });

  it("keeps alerts of a rule with createIncident false out of Graph", async () => {
    await s.sentinel.createOrUpdateAlertRule(
      RULE,
      relayRule({ incidentConfiguration: { createIncident: false } }),
    );
    await s.ingest([row("i1", "a1")]);
    s.advance(10 * MINUTE);
    expect(s.emu.unified.alerts(RULE)).toMatchObject([{ incidentId: undefined }]);
    expect(await relayIncidents(s.defender)).toEqual([]);
    const seen = [];
    for await (const a of s.defender.listAlerts({}))
      if (a.serviceSource === "microsoftSentinel") seen.push(a);
    expect(seen).toEqual([]);
  });
});
