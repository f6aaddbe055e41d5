import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sourceKeysOfIncident } from "../../src/targets/sourceKeys";
import { MAX_ALERTS_PER_INCIDENT } from "../../src/testing/index";
import {
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
  await s.sentinel.createOrUpdateAlertRule(RULE, relayRule());
});
afterEach(() => s.srv.close());

/** Uploads rows, then moves past the run that sees them. */
async function relay(rows: Record<string, unknown>[]): Promise<void> {
  await s.ingest(rows);
  s.advance(10 * MINUTE);
}

const alertCounts = async () =>
  (await relayIncidents(s.defender)).map((i) => [sourceKeysOfIncident(i)[0]?.incidentId, i.alerts?.length]);

describe("incident grouping of the relay rule's alerts", () => {
  it("groups alerts by the selected custom details, across runs", async () => {
    await relay([row("A", "a1"), row("A", "a2"), row("B", "b1")]);
    expect(await alertCounts()).toEqual([
      ["A", 2],
      ["B", 1],
    ]);
    await relay([row("A", "a3")]);
    expect(await alertCounts()).toEqual([
      ["A", 3],
      ["B", 1],
    ]);
    // Defender names an incident with several alert titles itself.
    const [a] = await relayIncidents(s.defender);
    expect(a?.displayName).not.toBe("Suspicious activity a1");
  });

  it("opens a second incident once the lookback since the incident's first alert has passed", async () => {
    await relay([row("A", "a1")]);
    s.advance(40 * MINUTE);
    await relay([row("A", "a2")]); // 50 minutes after the first alert: still inside PT1H
    s.advance(60 * MINUTE);
    await relay([row("A", "a3")]);
    expect(await alertCounts()).toEqual([
      ["A", 2],
      ["A", 1],
    ]);
  });

  it("caps an incident at 150 alerts; the overflow opens another incident with the same details", async () => {
    await relay(Array.from({ length: 149 }, (_, i) => row("A", `a${i}`)));
    await relay([row("A", "a149"), row("A", "a150"), row("A", "a151")]);
    expect(await alertCounts()).toEqual([
      ["A", MAX_ALERTS_PER_INCIDENT],
      ["A", 2],
    ]);
    await relay([row("A", "a152")]);
    expect(await alertCounts()).toEqual([
      ["A", MAX_ALERTS_PER_INCIDENT],
      ["A", 3],
    ]);
  });

  it("puts the duplicate rows of a retried upload into the same incident", async () => {
    s.emu.unified.loseIngestionResponses(1);
    await relay([row("A", "a1")]);
    expect(s.emu.unified.rows(TABLE)).toHaveLength(2);
    expect(s.emu.logs.requests().map((r) => r.status)).toEqual([503, 204]);
    expect(s.emu.unified.alerts(RULE)).toHaveLength(2);
    expect(await alertCounts()).toEqual([["A", 2]]);
  });

  it("raises a retried row once when the query keeps one row per source alert", async () => {
    await s.sentinel.createOrUpdateAlertRule(
      RULE,
      relayRule({ query: `${TABLE} | summarize arg_max(TimeGenerated, *) by SourceAlertId` }),
    );
    s.emu.unified.loseIngestionResponses(1);
    await relay([row("A", "a1")]);
    expect(s.emu.unified.rows(TABLE)).toHaveLength(2);
    expect(await alertCounts()).toEqual([["A", 1]]);
  });

  it("never reopens a closed incident: a new alert makes a new incident", async () => {
    await relay([row("A", "a1")]);
    const [first] = await relayIncidents(s.defender);
    s.emu.unified.closeIncident(s.emu.tenantId, first!.id, {
      classification: "truePositive",
      determination: "malware",
    });
    await relay([row("A", "a2")]);
    const incidents = await relayIncidents(s.defender);
    expect(incidents.map((i) => [i.status, i.alerts?.length])).toEqual([
      ["resolved", 1],
      ["active", 1],
    ]);
    expect(incidents[1]!.id).not.toBe(first!.id);
  });

  it("follows a merge: the next alert joins the incident the grouped one was merged into", async () => {
    await relay([row("A", "a1"), row("B", "b1")]);
    const [a, b] = await relayIncidents(s.defender);
    s.emu.unified.mergeIncidents(s.emu.tenantId, a!.id, b!.id);
    await relay([row("A", "a2")]);
    const after = await relayIncidents(s.defender);
    expect(after.map((i) => i.id)).toEqual([b!.id]);
    expect(after[0]!.alerts?.length).toBe(3);
    const merged = await s.defender.getIncident(a!.id);
    expect(merged).toMatchObject({ status: "redirected", redirectIncidentId: b!.id });
  });
});

describe("Defender correlation (off by default)", () => {
  const shared = { HostName: "shared-host" };

  it("leaves incidents alone by default and for #DONT_CORR# rules", async () => {
    await relay([row("A", "a1", shared), row("B", "b1", shared)]);
    expect(await alertCounts()).toEqual([
      ["A", 1],
      ["B", 1],
    ]);
    s.emu.unified.setCorrelation(true);
    await relay([row("C", "c1", shared)]);
    expect((await relayIncidents(s.defender)).every((i) => i.status === "active")).toBe(true);
  });

  it("merges a new incident with an open one sharing an entity when the rule is not excluded", async () => {
    await s.srv.close();
    s = await unifiedSetup({ correlation: true, mergeDirection: "intoExisting" });
    await s.sentinel.createOrUpdateAlertRule(RULE, relayRule({ description: "relays alerts (correlated)" }));
    await relay([row("A", "a1", shared)]);
    await relay([row("B", "b1", shared)]);
    const all = [];
    for await (const i of s.defender.listIncidents({ expandAlerts: true })) all.push(i);
    const redirected = all.filter((i) => i.status === "redirected");
    expect(redirected).toHaveLength(1);
    const target = all.find((i) => i.id === redirected[0]!.redirectIncidentId)!;
    expect(sourceKeysOfIncident(target).map((k) => k.incidentId)).toEqual(["A", "B"]);
    expect(s.emu.unified.runs(RULE).at(-1)?.merges).toEqual([
      { sourceId: redirected[0]!.id, targetId: target.id },
    ]);
  });
});
