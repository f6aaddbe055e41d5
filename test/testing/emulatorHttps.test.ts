import https from "node:https";
import { tlsPolicy } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError } from "../../src/core/errors";
import { DefenderClient } from "../../src/defender/defenderClient";
import { SentinelClient } from "../../src/sentinel/sentinelClient";
import { createEmulator, type EmulatorServer } from "../../src/testing/index";
import { bearer } from "./helpers";

const emu = createEmulator({ seed: 5, incidents: 12, connectorCopies: 0.5, throttling: false });
let srv: EmulatorServer;
beforeAll(async () => {
  srv = await emu.listen({ https: true });
});
afterAll(() => emu.close());

function get(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ca, headers: bearer(emu.tenantId), agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("emu.listen({ https: true })", () => {
  it("serves https on 127.0.0.1 and returns the certificate to trust", () => {
    expect(srv.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(srv.defenderEndpoint).toBe(`${srv.url}/v1.0`);
    expect(srv.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
  });

  it("answers a client that trusts the certificate, with next links on https", async () => {
    const res = await get(`${srv.defenderEndpoint}/security/incidents?$top=5`, srv.certificatePem);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.value).toHaveLength(5);
    expect(body["@odata.nextLink"]).toMatch(new RegExp(`^${srv.url}/`));
  });

  it("is valid for localhost too", async () => {
    const res = await get(`https://localhost:${srv.port}/v1.0/security/incidents?$top=1`, srv.certificatePem);
    expect(res.status).toBe(200);
  });

  it("fails a client that does not trust it with a certificate error", async () => {
    const failure = await get(`${srv.defenderEndpoint}/security/incidents`).catch((e) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure.code).toMatch(/SELF_SIGNED_CERT/);
  });

  it("makes a new certificate per server; a plain listen() has none", async () => {
    const other = await emu.listen({ https: true });
    const plain = await emu.listen();
    expect(other.certificatePem).not.toBe(srv.certificatePem);
    expect(plain.certificatePem).toBeUndefined();
    expect(plain.url).toMatch(/^http:\/\//);
    await Promise.all([other.close(), plain.close()]);
  });

  it("serves DefenderClient and SentinelClient given a pipeline policy trusting the PEM", async () => {
    const trust = [{ policy: tlsPolicy({ ca: srv.certificatePem }), position: "perCall" as const }];
    const defender = new DefenderClient(emu.credential, {
      endpoint: srv.defenderEndpoint,
      additionalPolicies: trust,
    });
    const incidents = [];
    for await (const incident of defender.listIncidents({ pageSize: 5 })) incidents.push(incident);
    expect(incidents).toHaveLength(12);

    const sentinel = new SentinelClient(emu.credential, {
      endpoint: srv.sentinelEndpoint,
      subscriptionId: srv.subscriptionId,
      resourceGroupName: srv.resourceGroupName,
      workspaceName: srv.workspaceName,
      additionalPolicies: trust,
    });
    const copies = [];
    for await (const incident of sentinel.listIncidents()) copies.push(incident);
    expect(copies).toHaveLength(emu.sentinel.listIncidents().length);
  });

  it("a client without that trust fails with ConnectionError, not a silent downgrade", async () => {
    const defender = new DefenderClient(emu.credential, {
      endpoint: srv.defenderEndpoint,
      retryOptions: { maxRetries: 0 },
    });
    const failure = await defender.getIncident("1").catch((e) => e);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect(failure.code).toMatch(/SELF_SIGNED_CERT/);
  });
});
