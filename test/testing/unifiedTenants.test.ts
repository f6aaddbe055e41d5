import type { TokenCredential } from "@azure/core-auth";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthenticationError } from "../../src/core/errors";
import { RequestMetrics } from "../../src/core/metrics";
import { DefenderClient } from "../../src/defender/defenderClient";
import { SentinelClient } from "../../src/sentinel/sentinelClient";
import { createIngestionClient } from "../../src/sink/ingestionClient";
import {
  CUSTOMER,
  DCR,
  MINUTE,
  relayIncidents,
  relayRule,
  row,
  STREAM,
  TABLE,
  type UnifiedSetup,
  unifiedSetup,
} from "./unifiedFixtures";

/** A credential whose token is an (unsigned) JWT with a `tid` claim, as Entra ID issues them. */
function jwtCredential(tid: string): TokenCredential {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const token = `${part({ alg: "none", typ: "JWT" })}.${part({ tid, appid: "11111111-2222-3333-4444-555555555555", aud: "https://graph.microsoft.com" })}.sig`;
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

let s: UnifiedSetup;
beforeEach(async () => {
  s = await unifiedSetup();
  s.emu.addTenant({ tenantId: CUSTOMER, incidents: 3 });
  await s.sentinel.createOrUpdateAlertRule("relay", relayRule());
  await s.ingest([row("42", "a1")]);
  s.advance(10 * MINUTE);
});
afterEach(() => s.srv.close());

describe("Graph tenants chosen by the token's tid", () => {
  it("shows the relay incident in the MSSP tenant only, whichever token shape carries the tid", async () => {
    const customer = new DefenderClient(jwtCredential(CUSTOMER), { endpoint: s.srv.defenderEndpoint });
    const mssp = new DefenderClient(jwtCredential(s.emu.tenantId), { endpoint: s.srv.defenderEndpoint });
    const customerIncidents = [];
    for await (const i of customer.listIncidents({ expandAlerts: true })) customerIncidents.push(i);
    expect(customerIncidents).toHaveLength(3);
    expect(customerIncidents.every((i) => i.tenantId === CUSTOMER)).toBe(true);
    expect(await relayIncidents(customer)).toEqual([]);
    const [relayed] = await relayIncidents(mssp);
    expect(relayed?.tenantId).toBe(s.emu.tenantId);
    expect(relayed?.alerts?.[0]?.tenantId).toBe(s.emu.tenantId);
    const stranger = new DefenderClient(jwtCredential("00000000-0000-0000-0000-000000000001"), {
      endpoint: s.srv.defenderEndpoint,
      retryOptions: { maxRetries: 0 },
    });
    await expect(stranger.getIncident(relayed!.id)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("lets an MSSP analyst edit, comment and close; the changes are what Graph serves", async () => {
    const [incident] = await relayIncidents(s.defender);
    const analyst = s.emu.users()[1]!.userPrincipalName;
    s.emu.unified.editIncident(
      s.emu.tenantId,
      incident!.id,
      { assignedTo: analyst, customTags: ["mssp"] },
      { by: analyst },
    );
    s.emu.unified.addComment(s.emu.tenantId, incident!.id, "looking into it", analyst);
    let read = await s.defender.getIncident(incident!.id, { expandAlerts: true });
    expect(read).toMatchObject({ assignedTo: analyst, customTags: ["mssp"], lastModifiedBy: analyst });
    expect(read?.comments?.map((c) => c.comment)).toEqual(["looking into it"]);
    await s.defender.updateIncident(incident!.id, { status: "inProgress" });
    s.emu.unified.closeIncident(s.emu.tenantId, incident!.id, { resolvingComment: "benign", by: analyst });
    read = await s.defender.getIncident(incident!.id, { expandAlerts: true });
    expect(read).toMatchObject({
      status: "resolved",
      classification: "falsePositive",
      determination: "other",
      resolvingComment: "benign",
    });
    expect(read?.alerts?.[0]?.status).toBe("resolved");
    expect(() => s.emu.unified.editIncident("nobody", incident!.id, {})).toThrow(/tenant nobody/);
  });
});

describe("a workspace of another tenant", () => {
  it("routes a DCR's rows to its workspace and the rule's incidents to that workspace's tenant", async () => {
    const coords = {
      subscriptionId: s.srv.subscriptionId,
      resourceGroupName: "customerRg",
      workspaceName: "customerWs",
    };
    s.emu.addWorkspace({ ...coords, connectorTenantId: CUSTOMER });
    const otherDcr = "dcr-ffffffffffffffffffffffffffffffff";
    s.emu.logs.defineStream({ ruleId: DCR, streamName: STREAM });
    s.emu.logs.defineStream({
      ruleId: otherDcr,
      streamName: "Custom-Input",
      outputStream: `Custom-${TABLE}`,
      workspaceResourceId: `/subscriptions/${coords.subscriptionId}/resourceGroups/customerRg/providers/Microsoft.OperationalInsights/workspaces/customerWs`,
    });
    const credential = s.emu.credentialFor(CUSTOMER);
    const sentinel = new SentinelClient(credential, { endpoint: s.srv.sentinelEndpoint, ...coords });
    await sentinel.createOrUpdateAlertRule("relay", relayRule());
    const uploader = createIngestionClient({
      endpointUrl: new URL(s.srv.url),
      credential,
      metrics: new RequestMetrics("logsIngestion"),
    });
    await uploader.upload(otherDcr, "Custom-Input", [row("7", "x1", { TenantId: "spoofed" })]);
    expect(s.emu.unified.rows(TABLE, coords).map((r) => r.row.TenantId)).toHaveLength(1);
    expect(s.emu.unified.rows(TABLE, coords)[0]?.row.TenantId).not.toBe("spoofed");
    expect(s.emu.unified.tables(coords)).toEqual([TABLE]);
    s.advance(10 * MINUTE);
    const customer = new DefenderClient(credential, { endpoint: s.srv.defenderEndpoint });
    const incidents = await relayIncidents(customer);
    expect(incidents.map((i) => i.alerts?.[0]?.customDetails)).toEqual([
      { SourceTenantId: CUSTOMER, SourceIncidentId: "7", SourceAlertId: "x1" },
    ]);
    expect((await relayIncidents(s.defender)).map((i) => i.alerts?.length)).toEqual([1]);
  });
});

describe("determinism and reset", () => {
  it("gives the same ids for the same seed and traffic, and reset() forgets rules, rows and runs", async () => {
    const other = await unifiedSetup();
    try {
      await other.sentinel.createOrUpdateAlertRule("relay", relayRule());
      await other.ingest([row("42", "a1")]);
      other.advance(10 * MINUTE);
      const ids = (x: UnifiedSetup) =>
        x.emu.unified.alerts().map((a) => [a.alert.id, a.incidentId, a.alert.createdDateTime]);
      expect(ids(other)).toEqual(ids(s));
      expect(ids(s)[0]?.[0]).toMatch(/^sn[0-9a-f-]{36}$/);
    } finally {
      await other.srv.close();
    }
    s.emu.reset();
    expect(s.emu.unified.rules()).toEqual([]);
    expect(s.emu.unified.rows(TABLE)).toEqual([]);
    expect(s.emu.unified.runs()).toEqual([]);
    expect(await relayIncidents(s.defender)).toEqual([]);
  });
});
