/**
 * The engine never writes to what it is given: ledger records and watermarks the StateStore returns, and the
 * incidents, comments and pages the clients return. Here all of them are deep-frozen (a write throws a
 * TypeError in strict mode) over a full life: creation, edits and comments both ways, a Sentinel comment
 * edited (re-posted to Defender), a close from Sentinel, and quiescence.
 */
import {
  DEFAULT_RELAY_STREAM_NAME,
  DefenderClient,
  type DefenderIncidentsApi,
  InMemoryStateStore,
  type PagedAsyncIterableIterator,
  type PageSettings,
  SentinelClient,
  type SentinelIncidentsApi,
  SyncEngine,
  type SyncRecord,
  type SyncReport,
  UnifiedTarget,
  type Watermarks,
} from "defender-sentinel-sync";
import { createEmulator, createManualClock } from "defender-sentinel-sync/testing";
import { describe, expect, it } from "vitest";
import { deepFreeze } from "../helpers/deepFreeze";
import { expectConverged, openIncidents, runToQuiescence, useSyncSetups } from "../helpers/engine";

/** An InMemoryStateStore whose reads are deep-frozen copies. */
class FrozenReadsStateStore extends InMemoryStateStore {
  reads = 0;
  override async getRecord(defenderId: string): Promise<SyncRecord | undefined> {
    this.reads++;
    return deepFreeze(await super.getRecord(defenderId));
  }
  override async findBySentinelName(sentinelName: string): Promise<SyncRecord | undefined> {
    this.reads++;
    return deepFreeze(await super.findBySentinelName(sentinelName));
  }
  override async *listRecords(): AsyncIterable<SyncRecord> {
    for await (const record of super.listRecords()) {
      this.reads++;
      yield deepFreeze(record);
    }
  }
  override async getWatermarks(): Promise<Watermarks> {
    return deepFreeze(await super.getWatermarks());
  }
  override async putWatermarks(w: Omit<Watermarks, "version">, expectedVersion: number): Promise<Watermarks> {
    return deepFreeze(await super.putWatermarks(w, expectedVersion));
  }
}

