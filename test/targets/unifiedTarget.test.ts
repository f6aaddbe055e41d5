/**
 * The unified (relay) target over the public API against the emulator: source incidents become MSSP
 * incidents through relay rows and the analytics rule, are linked through the MSSP's Graph, and stay in sync
 * both ways. Each test names the edge it covers.
 */

import { sourceKeysOfIncident } from "defender-sentinel-sync";
import { afterEach, describe, expect, it } from "vitest";
import { CUSTOMER, cycleUntilLinked, type Lane, MINUTE, TABLE, unifiedLane } from "./unifiedHelpers";

let lane: Lane;
afterEach(async () => {
  await lane?.close();
});

const named = (l: Lane, name: string) =>
  l.events.filter((e) => e.name === name).map((e) => e.event as Record<string, unknown>);

describe("creation through alerts", () => {
  it("relays one row per source alert, reports the pair pending, then links it to the incident the rule made", async () => {
    lane = await unifiedLane({ customerIncidents: 4 });
    const first = await lane.cycle();
    expect(first.failures).toEqual([]);
    const pending = named(lane, "incident.pending");
    expect(pending.map((e) => e.defenderId).sort()).toHaveLength(4);
    const customerAlerts = pending.reduce((n, e) => n + Number(e.alertsRelayed), 0);
    expect(lane.emu.unified.rows(TABLE)).toHaveLength(customerAlerts);

    const cycles = await cycleUntilLinked(lane, 4);
    expect(cycles).toBeLessThanOrEqual(4);
    const linked = named(lane, "incident.linked");
    expect(linked).toHaveLength(4);
    for (const e of linked) expect(Number(e.pendingForMs)).toBeGreaterThan(0);

    const incidents = await lane.targetIncidents();
    expect(incidents).toHaveLength(4);
    const keys = incidents.flatMap((i) => sourceKeysOfIncident(i));
    expect(new Set(keys.map((k) => k.incidentId)).size).toBe(4);
    expect(keys.every((k) => k.tenantId === CUSTOMER)).toBe(true);
    // Rows per source alert: exactly one each without faults.
    expect(lane.emu.unified.rows(TABLE).length / customerAlerts).toBe(1);
  });

  it("the ingestion client takes the clients' options: additionalPolicies see every relay upload", async () => {
    const uploads: string[] = [];
    lane = await unifiedLane({
      customerIncidents: 2,
      ingestionPolicies: [
        {
          position: "perCall",
          policy: {
            name: "countRelayUploads",
            sendRequest: (request, next) => {
              uploads.push(`${request.method} ${new URL(request.url).pathname}`);
              return next(request);
            },
          },
        },
      ],
    });
    await lane.cycle();
    expect(lane.emu.unified.rows(TABLE).length).toBeGreaterThan(0);
    expect(uploads.length).toBeGreaterThan(0);
    expect(uploads.every((u) => u.startsWith("POST ") && u.includes("/dataCollectionRules/"))).toBe(true);
  });

  it("installs the relay rule idempotently", async () => {
    lane = await unifiedLane({ customerIncidents: 0 });
    expect(await lane.target.ensureRelayRule()).toMatchObject({ action: "unchanged" });
    expect(lane.emu.unified.rules()).toHaveLength(1);
  });

  it("never touches target incidents that are not relay incidents of this lane", async () => {
    lane = await unifiedLane({ customerIncidents: 2, mssPIncidents: 5 });
    const before = [];
    for await (const i of lane.mssp.listIncidents()) before.push(i);
    await lane.cycle();
    await cycleUntilLinked(lane, 2);
    for (const i of before) {
      const now = await lane.mssp.getIncident(i.id);
      expect(now?.lastUpdateDateTime).toBe(i.lastUpdateDateTime);
      expect(now?.comments ?? []).toEqual(i.comments ?? []);
    }
  });
});

