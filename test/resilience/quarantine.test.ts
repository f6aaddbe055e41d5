/**
 * Quarantine of pathological payloads: an incident nested 100,000 levels deep, or one so large its schema
 * issues run into the tens of thousands, is kept aside like any poison incident. Neither its digest nor the
 * quarantine record's write may throw, and the rest of the tenant keeps syncing, cycle after cycle.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { FileStateStore, type IncidentFailedEvent, sentinelNameFor } from "defender-sentinel-sync";
import { afterEach, describe, expect, it } from "vitest";
import { expectConverged, nameOf, openIncidents, type SyncSetup, useSyncSetups } from "../helpers/engine";

const setup = useSyncSetups();
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function fileStore(): Promise<FileStateStore> {
  const dir = await mkdtemp(join(tmpdir(), "quarantine-"));
  dirs.push(dir);
  return new FileStateStore(dir);
}

const DEPTH = 100_000;
/** JSON text of arrays nested DEPTH deep (JSON.stringify of the parsed value throws RangeError). */
const DEEP = `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`;

/**
 * Splices `json` (raw JSON text) into the Graph incident `id` as property `field`, in lists and single reads.
 * Built as text, since JSON.stringify cannot write such a value.
 */
function splice(id: () => string | undefined, field: string, json: string): PipelinePolicy {
  return {
    name: "splice-payload",
    async sendRequest(request, next) {
      const response = await next(request);
      const target = id();
      if (!target || request.method !== "GET" || !response.bodyAsText) return response;
      if (!/\/security\/incidents/.test(new URL(request.url).pathname)) return response;
      const body = JSON.parse(response.bodyAsText) as { value?: Record<string, unknown>[] } & Record<
        string,
        unknown
      >;
      const items = Array.isArray(body.value) ? body.value : [body];
      const item = items.find((i) => i.id === target);
      if (!item) return response;
      item[field] = "__SPLICE__";
      response.bodyAsText = JSON.stringify(body).replace('"__SPLICE__"', json);
      return response;
    },
  };
}

async function withSplice(field: string, json: string, store?: FileStateStore) {
  let id: string | undefined;
  const t: SyncSetup = await setup({
    incidents: 5,
    seed: 41,
    store,
    policies: { defender: [{ policy: splice(() => id, field, json), position: "perCall" }] },
  });
  const errors: unknown[] = [];
  const failed: IncidentFailedEvent[] = [];
  t.engine.on("error", (e) => errors.push(e));
  t.engine.on("incident.failed", (e) => failed.push(e));
  return { t, errors, failed, poison: (value: string) => void (id = value) };
}

describe("quarantine of pathological payloads", () => {
  it("an incident whose known field is nested 100,000 deep is quarantined, and stays quiet while unchanged", async () => {
    const store = await fileStore();
    const { t, errors, failed, poison } = await withSplice("severity", DEEP, store);
    const [bad] = openIncidents(t);
    poison(bad!.id);

    const r1 = await t.engine.runOnce();
    expect(errors).toEqual([]);
    expect(failed).toMatchObject([{ defenderId: bad!.id, quarantined: true, transient: false }]);
    expect(r1.counts.created).toBe(4);
    const record = await store.getRecord(bad!.id);
    expect(record?.quarantine?.digest).toMatch(/^[0-9a-f]{64}$/);

    // Same payload next cycle: recognised by its digest, not reported again, nothing thrown.
    t.emu.defender.editIncident(openIncidents(t)[1]!.id, { displayName: "still flowing" });
    const r2 = await t.engine.runOnce();
    expect(errors).toEqual([]);
    expect(failed).toHaveLength(1);
    expect(r2.writes.sentinel).toBe(1);
    // The quarantine record survives a restart of the durable store.
    await store.close();
    const reopened = new FileStateStore((store as unknown as { directory: string }).directory);
    expect((await reopened.getRecord(bad!.id))?.quarantine?.digest).toBe(record!.quarantine!.digest);
    await reopened.close();
  });

  it("a valid incident carrying an unknown property nested 100,000 deep can be quarantined and retried without crashing the cycle", async () => {
    const { t, errors, failed, poison } = await withSplice("vendorExtension", DEEP);
    const [bad] = openIncidents(t);
    poison(bad!.id);
    // Sentinel refuses its copy once: a poison incident, quarantined with the digest of its (deep) payload.
    const name = sentinelNameFor(t.server.tenantId, bad!.id);
    t.emu.faults.script({
      service: "sentinel",
      method: "PUT",
      route: new RegExp(`/incidents/${name}$`),
      fault: { kind: "status", status: 400, code: "BadRequest", message: "Invalid incident" },
    });
    const r1 = await t.engine.runOnce();
    expect(errors).toEqual([]);
    expect(failed).toMatchObject([{ defenderId: bad!.id, quarantined: true, transient: false }]);
    expect(r1.counts.created).toBe(4);
    expect((await t.store.getRecord(bad!.id))?.quarantine?.digest).toMatch(/^[0-9a-f]{64}$/);

    // Changed: listed again with its deep property; comparing digests must not throw, and it is retried.
    t.emu.defender.editIncident(bad!.id, { displayName: "changed while quarantined" });
    const r2 = await t.engine.runOnce();
    expect(errors).toEqual([]);
    expect(r2.failures).toEqual([]);
    expect(r2.counts.created).toBe(1);
    expect((await t.store.getRecord(bad!.id))?.quarantine).toBeUndefined();
    await expectConverged(t.emu, t.store);
  });

  it("a huge invalid incident (50,000 failing tags, 8 MB) is quarantined with a bounded reason, written to a FileStateStore", async () => {
    // Every tag fails its schema (a number, not a string), and each carries padding.
    const tags = JSON.stringify(
      Array.from({ length: 50_000 }, (_, i) => ({ tag: i, padding: "x".repeat(150) })),
    );
    const store = await fileStore();
    const { t, errors, failed, poison } = await withSplice("customTags", tags, store);
    const [bad, other] = openIncidents(t);
    poison(bad!.id);

    const r = await t.engine.runOnce();
    expect(errors).toEqual([]);
    expect(failed).toMatchObject([{ defenderId: bad!.id, quarantined: true }]);
    expect(r.counts.created).toBe(4);
    const reason = (await store.getRecord(bad!.id))!.quarantine!.reason;
    expect(reason.length).toBeLessThanOrEqual(2_100);
    expect(reason).toMatch(/and 49990 more issues$/);
    expect(failed[0]!.reason).toBe(reason);
    // The rest keeps flowing.
    t.emu.defender.editIncident(other!.id, { displayName: "after the huge one" });
    await t.engine.runOnce();
    expect(t.emu.sentinel.getIncident(await nameOf(t, other!.id))!.properties.title).toBe(
      "after the huge one",
    );
    await store.close();
  });
});