/** The pages of a listing, each deep-frozen (items and the page array). */
function frozenPages<T>(
  iterator: PagedAsyncIterableIterator<T, T[], PageSettings>,
): PagedAsyncIterableIterator<T, T[], PageSettings> {
  return {
    async next() {
      const r = await iterator.next();
      return r.done ? r : { done: false, value: deepFreeze(r.value) };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
    byPage(settings?: PageSettings) {
      const pages = iterator.byPage(settings);
      return (async function* () {
        for await (const page of pages) yield deepFreeze(page);
      })();
    },
  };
}

const frozen = async <T>(p: Promise<T>): Promise<T> => deepFreeze(await p);

/** A Defender client whose every answer is deep-frozen. */
function frozenDefender(real: DefenderIncidentsApi): DefenderIncidentsApi {
  return {
    metrics: real.metrics,
    onWarning: (listener) => real.onWarning(listener),
    listIncidents: (options) => frozenPages(real.listIncidents(options)),
    countIncidents: (options) => real.countIncidents(options),
    getIncident: (id, options) => frozen(real.getIncident(id, options)),
    updateIncident: (id, patch, options) => frozen(real.updateIncident(id, patch, options)),
    addIncidentComment: (id, comment, options) => frozen(real.addIncidentComment(id, comment, options)),
  };
}

/** A Sentinel client whose every answer is deep-frozen. */
function frozenSentinel(real: SentinelIncidentsApi): SentinelIncidentsApi {
  return {
    metrics: real.metrics,
    onWarning: (listener) => real.onWarning(listener),
    listIncidents: (options) => frozenPages(real.listIncidents(options)),
    getIncident: (name, options) => frozen(real.getIncident(name, options)),
    createOrUpdateIncident: (name, properties, options) =>
      frozen(real.createOrUpdateIncident(name, properties, options)),
    listIncidentComments: (name, options) => frozenPages(real.listIncidentComments(name, options)),
    createIncidentComment: (name, commentId, message, options) =>
      frozen(real.createIncidentComment(name, commentId, message, options)),
  };
}

const setup = useSyncSetups();

function expectNoFailures(reports: readonly SyncReport[]): void {
  expect(reports.flatMap((r) => r.failures)).toEqual([]);
  expect(reports.reduce((n, r) => n + r.counts.failed + r.counts.quarantined, 0)).toBe(0);
}

describe("the engine leaves what it is given alone", () => {
  it.each([
    { clients: "as parsed", freezeClients: false },
    { clients: "deep-frozen too", freezeClients: true },
  ])(
    "frozen ledger records, client answers $clients: a full life completes without a TypeError",
    async ({ freezeClients }) => {
      const t = await setup({ incidents: 8, seed: 11 });
      const store = new FrozenReadsStateStore();
      const engine = new SyncEngine({
        defender: freezeClients ? frozenDefender(t.defender) : t.defender,
        sentinel: freezeClients ? frozenSentinel(t.sentinel) : t.sentinel,
        stateStore: store,
        tenantId: t.server.tenantId,
        // Every cycle a reconciliation every other cycle: the full listings and the ledger scan run too.
        reconcileEveryNCycles: 2,
      });

      expectNoFailures(await runToQuiescence(engine));
      const incidents = t.emu.defender.listIncidents();
      expect(t.emu.sentinel.listIncidents()).toHaveLength(incidents.length);

      // Edits and comments both ways.
      const [a, b, c] = openIncidents(t);
      const nameOf = async (id: string) => (await store.getRecord(id))!.sentinelName;
      const [aName, bName, cName] = [await nameOf(a!.id), await nameOf(b!.id), await nameOf(c!.id)];
      t.emu.defender.editIncident(a!.id, {
        displayName: "Renamed in Defender",
        customTags: ["from-defender"],
      });
      t.emu.sentinel.editIncident(bName, { title: "Renamed in Sentinel", severity: "Low" });
      t.emu.defender.addComment(a!.id, "Isolated the device", "Bob");
      t.emu.defender.addComment(b!.id, "Collected the logs", "Ann");
      const fromSentinel = t.emu.sentinel.addComment(bName, "Escalated to tier 2");
      t.emu.sentinel.addComment(aName, "Customer informed");
      const edits = await runToQuiescence(engine);
      expectNoFailures(edits);
      expect(edits.reduce((n, r) => n + r.counts.commentsToSentinel, 0)).toBe(2);
      expect(edits.reduce((n, r) => n + r.counts.commentsToDefender, 0)).toBe(2);
      expect(t.emu.sentinel.getIncident(aName)!.properties.title).toBe("Renamed in Defender");
      expect(t.emu.defender.getIncident(b!.id)!.displayName).toBe("Renamed in Sentinel");

      // A Sentinel comment edited after it was copied: re-posted to Defender (the ledger entry is replaced).
      t.emu.sentinel.editComment(bName, fromSentinel.name, "Escalated to tier 3");
      // A close from Sentinel (classification and reason go to Defender).
      t.emu.sentinel.editIncident(cName, {
        status: "Closed",
        classification: "TruePositive",
        classificationReason: "SuspiciousActivity",
        classificationComment: "Confirmed by IR",
      });
      const later = await runToQuiescence(engine);
      expectNoFailures(later);
      expect(later.reduce((n, r) => n + r.counts.commentsToDefender, 0)).toBe(1);
      expect(later.reduce((n, r) => n + r.counts.closed, 0)).toBe(1);
      expect(t.emu.defender.getIncident(b!.id)!.comments.some((x) => x.comment.includes("tier 3"))).toBe(
        true,
      );
      expect(t.emu.defender.getIncident(c!.id)!.status).toBe("resolved");
      expect(store.reads).toBeGreaterThan(0);
      await expectConverged(t.emu, store);
      engine.dispose();
    },
  );
});

describe("relay cycles leave what they are given alone", () => {
  it("frozen ledger records and frozen answers of both Graphs: link, edits and comments both ways", async () => {
    const clock = createManualClock("2026-11-30T00:00:00Z");
    const customerId = "0f7c1d3e-5a6b-4c8d-9e0f-1a2b3c4d5e6f";
    const emu = createEmulator({ seed: 11, incidents: 2, now: clock.now, throttling: false, unified: {} });
    const customer = emu.addTenant({ tenantId: customerId, incidents: 3 });
    const srv = await emu.listen();
    try {
      const retryOptions = { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 10 };
      const mssp = frozenDefender(
        new DefenderClient(emu.credential, { endpoint: srv.defenderEndpoint, retryOptions }),
      );
      const source = frozenDefender(
        new DefenderClient(customer.credential, { endpoint: srv.defenderEndpoint, retryOptions }),
      );
      const sentinel = new SentinelClient(emu.credential, {
        endpoint: srv.sentinelEndpoint,
        subscriptionId: srv.subscriptionId,
        resourceGroupName: srv.resourceGroupName,
        workspaceName: srv.workspaceName,
        retryOptions,
      });
      const target = new UnifiedTarget({
        defender: mssp,
        sentinel,
        ingestion: {
          endpoint: srv.url,
          ruleId: "dcr-00112233445566778899aabbccddeeff",
          streamName: DEFAULT_RELAY_STREAM_NAME,
          retryOptions,
        },
        credential: emu.credential,
        now: clock.now,
      });
      await target.ensureRelayRule();
      const store = new FrozenReadsStateStore();
      const engine = new SyncEngine({
        defender: source,
        target,
        tenantId: customerId,
        stateStore: store,
        now: clock.now,
        overlapInMs: 0,
        reconcileEveryNCycles: 3,
      });
      const reports: SyncReport[] = [];
      const cycle = async () => {
        clock.advance(5 * 60_000);
        const r = await engine.runOnce();
        reports.push(r);
        return r;
      };
      const linkedPairs = async () => {
        const linked: { sourceId: string; targetId: string }[] = [];
        for await (const r of store.listRecords())
          if (r.relay?.targetId) linked.push({ sourceId: r.defenderId, targetId: r.relay.targetId });
        return linked;
      };
      for (let i = 0; i < 12 && (await linkedPairs()).length < 3; i++) await cycle();
      const pairs = await linkedPairs();
      expect(pairs).toHaveLength(3);
      const [p, q, r] = pairs;

      // Both ways: an MSSP close and comment, a customer edit and comment, an MSSP rename.
      emu.unified.closeIncident(emu.tenantId, p!.targetId, {
        classification: "truePositive",
        determination: "malware",
      });
      emu.unified.addComment(emu.tenantId, q!.targetId, "mssp: isolating the host", "dave@mssp.com");
      emu.unified.tenant(customerId).addComment(p!.sourceId, "customer: host reimaged", "carol@customer.com");
      emu.unified
        .tenant(customerId)
        .editIncident(q!.sourceId, { severity: "high", displayName: "Ransomware wave" });
      emu.unified.editIncident(emu.tenantId, r!.targetId, {
        displayName: "Renamed in the MSSP",
        severity: "low",
      });
      for (let i = 0; i < 4; i++) await cycle();
      expectNoFailures(reports);

      const sourceP = emu.unified.tenant(customerId).getIncident(p!.sourceId)!;
      expect(sourceP.status).toBe("resolved");
      const sourceQ = emu.unified.tenant(customerId).getIncident(q!.sourceId)!;
      expect(sourceQ.comments.some((c) => c.comment.includes("mssp: isolating the host"))).toBe(true);
      const targetP = emu.unified.tenant(emu.tenantId).getIncident(p!.targetId)!;
      expect(targetP.comments.some((c) => c.comment.includes("customer: host reimaged"))).toBe(true);
      const targetQ = emu.unified.tenant(emu.tenantId).getIncident(q!.targetId)!;
      expect(targetQ).toMatchObject({ severity: "high", displayName: "Ransomware wave" });
      // Quiet afterwards.
      const quiet = await cycle();
      expect(quiet.writes).toEqual({ defender: 0, sentinel: 0 });
      expect(store.reads).toBeGreaterThan(0);
      engine.dispose();
    } finally {
      await srv.close();
      await emu.close();
    }
  });
});
