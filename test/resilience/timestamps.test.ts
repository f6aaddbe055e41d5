/**
 * Service timestamps are untrusted input. A Defender `lastUpdateDateTime` or a Sentinel `lastModifiedTimeUtc` in
 * year 9999, or one that is not a date at all, must neither move a watermark past now nor break later cycles:
 * the incident still syncs, a `warning` (code `untrustedTimestamp`) reports it, the rest keeps flowing, and
 * reconciliation still runs. The bogus value is injected into the clients' responses by a pipeline policy.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { ConflictEvent, IncidentFailedEvent, SyncWarning } from "defender-sentinel-sync";
import { describe, expect, it } from "vitest";
import {
  defenderCanonical,
  expectConverged,
  nameOf,
  openIncidents,
  runToQuiescence,
  sentinelCanonical,
  useSyncSetups,
} from "../helpers/engine";

const setup = useSyncSetups();

/** Five minutes: the clock skew the engine tolerates. */
const SKEW = 5 * 60_000;

type Item = Record<string, unknown> & { properties?: Record<string, unknown> };

/** Rewrites items of GET responses (lists and single reads) whose key (id or name) is in `targets`. */
function rewriting(match: RegExp, targets: Map<string, (item: Item) => void>): PipelinePolicy {
  return {
    name: "rewrite-timestamps",
    async sendRequest(request, next) {
      const response = await next(request);
      if (request.method !== "GET" || !match.test(new URL(request.url).pathname) || !response.bodyAsText)
        return response;
      const body = JSON.parse(response.bodyAsText) as Item & { value?: Item[] };
      for (const item of Array.isArray(body.value) ? body.value : [body]) {
        // Graph items are keyed by id, ARM items by name (their id is the full resource id).
        targets.get(String(item.name ?? item.id ?? ""))?.(item);
      }
      response.bodyAsText = JSON.stringify(body);
      return response;
    },
  };
}

function defenderTimestamp(value: string, targets: Map<string, (item: Item) => void>, id: string) {
  targets.set(id, (item) => {
    item.lastUpdateDateTime = value;
  });
}

function sentinelTimestamp(value: string, targets: Map<string, (item: Item) => void>, name: string) {
  targets.set(name, (item) => {
    if (item.properties) item.properties.lastModifiedTimeUtc = value;
  });
}

function expectSane(watermark: string | undefined) {
  expect(watermark).toBeDefined();
  const ms = Date.parse(watermark!);
  expect(Number.isNaN(ms)).toBe(false);
  expect(ms).toBeLessThanOrEqual(Date.now() + SKEW);
}

describe.each([
  ["in year 9999", "9999-12-31T23:59:59.9999999Z"],
  ["not a date", "not a date"],
])("a Defender lastUpdateDateTime %s", (_, bogus) => {
  it("syncs the incident, is reported, and never becomes the watermark; later edits and reconciliation still flow", async () => {
    const targets = new Map<string, (item: Item) => void>();
    const t = await setup({
      incidents: 5,
      seed: 31,
      engine: { reconcileEveryNCycles: 3 },
      policies: {
        defender: [{ policy: rewriting(/\/security\/incidents/, targets), position: "perCall" }],
      },
    });
    const [odd, other] = openIncidents(t);
    defenderTimestamp(bogus, targets, odd!.id);
    const warnings: SyncWarning[] = [];
    const failed: IncidentFailedEvent[] = [];
    t.engine.on("warning", (w) => warnings.push(w));
    t.engine.on("incident.failed", (e) => failed.push(e));

    // Reported exactly once: synced with an `untrustedTimestamp` warning, or (when the client's schema already
    // refuses the value) quarantined as an invalid item. Everything else syncs either way.
    const first = await t.engine.runOnce();
    const warned = warnings.filter((w) => w.code === "untrustedTimestamp");
    expect(warned.length + failed.length).toBe(1);
    if (warned.length === 1) {
      expect(warned[0]).toMatchObject({ service: "defender", detail: { id: odd!.id, value: bogus } });
      expect(first.failures).toEqual([]);
      expect(first.counts.created).toBe(5);
    } else {
      expect(failed[0]).toMatchObject({ defenderId: odd!.id, quarantined: true });
      expect(first.counts.created).toBe(4);
    }
    expectSane((await t.store.getWatermarks()).defender);

    // A later Defender edit of another incident still reaches Sentinel in the next cycle.
    t.emu.defender.editIncident(other!.id, { displayName: "edited after the odd timestamp" });
    const second = await t.engine.runOnce();
    expect(second.counts.created).toBe(0);
    expect(sentinelCanonical(t.emu, await nameOf(t, other!.id)).title).toBe("edited after the odd timestamp");
    expectSane((await t.store.getWatermarks()).defender);

    // Cycle 3 reconciles: it lists both sides fully and completes.
    const third = await t.engine.runOnce();
    expect(third.reconciliation).toBe(true);
    expect(third.counts.created).toBe(0);
    expectSane((await t.store.getWatermarks()).defender);
    // Reported once, not every cycle.
    expect(warnings.filter((w) => w.code === "untrustedTimestamp").length + failed.length).toBe(1);
    await expectConverged(t.emu, t.store, { except: failed.length > 0 ? [odd!.id] : [] });
  });
});

