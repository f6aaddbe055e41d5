/**
 * Forward every incident change to a webhook (or the console): the hook Microsoft's connector lacks.
 * Run: `npx tsx examples/event-hooks.ts [webhook-url]` — without a URL the events are printed.
 * Uses the emulator, so it runs anywhere.
 */
import { DefenderClient, SentinelClient, SyncEngine, type SyncEngineEvents } from "defender-sentinel-sync";
import { createEmulator } from "defender-sentinel-sync/testing";

const webhook = process.argv[2];

async function forward(event: keyof SyncEngineEvents, payload: unknown): Promise<void> {
  const body = JSON.stringify({ event, payload, at: new Date().toISOString() });
  if (!webhook) {
    console.log(body.length > 200 ? `${body.slice(0, 197)}...` : body);
    return;
  }
  // A hook that fails is reported on the engine's `error` event; it never stops the sync.
  const res = await fetch(webhook, { method: "POST", headers: { "content-type": "application/json" }, body });
  if (!res.ok) throw new Error(`webhook answered ${res.status}`);
}

const emu = createEmulator({ seed: 3, incidents: 20 });
const server = await emu.listen();
const defender = new DefenderClient(emu.credential, { endpoint: server.defenderEndpoint });
const sentinel = new SentinelClient(emu.credential, {
  endpoint: server.sentinelEndpoint,
  subscriptionId: server.subscriptionId,
  resourceGroupName: server.resourceGroupName,
  workspaceName: server.workspaceName,
});
const engine = new SyncEngine({ defender, sentinel, tenantId: server.tenantId });

const forwarded: (keyof SyncEngineEvents)[] = [
  "incident.created",
  "incident.updated",
  "incident.closed",
  "incident.reopened",
  "incident.redirected",
  "comment.synced",
  "conflict",
  "incident.failed",
];
for (const name of forwarded) {
  engine.on(name, (payload: unknown) => {
    forward(name, payload).catch((e) => engine.emit("error", e));
  });
}
engine.on("error", (e) => console.error("hook error:", e instanceof Error ? e.message : e));

await engine.runOnce();
const open = emu.defender.listIncidents().find((i) => i.status === "active");
if (open) emu.defender.editIncident(open.id, { severity: "high", customTags: ["vip"] });
await engine.runOnce();
await server.close();