describe("sync both ways through Graph", () => {
  async function linkedLane() {
    lane = await unifiedLane({ customerIncidents: 1 });
    await lane.cycle();
    await cycleUntilLinked(lane, 1);
    const [target] = await lane.targetIncidents();
    const sourceId = String(named(lane, "incident.linked")[0]?.defenderId);
    return { targetId: target!.id, sourceId };
  }

  it("an MSSP analyst's close reaches the customer's incident; the customer's comment reaches the MSSP, no echo", async () => {
    const { targetId, sourceId } = await linkedLane();
    lane.emu.unified.closeIncident(lane.emu.tenantId, targetId, {
      classification: "truePositive",
      determination: "malware",
    });
    lane.emu.unified.tenant(CUSTOMER).addComment(sourceId, "customer: host reimaged", "carol@customer.com");
    await lane.cycle(MINUTE);
    const source = await lane.customer.getIncident(sourceId);
    expect(source).toMatchObject({
      status: "resolved",
      classification: "truePositive",
      determination: "malware",
    });
    const target = await lane.mssp.getIncident(targetId);
    expect(target?.comments?.some((c) => c.comment?.startsWith("customer: host reimaged"))).toBe(true);

    // Quiet afterwards: nothing is written again, one list call per side.
    const quiet = await lane.cycle(MINUTE);
    expect(quiet.writes).toEqual({ defender: 0, sentinel: 0 });
    const again = await lane.mssp.getIncident(targetId);
    expect(again?.comments?.filter((c) => c.comment?.startsWith("customer: host reimaged"))).toHaveLength(1);
  });

  it("title and severity follow the source and are never written back", async () => {
    const { targetId, sourceId } = await linkedLane();
    // Defender named the target incident itself: linking does not rename it.
    expect(
      named(lane, "incident.updated")
        .flatMap((e) => e.changes as { field: string }[])
        .map((c) => c.field),
    ).not.toContain("title");
    lane.emu.unified.editIncident(lane.emu.tenantId, targetId, {
      displayName: "Renamed in the MSSP",
      severity: "low",
    });
    await lane.cycle(MINUTE);
    const source = await lane.customer.getIncident(sourceId);
    expect(source?.displayName).not.toBe("Renamed in the MSSP");
    expect(source?.severity).not.toBe("low");
    // The source owns severity: the target is put back; a rename of the target is left alone.
    const back = await lane.mssp.getIncident(targetId);
    expect(back).toMatchObject({ severity: source?.severity, displayName: "Renamed in the MSSP" });

    lane.emu.unified
      .tenant(CUSTOMER)
      .editIncident(sourceId, { severity: "high", displayName: "Ransomware wave" });
    await lane.cycle(MINUTE);
    const target = await lane.mssp.getIncident(targetId);
    expect(target).toMatchObject({ severity: "high", displayName: "Ransomware wave" });
  });

  it("a source merge resolves the target with the Redirected tag and a note naming the new target", async () => {
    lane = await unifiedLane({ customerIncidents: 2 });
    await lane.cycle();
    await cycleUntilLinked(lane, 2);
    const linked = named(lane, "incident.linked");
    const [a, b] = linked.map((e) => ({ source: String(e.defenderId), target: String(e.targetIncidentId) }));
    lane.emu.unified.tenant(CUSTOMER).mergeIncidents(a!.source, b!.source);
    await lane.cycle(MINUTE);
    const target = await lane.mssp.getIncident(a!.target);
    expect(target?.status).toBe("resolved");
    expect(target?.customTags).toContain("Redirected");
    expect(target?.comments?.some((c) => c.comment?.includes(`incident ${b!.target}`))).toBe(true);
    expect(named(lane, "incident.redirected")).toHaveLength(1);
  });

  it("follows Defender merging the target incident into another one (relink, no new incident)", async () => {
    lane = await unifiedLane({ customerIncidents: 2 });
    await lane.cycle();
    await cycleUntilLinked(lane, 2);
    const linked = named(lane, "incident.linked");
    const [a, b] = linked.map((e) => ({ source: String(e.defenderId), target: String(e.targetIncidentId) }));
    lane.emu.unified.mergeIncidents(lane.emu.tenantId, a!.target, b!.target);
    await lane.cycle(MINUTE);
    const relinked = named(lane, "incident.linked").filter((e) => e.previousTargetIncidentId === a!.target);
    expect(relinked).toEqual([
      expect.objectContaining({ defenderId: a!.source, targetIncidentId: b!.target }),
    ]);
    // The merged incident holds both source incidents' alerts; no new incident was made for either.
    const incidents = await lane.targetIncidents();
    expect(incidents.map((i) => i.id)).toEqual([b!.target]);
    expect(
      sourceKeysOfIncident(incidents[0]!)
        .map((k) => k.incidentId)
        .sort(),
    ).toEqual([a!.source, b!.source].sort());
  });
});

