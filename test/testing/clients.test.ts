import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DefenderClient } from "../../src/defender/defenderClient";
import { SentinelClient } from "../../src/sentinel/sentinelClient";
import { createEmulator, type EmulatorServer } from "../../src/testing/index";

const emu = createEmulator({
  seed: 21,
  incidents: 130,
  connectorCopies: 0.4,
  sentinelIncidents: 15,
  timeScale: 100,
});
let srv: EmulatorServer;
beforeAll(async () => {
  srv = await emu.listen();
});
afterAll(() => srv.close());

describe("our clients against emu.listen()", () => {
  it("DefenderClient lists every incident end to end (keyset paging, oldest update first)", async () => {
    const client = new DefenderClient(emu.credential, {
      endpoint: srv.defenderEndpoint,
      retryOptions: { maxRetries: 0 },
    });
    const seen: string[] = [];
    const stamps: string[] = [];
    for await (const incident of client.listIncidents({ pageSize: 25 })) {
      seen.push(incident.id);
      stamps.push(incident.lastUpdateDateTime ?? "");
    }
    expect(seen).toHaveLength(130);
    expect(new Set(seen).size).toBe(130);
    expect([...stamps].sort()).toEqual(stamps);
    expect(emu.stats().defender.byRoute["GET /security/incidents"]).toBeGreaterThanOrEqual(
      Math.ceil(130 / 25),
    );

    const pivot = [...stamps].sort()[100]!;
    const recent = [];
    for await (const i of client.listIncidents({ updatedSince: pivot, expandAlerts: true })) recent.push(i);
    expect(recent.length).toBe(stamps.filter((s) => s >= pivot).length);
    expect(recent.every((i) => Array.isArray(i.alerts))).toBe(true);

    const updated = await client.updateIncident(seen[0]!, {
      status: "inProgress",
      assignedTo: "SorenK@contoso.onmicrosoft.com",
    });
    expect(updated.status).toBe("inProgress");
    const comments = await client.addIncidentComment(seen[0]!, "from the client");
    expect(comments.at(-1)?.comment).toBe("from the client");
  });

  it("SentinelClient lists, creates and hits the etag conflict end to end", async () => {
    const client = new SentinelClient(emu.credential, {
      endpoint: srv.sentinelEndpoint,
      subscriptionId: srv.subscriptionId,
      resourceGroupName: srv.resourceGroupName,
      workspaceName: srv.workspaceName,
      retryOptions: { maxRetries: 0 },
    });
    const names: string[] = [];
    for await (const i of client.listIncidents({ pageSize: 10 })) names.push(i.name);
    expect(names).toHaveLength(emu.sentinel.listIncidents().length);
    expect(new Set(names).size).toBe(names.length);

    const name = crypto.randomUUID();
    const created = await client.createOrUpdateIncident(name, {
      title: "e2e",
      severity: "Medium",
      status: "New",
    });
    expect(created.properties.providerName).toBe("Azure Sentinel");
    const again = await client.createOrUpdateIncident(
      name,
      { ...{ title: "e2e", severity: "Medium", status: "Active" } },
      { etag: created.etag ?? undefined },
    );
    expect(again.etag).not.toBe(created.etag);
    await expect(
      client.createOrUpdateIncident(
        name,
        { title: "stale", severity: "Medium", status: "Active" },
        { etag: created.etag ?? undefined },
      ),
    ).rejects.toMatchObject({ name: "ConflictError", statusCode: 409, code: "Conflict" });
    expect(await client.getIncident(crypto.randomUUID())).toBeUndefined();
    const copy = emu.sentinel.listIncidents().find((i) => i.properties.providerName !== "Azure Sentinel")!;
    expect((await client.listIncidentAlerts(copy.name)).length).toBe(
      copy.properties.additionalData.alertsCount,
    );
  });
});