describe.each([
  ["in year 9999", "9999-12-31T23:59:59.9999999Z"],
  ["not a date", "not a date"],
])("a Sentinel lastModifiedTimeUtc %s", (_, bogus) => {
  it("is reported and never becomes the watermark; later Sentinel edits still reach Defender", async () => {
    const targets = new Map<string, (item: Item) => void>();
    const t = await setup({
      incidents: 5,
      seed: 32,
      policies: { sentinel: [{ policy: rewriting(/\/incidents/, targets), position: "perCall" }] },
    });
    await runToQuiescence(t.engine);
    const [odd, other] = openIncidents(t);
    const oddName = await nameOf(t, odd!.id);
    sentinelTimestamp(bogus, targets, oddName);
    const warnings: SyncWarning[] = [];
    t.engine.on("warning", (w) => warnings.push(w));

    // An analyst edit makes the odd incident show up in the Sentinel listing with its bogus timestamp.
    t.emu.sentinel.editIncident(oddName, { title: "odd one, edited" });
    const first = await t.engine.runOnce();
    expect(first.failures).toEqual([]);
    expect(defenderCanonical(t.emu, odd!.id).title).toBe("odd one, edited");
    expect(warnings).toMatchObject([{ code: "untrustedTimestamp", service: "sentinel" }]);
    expectSane((await t.store.getWatermarks()).sentinel);

    t.emu.sentinel.editIncident(await nameOf(t, other!.id), { title: "edited in Sentinel later" });
    const second = await t.engine.runOnce();
    expect(second.failures).toEqual([]);
    expect(defenderCanonical(t.emu, other!.id).title).toBe("edited in Sentinel later");
    expectSane((await t.store.getWatermarks()).sentinel);
    await expectConverged(t.emu, t.store);
  });
});

describe("untrusted timestamps elsewhere", () => {
  it("a stored watermark in the future or not a date (an older version's) is distrusted: the pass lists from the start", async () => {
    const t = await setup({ incidents: 4, seed: 33 });
    await runToQuiescence(t.engine);
    const { version, ...rest } = await t.store.getWatermarks();
    await t.store.putWatermarks(
      { ...rest, defender: "9999-12-31T23:59:59.0000000Z", sentinel: "garbage" },
      version,
    );
    const warnings: SyncWarning[] = [];
    t.engine.on("warning", (w) => warnings.push(w));
    const [d] = openIncidents(t);
    t.emu.defender.editIncident(d!.id, { displayName: "after the bad watermark" });

    const r = await t.engine.runOnce();
    expect(r.failures).toEqual([]);
    expect(sentinelCanonical(t.emu, await nameOf(t, d!.id)).title).toBe("after the bad watermark");
    expect(warnings.map((w) => w.code).sort()).toEqual(["watermarkDistrusted", "watermarkDistrusted"]);
    const marks = await t.store.getWatermarks();
    expectSane(marks.defender);
    expectSane(marks.sentinel);
    await expectConverged(t.emu, t.store);
  });

  it("a Defender timestamp in the future does not win a latest-wins conflict over a real, later Sentinel edit", async () => {
    const targets = new Map<string, (item: Item) => void>();
    const t = await setup({
      incidents: 3,
      seed: 23,
      policies: {
        defender: [{ policy: rewriting(/\/security\/incidents/, targets), position: "perCall" }],
      },
    });
    await runToQuiescence(t.engine);
    const [d] = openIncidents(t);
    const name = await nameOf(t, d!.id);
    const events: ConflictEvent[] = [];
    t.engine.on("conflict", (e) => events.push(e));
    const severity = t.emu.defender.getIncident(d!.id)!.severity === "high" ? "low" : "high";
    t.emu.defender.editIncident(d!.id, { severity });
    defenderTimestamp("9999-12-31T23:59:59.0000000Z", targets, d!.id);
    await new Promise((r) => setTimeout(r, 5));
    t.emu.sentinel.editIncident(name, { severity: "Informational" });

    await runToQuiescence(t.engine);
    expect(events).toMatchObject([{ defenderId: d!.id, group: "severity", resolution: "sentinel" }]);
    expect(t.emu.defender.getIncident(d!.id)!.severity).toBe("informational");
    await expectConverged(t.emu, t.store);
  });
});
