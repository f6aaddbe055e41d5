import { describe, expect, it } from "vitest";
import { createEmulator, EmulatorError, jsonResponse, type RouteModule } from "../../src/testing/index";
import { API, bearer, FIXED_START, json, manualClock, SEVEN_DIGITS, workspaceBase } from "./helpers";

const GRAPH = "https://graph.microsoft.com/v1.0";

describe("control API", () => {
  it("creates and edits Defender incidents as Defender and analysts would", () => {
    const clock = manualClock(FIXED_START);
    const emu = createEmulator({ seed: 2, incidents: 10, now: clock.now });
    clock.advance(60_000);
    const created = emu.defender.createIncident({ displayName: "Made by a test" });
    expect(created.displayName).toBe("Made by a test");
    expect(created.status).toBe("active");
    expect(created.alerts.length).toBeGreaterThan(0);
    expect(created.alerts.every((a) => a.incidentId === created.id)).toBe(true);
    expect(created.createdDateTime).toMatch(SEVEN_DIGITS);
    expect(created.createdDateTime >= "2025-06-01T00:01:00").toBe(true);
    expect(Number(created.id)).toBeGreaterThan(
      Math.max(
        ...emu.defender
          .listIncidents()
          .slice(0, -1)
          .map((i) => Number(i.id)),
      ),
    );
    clock.advance(1000);
    const edited = emu.defender.editIncident(
      created.id,
      { severity: "high", assignedTo: "x@y" },
      { by: "someone@contoso.com" },
    );
    expect(edited.lastUpdateDateTime > created.lastUpdateDateTime).toBe(true);
    expect(edited.lastModifiedBy).toBe("someone@contoso.com");
    const comments = emu.defender.addComment(created.id, "hi", "analyst@contoso.com");
    expect(comments.at(-1)).toMatchObject({ comment: "hi", createdByDisplayName: "analyst@contoso.com" });
    // copies, not live objects
    edited.displayName = "mutated";
    expect(emu.defender.getIncident(created.id)!.displayName).toBe("Made by a test");
    expect(() => emu.defender.editIncident("nope", {})).toThrow(EmulatorError);
  });

  it("merges two incidents: redirect, alerts and tags move, Redirected tag, connector copy closed", async () => {
    const clock = manualClock(FIXED_START);
    const emu = createEmulator({ seed: 4, incidents: 40, connectorCopies: 1, now: clock.now });
    const open = emu.defender.listIncidents().filter((i) => i.status === "active" && i.alerts.length > 0);
    const [source, target] = [open[0]!, open[1]!];
    emu.defender.editIncident(source.id, { customTags: ["from-source"] });
    emu.defender.addComment(source.id, "stays here");
    clock.advance(1000);
    const { source: s, target: t } = emu.defender.mergeIncidents(source.id, target.id);
    expect(s.status).toBe("redirected");
    expect(s.redirectIncidentId).toBe(target.id);
    expect(s.alerts).toEqual([]);
    expect(s.customTags).toEqual([]);
    expect(s.systemTags).toContain("Redirected");
    expect(s.comments.at(-1)?.comment).toBe("stays here");
    expect(t.alerts.map((a) => a.id)).toEqual([...target.alerts, ...source.alerts].map((a) => a.id));
    expect(t.alerts.every((a) => a.incidentId === target.id)).toBe(true);
    expect(t.customTags).toContain("from-source");
    expect(t.lastModifiedBy).toBe("Microsoft Defender XDR - alert correlation");
    expect(() => emu.defender.mergeIncidents(source.id, target.id)).toThrow(/redirected/);

    // Over Graph the source now reads as redirected.
    const res = await emu.handle(
      new Request(`${GRAPH}/security/incidents/${source.id}`, { headers: bearer(emu.tenantId) }),
    );
    expect(await json(res)).toMatchObject({ status: "redirected", redirectIncidentId: target.id });

    // Microsoft's connector closes the Sentinel copy with a Redirected label; alerts move to the target's copy.
    const copy = emu.sentinel.findByProviderIncidentId(source.id)!;
    expect(copy.properties.status).toBe("Closed");
    expect(copy.properties.classification).toBeDefined();
    expect(copy.properties.labels).toContainEqual({ labelName: "Redirected", labelType: "AutoAssigned" });
    expect(copy.properties.additionalData.alertsCount).toBe(0);
    expect(emu.sentinel.findByProviderIncidentId(target.id)!.properties.additionalData.alertsCount).toBe(
      t.alerts.length,
    );
  });

  it("edits Sentinel incidents and comments as an analyst would", () => {
    const clock = manualClock(FIXED_START);
    const emu = createEmulator({ seed: 2, incidents: 0, now: clock.now });
    const [analyst, other] = emu.users();
    const inc = emu.sentinel.createIncident({
      title: "t",
      severity: "Low",
      status: "New",
      owner: { email: analyst!.email },
    });
    expect(inc.properties.owner.userPrincipalName).toBe(analyst!.userPrincipalName);
    expect(inc.properties.incidentNumber).toBe(1);
    clock.advance(1000);
    const edited = emu.sentinel.editIncident(inc.name, { status: "Active", labels: [{ labelName: "l" }] });
    expect(edited.properties.status).toBe("Active");
    expect(edited.properties.owner.userPrincipalName).toBe(analyst!.userPrincipalName); // kept
    expect(edited.properties.labels).toEqual([{ labelName: "l", labelType: "User" }]);
    expect(edited.etag).not.toBe(inc.etag);
    expect(edited.properties.lastModifiedTimeUtc > inc.properties.lastModifiedTimeUtc).toBe(true);
    const c = emu.sentinel.addComment(inc.name, "first", other!.userPrincipalName);
    expect(c.properties.author.name).toBe(other!.displayName);
    const e = emu.sentinel.editComment(inc.name, c.name, "changed");
    expect(e.properties.message).toBe("changed");
    expect(e.properties.createdTimeUtc).toBe(c.properties.createdTimeUtc);
    expect(emu.sentinel.listComments(inc.name).map((x) => x.properties.message)).toEqual(["changed"]);
    expect(emu.sentinel.getIncident(inc.name)!.properties.additionalData.commentsCount).toBe(1);
  });

  it("stats count requests per route; reset restores the generated state", async () => {
    const emu = createEmulator({ seed: 8, incidents: 15, now: manualClock().now });
    const before = emu.defender.listIncidents();
    const id = before[0]!.id;
    await emu.handle(new Request(`${GRAPH}/security/incidents`, { headers: bearer(emu.tenantId) }));
    await emu.handle(new Request(`${GRAPH}/security/incidents/${id}`, { headers: bearer(emu.tenantId) }));
    await emu.handle(
      new Request(`${GRAPH}/security/incidents/${id}`, {
        method: "PATCH",
        headers: { ...bearer(emu.tenantId), "content-type": "application/json" },
        body: JSON.stringify({ status: "resolved", classification: "falsePositive" }),
      }),
    );
    await emu.handle(new Request(`${GRAPH}/security/nothing`, { headers: bearer(emu.tenantId) }));
    await emu.handle(
      new Request(`${workspaceBase("https://management.azure.com", emu)}/incidents?${API}`, {
        headers: bearer(emu.tenantId),
      }),
    );
    expect(emu.stats()).toEqual({
      defender: {
        requests: 4,
        byRoute: {
          "GET /security/incidents": 1,
          "GET /security/incidents/{id}": 1,
          "PATCH /security/incidents/{id}": 1,
          "GET (unmatched)": 1,
        },
        throttled: 0,
        faults: 0,
      },
      sentinel: { requests: 1, byRoute: { "GET /incidents": 1 }, throttled: 0, faults: 0 },
    });
    expect(emu.defender.getIncident(id)!.status).toBe("resolved");
    emu.reset();
    expect(emu.defender.listIncidents()).toEqual(before);
    expect(emu.stats().defender.requests).toBe(0);
  });

  it("MSSP: several tenants routed by token, several workspaces routed by path", async () => {
    const emu = createEmulator({ seed: 3, incidents: 5, now: manualClock().now });
    const t2 = emu.addTenant({ tenantId: "22222222-2222-2222-2222-222222222222", incidents: 7 });
    const ws2 = emu.addWorkspace({
      subscriptionId: "33333333-3333-3333-3333-333333333333",
      resourceGroupName: "rg-customer2",
      workspaceName: "ws-customer2",
      connectorTenantId: t2.tenantId,
      connectorCopies: 1,
    });
    const list = async (tenantId: string) =>
      (
        await json(
          await emu.handle(new Request(`${GRAPH}/security/incidents?$top=50`, { headers: bearer(tenantId) })),
        )
      ).value.length;
    expect(await list(emu.tenantId)).toBe(5);
    expect(await list(t2.tenantId)).toBe(7);
    const token = await t2.credential.getToken("https://graph.microsoft.com/.default");
    expect(token?.token).toBe(`emulator-token:${t2.tenantId}`);
    t2.defender.createIncident();
    expect(await list(t2.tenantId)).toBe(8);
    expect(emu.defender.listIncidents()).toHaveLength(5);
    const arm = await emu.handle(
      new Request(`${workspaceBase("https://management.azure.com", ws2)}/incidents?${API}`, {
        headers: bearer("x"),
      }),
    );
    expect((await json(arm)).value).toHaveLength(7);
    expect(ws2.listIncidents().every((i) => i.properties.providerName !== "Azure Sentinel")).toBe(true);
    expect(() => emu.addTenant({ tenantId: t2.tenantId })).toThrow(EmulatorError);
  });

  it("extra route modules can be registered (e.g. Logs Ingestion) and get their own stats and faults", async () => {
    const emu = createEmulator({ seed: 1, incidents: 0, now: manualClock().now });
    const received: unknown[] = [];
    const logs: RouteModule = {
      name: "logsIngestion",
      origins: ["https://my-dce.westeurope-1.ingest.monitor.azure.com"],
      ownsPath: (p) => p.startsWith("/dataCollectionRules/"),
      match: (method, url) =>
        method === "POST" && /^\/dataCollectionRules\/[^/]+\/streams\/[^/]+$/.test(url.pathname)
          ? { key: "POST /dataCollectionRules/{id}/streams/{stream}", params: {}, methodAllowed: true }
          : undefined,
      error: (_ctx, status, code, message) => jsonResponse(status, { error: { code, message } }),
      async handle(ctx) {
        received.push(JSON.parse(await ctx.text()));
        return new Response(null, { status: 204 });
      },
    };
    emu.registerRoutes(logs);
    const url =
      "https://my-dce.westeurope-1.ingest.monitor.azure.com/dataCollectionRules/dcr-1/streams/Custom-X?api-version=2023-01-01";
    const post = () => emu.handle(new Request(url, { method: "POST", body: JSON.stringify([{ a: 1 }]) }));
    expect((await post()).status).toBe(204);
    emu.faults.script({ service: "logsIngestion", fault: 503 });
    expect((await post()).status).toBe(503);
    expect(received).toEqual([[{ a: 1 }]]);
    expect(emu.stats().logsIngestion).toMatchObject({ requests: 2, faults: 1 });
    expect(emu.handlers.length).toBe(3);
  });
});
