/**
 * Wire choices no Microsoft page confirms ($orderby on incidents, the alerts_v2 incidentId filter, PATCH status
 * inProgress, $expand=alerts): when the service refuses one, the client falls back, remembers it (the failing
 * request is not sent twice), warns once, and the engine neither fails nor quarantines an incident.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import {
  BadRequestError,
  type IncidentFailedEvent,
  type SyncReport,
  type SyncWarning,
} from "defender-sentinel-sync";
import { describe, expect, it } from "vitest";
import { nameOf, openIncidents, runToQuiescence, type SyncSetup, useSyncSetups } from "../helpers/engine";

const setup = useSyncSetups();

interface Sent {
  method: string;
  url: URL;
  body: unknown;
}

/** Records every attempt (after retries) a client sends. */
function recorder(): { sent: Sent[]; policies: { policy: PipelinePolicy; position: "perRetry" }[] } {
  const sent: Sent[] = [];
  const policy: PipelinePolicy = {
    name: "recorder",
    sendRequest(request, next) {
      const body = typeof request.body === "string" ? JSON.parse(request.body) : undefined;
      sent.push({ method: request.method, url: new URL(request.url), body });
      return next(request);
    },
  };
  return { sent, policies: [{ policy, position: "perRetry" }] };
}

async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) out.push(item);
  return out;
}

/** A Defender client on the setup's server that records what it sends and the warnings it emits. */
function recordingDefender(t: SyncSetup) {
  const rec = recorder();
  const { defender } = t.clients({ defender: rec.policies });
  const warnings: SyncWarning[] = [];
  defender.onWarning((w) => warnings.push(w));
  return { defender, sent: rec.sent, warnings };
}

const isIncidentList = (s: Sent) => s.method === "GET" && s.url.pathname.endsWith("/security/incidents");
const isAlertFilter = (s: Sent) =>
  s.url.pathname.endsWith("/security/alerts_v2") &&
  /incidentId/.test(s.url.searchParams.get("$filter") ?? "");

/** An engine over recording clients, with its warnings and failures. */
async function recordingEngine(options: Parameters<typeof setup>[0] = {}) {
  const t = await setup(options);
  const rec = recorder();
  const { defender, sentinel } = t.clients({ defender: rec.policies });
  const engine = t.restart({ defender, sentinel });
  const warnings: SyncWarning[] = [];
  const failed: IncidentFailedEvent[] = [];
  engine.on("warning", (w) => warnings.push(w));
  engine.on("incident.failed", (e) => failed.push(e));
  return { t, engine, sent: rec.sent, warnings, failed };
}

const quarantined = async (t: SyncSetup) => {
  const ids = t.emu.defender.listIncidents().map((i) => i.id);
  const records = await Promise.all(ids.map((id) => t.store.getRecord(id)));
  return records.filter((r) => r?.quarantine).map((r) => r!.defenderId);
};

describe("$orderby refused on the incident list", () => {
  it("lists every incident once by following nextLink, sends $orderby once, warns once", async () => {
    const t = await setup({ incidents: 120 });
    t.emu.refuse({ defender: { orderby: true } });
    const { defender, sent, warnings } = recordingDefender(t);

    const ids = (await collect(defender.listIncidents())).map((i) => i.id);
    expect([...ids].sort()).toEqual(
      t.emu.defender
        .listIncidents()
        .map((i) => i.id)
        .sort(),
    );
    expect(new Set(ids).size).toBe(120);
    expect(sent.filter((s) => s.url.searchParams.has("$orderby"))).toHaveLength(1);
    expect(warnings.map((w) => w.code)).toEqual(["orderbyRefused"]);

    // Remembered: a second listing never asks for $orderby and does not warn again.
    sent.length = 0;
    expect(await collect(defender.listIncidents())).toHaveLength(120);
    expect(sent.filter((s) => s.url.searchParams.has("$orderby"))).toEqual([]);
    expect(sent.filter(isIncidentList)).toHaveLength(3);
    expect(warnings).toHaveLength(1);
  });

  it("a 400 that is not about $orderby is thrown and not remembered", async () => {
    const t = await setup({ incidents: 3 });
    const { defender, sent, warnings } = recordingDefender(t);
    const e = await collect(defender.listIncidents({ filter: "nosuchfield eq 'x'" })).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(BadRequestError);
    expect(warnings).toEqual([]);
    sent.length = 0;
    await collect(defender.listIncidents());
    expect(sent[0]?.url.searchParams.get("$orderby")).toBe("lastUpdateDateTime asc");
  });

  it("engine: a cycle syncs every incident with no failure and one warning", async () => {
    const { t, engine, sent, warnings, failed } = await recordingEngine({
      incidents: 5,
      emulator: { refuse: { defender: { orderby: true } } },
    });
    const r = await engine.runOnce();
    expect(failed).toEqual([]);
    expect(r.counts.created).toBe(5);
    expect(warnings.map((w) => w.code)).toEqual(["orderbyRefused"]);
    await engine.runOnce();
    expect(warnings).toHaveLength(1);
    expect(sent.filter((s) => s.url.searchParams.has("$orderby"))).toHaveLength(1);
    expect(await quarantined(t)).toEqual([]);
  });
});

