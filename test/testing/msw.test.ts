import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DefenderClient } from "../../src/defender/defenderClient";
import { SentinelClient } from "../../src/sentinel/sentinelClient";
import { createEmulator } from "../../src/testing/index";
import { API, bearer, FIXED_START, json, manualClock, workspaceBase } from "./helpers";

const clock = manualClock(FIXED_START);
const emu = createEmulator({ seed: 11, incidents: 30, connectorCopies: 0.3, now: clock.now });
const server = setupServer(...emu.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  emu.reset();
  clock.advance(1000);
});

const ARM = workspaceBase("https://management.azure.com", emu);

describe("msw handlers for the real hosts", () => {
  it("serve Graph at https://graph.microsoft.com with nextLinks on that host", async () => {
    const res = await fetch("https://graph.microsoft.com/v1.0/security/incidents?$top=10", {
      headers: bearer(emu.tenantId),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toBeTruthy();
    const body = await json(res);
    expect(body.value).toHaveLength(10);
    expect(new URL(body["@odata.nextLink"]).origin).toBe("https://graph.microsoft.com");
    const top = await fetch("https://graph.microsoft.com/v1.0/security/incidents?$top=51", {
      headers: bearer(emu.tenantId),
    });
    expect(top.status).toBe(400);
  });

  it("serve ARM at https://management.azure.com", async () => {
    const name = crypto.randomUUID();
    const put = await fetch(`${ARM}/incidents/${name}?${API}`, {
      method: "PUT",
      headers: { ...bearer(emu.tenantId), "content-type": "application/json" },
      body: JSON.stringify({ properties: { title: "via msw", severity: "Low", status: "New" } }),
    });
    expect(put.status).toBe(201);
    expect(put.headers.get("x-ms-ratelimit-remaining-subscription-writes")).toBe("199");
    const list = await json(
      await fetch(`${ARM}/incidents?${API}&$top=1000`, { headers: bearer(emu.tenantId) }),
    );
    expect(list.value.map((i: any) => i.name)).toContain(name);
    expect(emu.stats().sentinel.byRoute).toEqual({ "PUT /incidents/{id}": 1, "GET /incidents": 1 });
  });

  it("a reset fault becomes a network error", async () => {
    emu.faults.script({ service: "defender", fault: "reset" });
    await expect(
      fetch("https://graph.microsoft.com/v1.0/security/incidents", { headers: bearer(emu.tenantId) }),
    ).rejects.toThrow();
  });

  it("our clients work against the real hosts through msw", async () => {
    const defender = new DefenderClient(emu.credential, { retryOptions: { maxRetries: 0 } });
    const incidents = [];
    for await (const i of defender.listIncidents({ pageSize: 7 })) incidents.push(i);
    expect(incidents).toHaveLength(30);
    const sentinel = new SentinelClient(emu.credential, {
      subscriptionId: emu.subscriptionId,
      resourceGroupName: emu.resourceGroupName,
      workspaceName: emu.workspaceName,
    });
    const copies = [];
    for await (const i of sentinel.listIncidents({ pageSize: 3 })) copies.push(i);
    expect(copies).toHaveLength(emu.sentinel.listIncidents().length);
  });
});
