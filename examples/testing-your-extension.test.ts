/**
 * How to test your own mapping extension offline: the emulator's msw handlers stand in for
 * graph.microsoft.com and management.azure.com, so clients keep their default (real) endpoints.
 * Run with `npx vitest run examples/testing-your-extension.test.ts`.
 */
import {
  createMappingProfile,
  DefenderClient,
  SentinelClient,
  SyncEngine,
  sentinelNameFor,
} from "defender-sentinel-sync";
import {
  createEmulator,
  DEFAULT_RESOURCE_GROUP_NAME,
  DEFAULT_SUBSCRIPTION_ID,
  DEFAULT_TENANT_ID,
  DEFAULT_WORKSPACE_NAME,
} from "defender-sentinel-sync/testing";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, expect, it } from "vitest";

// The extension under test: prefix titles with the customer name, and strip it again on the way back so
// round trips stay exact.
const PREFIX = "[Contoso] ";
const contosoProfile = createMappingProfile({
  title: {
    toSentinel: (value, ctx, next) => next(value.startsWith(PREFIX) ? value : PREFIX + value, ctx),
    fromSentinel: (value, ctx, next) =>
      next(value?.startsWith(PREFIX) ? value.slice(PREFIX.length) : value, ctx),
  },
});

const emu = createEmulator({ seed: 42, incidents: 10, throttling: false });
const server = setupServer(...emu.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

function engine() {
  const defender = new DefenderClient(emu.credential, { rateLimit: false });
  const sentinel = new SentinelClient(emu.credential, {
    subscriptionId: DEFAULT_SUBSCRIPTION_ID,
    resourceGroupName: DEFAULT_RESOURCE_GROUP_NAME,
    workspaceName: DEFAULT_WORKSPACE_NAME,
    rateLimit: false,
  });
  return new SyncEngine({ defender, sentinel, mapping: contosoProfile, tenantId: DEFAULT_TENANT_ID });
}

it("Sentinel copies carry the customer prefix, and nothing echoes back to Defender", async () => {
  const sync = engine();
  await sync.runOnce();
  const incident = emu.defender.listIncidents()[0]!;
  const copy = emu.sentinel.getIncident(sentinelNameFor(DEFAULT_TENANT_ID, incident.id))!;
  expect(copy.properties.title).toBe(PREFIX + incident.displayName);
  // The prefix must not leak into Defender: a second cycle writes nothing.
  const second = await sync.runOnce();
  expect(second.writes).toEqual({ defender: 0, sentinel: 0 });
  expect(emu.defender.getIncident(incident.id)!.displayName).toBe(incident.displayName);
});

it("a title edited in Sentinel reaches Defender without the prefix", async () => {
  const sync = engine();
  await sync.runOnce();
  const incident = emu.defender.listIncidents()[1]!;
  emu.sentinel.editIncident(sentinelNameFor(DEFAULT_TENANT_ID, incident.id), {
    title: `${PREFIX}Renamed by an analyst`,
  });
  await sync.runOnce();
  expect(emu.defender.getIncident(incident.id)!.displayName).toBe("Renamed by an analyst");
});
