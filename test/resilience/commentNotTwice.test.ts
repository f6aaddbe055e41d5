/**
 * A comment write whose connection resets after the service stored it must never land twice. The emulator sits
 * behind a loopback front end that, for the chosen request, lets the emulator store the write and then drops the
 * socket without an answer. A POST is not re-sent by the clients (it is not idempotent): the pair fails
 * transiently, and the next cycle reads the comment back and adopts it instead of posting it again. A Sentinel
 * comment PUT has a deterministic id, so even a re-sent one is the same comment.
 */
import {
  DefenderClient,
  type IncidentFailedEvent,
  InMemoryStateStore,
  SentinelClient,
  SyncEngine,
} from "defender-sentinel-sync";
import { createEmulator, type Emulator } from "defender-sentinel-sync/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type LoopbackServer, startLoopbackServer } from "../../src/testing/loopbackServer";
import { expectConverged, FAST_RETRIES, runToQuiescence } from "../helpers/engine";

interface ResetRule {
  method: string;
  path: RegExp;
  /** Matching requests still to be stored and then dropped. */
  times: number;
}

let servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** The emulator behind a front end that can store a request and then drop its connection. */
async function setup(seed: number) {
  const emu: Emulator = createEmulator({ seed, incidents: 4, throttling: false });
  const rules: ResetRule[] = [];
  const dropped: string[] = [];
  const server = await startLoopbackServer(async (request) => {
    const path = new URL(request.url).pathname;
    const rule = rules.find((r) => r.times > 0 && r.method === request.method && r.path.test(path));
    const response = await emu.handle(request);
    if (!rule || response.status >= 300) return { response };
    rule.times--;
    dropped.push(`${request.method} ${path}`);
    return { response, reset: true };
  });
  servers.push(server);
  const defender = new DefenderClient(emu.credential, {
    endpoint: `${server.origin}/v1.0`,
    retryOptions: FAST_RETRIES,
    rateLimit: false,
  });
  const sentinel = new SentinelClient(emu.credential, {
    endpoint: server.origin,
    subscriptionId: emu.subscriptionId,
    resourceGroupName: emu.resourceGroupName,
    workspaceName: emu.workspaceName,
    retryOptions: FAST_RETRIES,
    rateLimit: false,
  });
  const store = new InMemoryStateStore();
  const engine = new SyncEngine({ defender, sentinel, tenantId: emu.tenantId, stateStore: store });
  const failed: IncidentFailedEvent[] = [];
  engine.on("incident.failed", (e) => failed.push(e));
  await runToQuiescence(engine);
  const open = emu.defender.listIncidents().filter((i) => i.status === "active" || i.status === "inProgress");
  const incident = open[0]!;
  const name = (await store.getRecord(incident.id))!.sentinelName;
  const resetAfterStore = (rule: ResetRule) => rules.push(rule);
  return { emu, engine, store, failed, dropped, incident, name, resetAfterStore };
}

describe("a comment write reset after the service stored it", () => {
  it("a Sentinel comment POSTed to Defender lands once; the next cycle adopts it", async () => {
    const t = await setup(71);
    const text = "Blocked the sender domain at the gateway.";
    t.emu.sentinel.addComment(t.name, text, "Dana");
    const before = t.emu.defender.getIncident(t.incident.id)!.comments.length;
    t.resetAfterStore({ method: "POST", path: /\/security\/incidents\/[^/]+\/comments$/, times: 1 });

    const first = await t.engine.runOnce();
    expect(t.dropped).toHaveLength(1);
    expect(t.failed).toMatchObject([{ defenderId: t.incident.id, transient: true, quarantined: false }]);
    expect(first.counts.quarantined).toBe(0);
    // Stored once by the service, whatever the client saw.
    const stored = () =>
      t.emu.defender.getIncident(t.incident.id)!.comments.filter((c) => c.comment.includes(text));
    expect(stored()).toHaveLength(1);

    const after = await runToQuiescence(t.engine);
    expect(stored()).toHaveLength(1);
    expect(t.emu.defender.getIncident(t.incident.id)!.comments).toHaveLength(before + 1);
    expect(after.reduce((n, r) => n + r.counts.commentsToDefender, 0)).toBe(0);
    // …and the adopted copy does not come back to Sentinel as a new Defender comment.
    expect(
      t.emu.sentinel.listComments(t.name).filter((c) => c.properties.message.includes(text)),
    ).toHaveLength(1);
    await expectConverged(t.emu, t.store);
  });

  it("an edited Sentinel comment re-posted to Defender lands once", async () => {
    const t = await setup(72);
    const comment = t.emu.sentinel.addComment(t.name, "Looks like phishing", "Dana");
    await runToQuiescence(t.engine);
    t.emu.sentinel.editComment(t.name, comment.name, "Looks like phishing, confirmed by the sandbox");
    t.resetAfterStore({ method: "POST", path: /\/security\/incidents\/[^/]+\/comments$/, times: 1 });

    await t.engine.runOnce();
    expect(t.dropped).toHaveLength(1);
    await runToQuiescence(t.engine);
    const reposts = t.emu.defender
      .getIncident(t.incident.id)!
      .comments.filter((c) => c.comment.includes("(edited) Looks like phishing, confirmed by the sandbox"));
    expect(reposts).toHaveLength(1);
    await expectConverged(t.emu, t.store);
  });

  it("a Defender comment PUT to Sentinel lands once, re-sent or not", async () => {
    const t = await setup(73);
    const text = "Isolated the device from the network.";
    t.emu.defender.addComment(t.incident.id, text);
    t.resetAfterStore({ method: "PUT", path: /\/incidents\/[^/]+\/comments\/[^/]+$/, times: 1 });

    await t.engine.runOnce().catch(() => undefined);
    expect(t.dropped).toHaveLength(1);
    await runToQuiescence(t.engine);
    expect(
      t.emu.sentinel.listComments(t.name).filter((c) => c.properties.message.includes(text)),
    ).toHaveLength(1);
    await expectConverged(t.emu, t.store);
  });
});