describe("never two target incidents for one source incident", () => {
  it("a retried upload that landed twice still makes one incident", async () => {
    lane = await unifiedLane({ customerIncidents: 1 });
    lane.emu.unified.loseIngestionResponses(1);
    await lane.cycle();
    await cycleUntilLinked(lane, 1);
    expect(lane.emu.unified.rows(TABLE).length).toBeGreaterThan(1);
    expect(await lane.targetIncidents()).toHaveLength(1);
    expect(named(lane, "incident.duplicate")).toEqual([]);
  });

  it("a late alert after the grouping lookback makes a second incident, resolved as a duplicate of the primary", async () => {
    lane = await unifiedLane({ customerIncidents: 1 });
    await lane.cycle();
    await cycleUntilLinked(lane, 1);
    const [{ defenderId, targetIncidentId }] = named(lane, "incident.linked") as [
      { defenderId: string; targetIncidentId: string },
    ];
    lane.advance(8 * 24 * 60 * MINUTE); // past the 7-day lookback
    const control = lane.emu.unified.tenant(CUSTOMER);
    const incident = control.getIncident(defenderId)!;
    const late = { ...incident.alerts![0]!, id: `${incident.alerts![0]!.id}-late` };
    control.editIncident(defenderId, { alerts: [...incident.alerts!, late] });
    await lane.cycle();
    await lane.cycle(5 * MINUTE);
    await lane.cycle(5 * MINUTE);
    const incidents = await lane.targetIncidents();
    expect(incidents).toHaveLength(2);
    const duplicates = named(lane, "incident.duplicate");
    expect(duplicates).toEqual([
      expect.objectContaining({ defenderId, primaryTargetIncidentId: targetIncidentId }),
    ]);
    const dup = await lane.mssp.getIncident(String(duplicates[0]?.duplicateTargetIncidentId));
    expect(dup?.status).toBe("resolved");
    expect(dup?.comments?.some((c) => c.comment?.includes(`Duplicate of incident ${targetIncidentId}`))).toBe(
      true,
    );
    expect(incidents.filter((i) => i.status !== "resolved")).toHaveLength(1);
  });

  it("paces the relay under the rule's per-run cap and links every incident of a large backfill", {
    timeout: 120_000,
  }, async () => {
    lane = await unifiedLane({ customerIncidents: 60 });
    await lane.cycle();
    const firstWindow = lane.emu.unified.rows(TABLE).length;
    expect(firstWindow).toBeLessThanOrEqual(140);
    const cycles = await cycleUntilLinked(lane, 60, 30);
    expect(cycles).toBeLessThanOrEqual(4);
    expect(named(lane, "incident.linked")).toHaveLength(60);
    for (const run of lane.emu.unified.runs()) expect(run.results).toBeLessThanOrEqual(149);
    const all = await lane.targetIncidents();
    const bySource = new Map<string, string[]>();
    for (const i of all)
      for (const k of sourceKeysOfIncident(i))
        bySource.set(k.incidentId, [
          ...(bySource.get(k.incidentId) ?? []),
          `${i.id}:${i.status}:${i.alerts?.length}`,
        ]);
    expect([...bySource.values()].filter((v) => v.length !== 1)).toEqual([]);
    expect(all).toHaveLength(60);
    // Each row became exactly one alert: none was capped away, none raised twice.
    expect(lane.emu.unified.alerts().length).toBe(lane.emu.unified.rows(TABLE).length);
  });
});
