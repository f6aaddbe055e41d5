// The default import: msw patches the module object, which a named import would bypass.
import https from "node:https";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ConnectionError } from "../../src/core/errors";
import { DefenderClient } from "../../src/defender/defenderClient";
import { createEmulator } from "../../src/testing/index";

const emu = createEmulator({ seed: 3, incidents: 5 });
const server = setupServer(...emu.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  emu.reset();
  // msw logs each injected reset as an unhandled exception; keep the test output clean.
  vi.spyOn(console, "error").mockImplementation(() => {});
});

function rawGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("an injected reset through msw", () => {
  it("fails the request with ECONNRESET, as a dropped connection does", async () => {
    emu.faults.script({ service: "defender", fault: "reset" });
    const failure = await rawGet("https://graph.microsoft.com/v1.0/security/incidents").catch((e) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure.code).toBe("ECONNRESET");
  });

  it("is retried by a client, which then succeeds", async () => {
    const client = new DefenderClient(emu.credential, { retryOptions: { retryDelayInMs: 1 } });
    emu.faults.script({ service: "defender", route: "GET /security/incidents", fault: "reset", times: 2 });
    const incidents = [];
    for await (const incident of client.listIncidents()) incidents.push(incident);
    expect(incidents).toHaveLength(5);
    expect(emu.stats().defender.faults).toBe(2);
    expect(emu.stats().defender.byRoute["GET /security/incidents"]).toBe(3);
  });

  it("ends the call with ConnectionError code ECONNRESET once retries run out", async () => {
    const client = new DefenderClient(emu.credential, { retryOptions: { maxRetries: 1, retryDelayInMs: 1 } });
    emu.faults.script({
      service: "defender",
      route: "GET /security/incidents/{id}",
      fault: "reset",
      times: 2,
    });
    const failure = await client.getIncident("1").catch((e) => e);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect(failure.code).toBe("ECONNRESET");
    expect(emu.stats().defender.byRoute["GET /security/incidents/{id}"]).toBe(2);
  });
});