describe("$expand=alerts failing with 5xx", () => {
  it("lists without it from then on and reads each incident's alerts with its own $expand", async () => {
    const t = await setup({ incidents: 6 });
    t.emu.refuse({ defender: { expandAlerts: 500 } });
    const { defender, sent, warnings } = recordingDefender(t);

    const incidents = await collect(defender.listIncidents({ expandAlerts: true }));
    expect(incidents).toHaveLength(6);
    for (const i of incidents) {
      expect(
        i.alerts?.map((a) => a.id),
        i.id,
      ).toEqual(t.emu.defender.getIncident(i.id)!.alerts.map((a) => a.id));
    }
    const expandedLists = sent.filter((s) => isIncidentList(s) && s.url.searchParams.has("$expand"));
    expect(expandedLists.length).toBeGreaterThan(0);
    expect(warnings.map((w) => w.code)).toEqual(["expandAlertsFailed"]);

    sent.length = 0;
    await collect(defender.listIncidents({ expandAlerts: true }));
    expect(sent.filter((s) => isIncidentList(s) && s.url.searchParams.has("$expand"))).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it("getIncident reads the alerts through the incident filter when its own $expand fails", async () => {
    const t = await setup({ incidents: 3 });
    t.emu.refuse({ defender: { expandAlertsOnGet: 503 } });
    const { defender, warnings } = recordingDefender(t);
    const id = t.emu.defender.listIncidents()[0]!.id;
    const incident = await defender.getIncident(id, { expandAlerts: true });
    expect(incident?.alerts?.map((a) => a.id).sort()).toEqual(
      t.emu.defender
        .getIncident(id)!
        .alerts.map((a) => a.id)
        .sort(),
    );
    expect(warnings.map((w) => w.code)).toEqual(["expandAlertsFailed"]);
  });

  it("engine: a cycle syncs every incident with alerts, no failure and one warning", async () => {
    const { t, engine, sent, warnings, failed } = await recordingEngine({
      incidents: 5,
      emulator: { refuse: { defender: { expandAlerts: 500 } } },
    });
    const r = await engine.runOnce();
    expect(failed).toEqual([]);
    expect(r.counts.created).toBe(5);
    expect(warnings.map((w) => w.code)).toEqual(["expandAlertsFailed"]);
    const before = sent.filter((s) => isIncidentList(s) && s.url.searchParams.has("$expand")).length;
    t.emu.defender.editIncident(t.emu.defender.listIncidents()[0]!.id, { severity: "low" });
    await engine.runOnce();
    expect(sent.filter((s) => isIncidentList(s) && s.url.searchParams.has("$expand"))).toHaveLength(before);
    expect(warnings).toHaveLength(1);
    expect(await quarantined(t)).toEqual([]);
  });
});

describe("the alerts_v2 incidentId filter refused", () => {
  it("returns the incident without alerts, asks the filter once, warns once", async () => {
    const t = await setup({ incidents: 4 });
    t.emu.refuse({ defender: { expandAlertsOnGet: 500, alertsFilterByIncidentId: true } });
    const { defender, sent, warnings } = recordingDefender(t);
    const [a, b] = t.emu.defender.listIncidents();

    const first = await defender.getIncident(a!.id, { expandAlerts: true });
    expect(first?.id).toBe(a!.id);
    expect(first?.alerts).toBeUndefined();
    const second = await defender.getIncident(b!.id, { expandAlerts: true });
    expect(second?.id).toBe(b!.id);
    expect(sent.filter(isAlertFilter)).toHaveLength(1);
    expect(warnings.map((w) => w.code)).toEqual(["expandAlertsFailed", "alertFilterRefused"]);
  });

  it("engine: with every $expand failing too, a cycle syncs every incident with no failure, one warning each", async () => {
    const { t, engine, sent, warnings, failed } = await recordingEngine({
      incidents: 5,
      emulator: {
        refuse: { defender: { expandAlerts: 500, expandAlertsOnGet: 500, alertsFilterByIncidentId: true } },
      },
    });
    const r = await engine.runOnce();
    expect(failed).toEqual([]);
    expect(r.counts.created).toBe(5);
    expect(warnings.map((w) => w.code)).toEqual(["expandAlertsFailed", "alertFilterRefused"]);
    expect(sent.filter(isAlertFilter)).toHaveLength(1);
    expect(await quarantined(t)).toEqual([]);
  });
});

describe("PATCH status inProgress refused", () => {
  it("sends active instead, remembers it, warns once", async () => {
    const t = await setup({ incidents: 4 });
    t.emu.refuse({ defender: { statusInProgress: true } });
    const { defender, sent, warnings } = recordingDefender(t);
    const [a, b] = t.emu.defender.listIncidents();

    const updated = await defender.updateIncident(a!.id, { status: "inProgress", severity: "low" });
    expect(updated).toMatchObject({ status: "active", severity: "low" });
    expect(t.emu.defender.getIncident(a!.id)).toMatchObject({ status: "active", severity: "low" });
    expect(sent.map((s) => s.body)).toEqual([
      { status: "inProgress", severity: "low" },
      { status: "active", severity: "low" },
    ]);
    expect(warnings.map((w) => w.code)).toEqual(["inProgressRefused"]);

    sent.length = 0;
    await defender.updateIncident(b!.id, { status: "inProgress" });
    expect(sent.map((s) => s.body)).toEqual([{ status: "active" }]);
    expect(warnings).toHaveLength(1);
  });

  it("a 400 that active does not cure is thrown and not remembered", async () => {
    const t = await setup({ incidents: 2 });
    const { defender, sent, warnings } = recordingDefender(t);
    const id = t.emu.defender.listIncidents()[0]!.id;
    t.emu.faults.script({
      service: "defender",
      method: "PATCH",
      times: 2,
      fault: { kind: "status", status: 400 },
    });
    const e = await defender.updateIncident(id, { status: "inProgress" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BadRequestError);
    expect(warnings).toEqual([]);
    sent.length = 0;
    await defender.updateIncident(id, { status: "inProgress" });
    expect(sent.map((s) => s.body)).toEqual([{ status: "inProgress" }]);
    expect(t.emu.defender.getIncident(id)?.status).toBe("inProgress");
  });

  it("engine: Sentinel Active reaches Defender as active, with no failure, one warning and no ping-pong", async () => {
    const { t, engine, sent, warnings, failed } = await recordingEngine({ incidents: 5, seed: 11 });
    await runToQuiescence(engine);
    const open = openIncidents(t).filter((i) => i.status === "active");
    expect(open.length).toBeGreaterThanOrEqual(2);
    t.emu.refuse({ defender: { statusInProgress: true } });
    for (const i of open.slice(0, 2))
      t.emu.sentinel.editIncident(await nameOf(t, i.id), { status: "Active" });
    sent.length = 0;

    const r: SyncReport = await engine.runOnce();
    expect(failed).toEqual([]);
    expect(r.failures).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(["inProgressRefused"]);
    const patches = sent
      .filter((s) => s.method === "PATCH")
      .map((s) => (s.body as { status?: string }).status);
    expect(patches.filter((s) => s === "inProgress")).toHaveLength(1);
    await runToQuiescence(engine, 3);
    expect(warnings).toHaveLength(1);
    expect(await quarantined(t)).toEqual([]);
  });
});
