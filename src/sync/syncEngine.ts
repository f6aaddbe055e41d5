import { EventEmitter } from "eventemitter3";
import type { OperationOptions } from "../core/clientOptions";
import { isAbortError, RequestAbortedError, type ResponseValidationError } from "../core/errors";
import type { RequestMetricsSnapshot } from "../core/metrics";
import { observePendingPairs } from "../core/otelMetrics";
import { safeEmit } from "../core/safeEmit";
import { compareTimestamps } from "../core/timestamps";
import { sleep } from "../core/tokenBucket";
import type { SyncWarning } from "../core/warnings";
import type { DefenderIncident } from "../defender/models";
import type { SentinelIncident } from "../sentinel/models";
import { AppliedVersions } from "./appliedVersions";
import { type PairInput, syncClassicPair } from "./classic/classicPair";
import { isDefenderEcho, isSentinelEcho, sentinelViewUnchanged } from "./classic/echo";
import { CycleViews } from "./classic/pairView";
import { forEachConcurrent } from "./concurrency";
import { type CycleContext, type EngineSettings, isConnectorCopy } from "./cycleContext";
import { runWithDeadline } from "./cycleTimeout";
import { type RelayOptions, resolveEngineOptions, type SyncEngineOptions } from "./engineOptions";
import type { SyncEngineEvents } from "./events";
import { ownerOfInvalidItem } from "./invalidItem";
import { failureReason, invalidItemReason, isTransientPairFailure } from "./pairFailure";
import { PassMark } from "./passMark";
import { payloadDigest } from "./payloadDigest";
import { dueQuarantine, type QuarantinedPayload, quarantineWrite } from "./quarantine";
import { runRelayCycle } from "./relay/relayEngine";
import type { StateStore, SyncRecord, Watermarks } from "./stateStore";
import { newSyncReport, type PlannedWrite, type SyncReport } from "./syncReport";
import { traceCycle, tracePair } from "./syncTracing";
import { TimestampTrust } from "./trustedTimestamp";

export type { SyncEngineOptions } from "./engineOptions";

/** Options of `SyncEngine.runOnce`: cancellation, and the parent span of the cycle's span. */
export interface RunOnceOptions extends OperationOptions {}

/** The handle of a running polling loop. */
export interface SyncSubscription {
  /** Stops polling; waits for the in-flight cycle to finish and checkpoint. Idempotent. */
  close(): Promise<void>;
  readonly isRunning: boolean;
}

/**
 * Keeps Defender XDR incidents and their Sentinel copies in agreement, in both directions.
 * Emits typed events for every change; a listener that throws is reported on `error` and never stops
 * the engine. The options are checked when it is built (InvalidArgumentError naming the option).
 *
 * Service timestamps are treated as data: a `lastUpdateDateTime` / `lastModifiedTimeUtc` that is not a date or
 * lies more than five minutes in the future still lets its incident sync, but never moves a watermark nor
 * decides a conflict; it is reported once as a `warning` of code `untrustedTimestamp`.
 */
export class SyncEngine extends EventEmitter<SyncEngineEvents> {
  private readonly settings: EngineSettings;
  private readonly pollIntervalInMs: number;
  private readonly concurrency: number;
  private readonly overlapInMs: number;
  private readonly reconcileEvery: number;
  private readonly backfillSince: Date | undefined;
  private readonly cycleTimeoutInMs: number;
  private running: Promise<SyncReport> | undefined;
  /** Number of the cycle in flight (for `cycle.failed`); undefined until the store was read. */
  private cycleNumber: number | undefined;
  private readonly timestamps: TimestampTrust;
  /** Overlap-window items already found applied: no ledger read for them in the next cycles. */
  private readonly applied = new AppliedVersions();
  /** Unified target: cycles relay alerts and sync through Graph on both tenants. */
  private readonly relay: RelayOptions | undefined;
  private loop: { stop: AbortController; done: Promise<void> } | undefined;
  /** Unsubscribes from the clients (see `dispose`). */
  private readonly detach: (() => unknown)[] = [];
  /** Unified target: pairs awaiting their target incident after the last cycle (the pending-pairs gauge). */
  private pendingPairs: number | undefined;

  constructor(options: SyncEngineOptions) {
    super();
    const resolved = resolveEngineOptions(options);
    this.settings = resolved.settings;
    this.pollIntervalInMs = resolved.pollIntervalInMs;
    this.concurrency = resolved.maxConcurrency;
    this.overlapInMs = resolved.overlapInMs;
    this.reconcileEvery = resolved.reconcileEvery;
    this.backfillSince = resolved.backfillSince;
    this.cycleTimeoutInMs = resolved.cycleTimeoutInMs;
    this.timestamps = new TimestampTrust(this.settings.now);
    this.relay = resolved.relay;
    const mirror = this.relay ? this.relay.target.defender : this.settings.sentinel;
    for (const client of [this.settings.defender, mirror]) {
      this.detach.push(
        client.metrics.onThrottle((info) => this.safeEmit("throttled", info)),
        client.onWarning((warning) => this.safeEmit("warning", warning)),
      );
    }
    if (this.relay) this.detach.push(observePendingPairs(() => this.pendingPairs));
  }

  /**
   * Stops listening to the clients' throttling and warnings, for clients that outlive the engine (a lane
   * removed from a SyncFleet whose clients other lanes still use). Idempotent; do not run cycles afterwards.
   */
  dispose(): void {
    for (const unsubscribe of this.detach.splice(0)) unsubscribe();
  }

  /** True while `start()`'s loop runs. */
  get isRunning(): boolean {
    return this.loop !== undefined;
  }

  /** The state store in use. */
  get stateStore(): StateStore {
    return this.settings.store;
  }

  /**
   * Runs one cycle: Sentinel changes, Defender changes, redirect targets, quarantine retries, and every
   * Nth cycle a full reconciliation. Resolves with the report; rejects (after checkpointing what was
   * done) when a side cannot be listed at all or the signal aborts.
   */
  runOnce(options: RunOnceOptions = {}): Promise<SyncReport> {
    if (this.running) return Promise.reject(new Error("A cycle is already running; await it or use start()"));
    this.cycleNumber = undefined;
    const run = runWithDeadline(
      (signal) =>
        traceCycle({ abortSignal: signal, tracingOptions: options.tracingOptions }, () => this.cycle(signal)),
      this.cycleTimeoutInMs,
      options.abortSignal,
    )
      .catch((error: unknown) => {
        // An abort the caller asked for is not a failure; everything else (a timeout included) is.
        if (!(options.abortSignal?.aborted && isAbortError(error)))
          this.safeEmit("cycle.failed", { cycle: this.cycleNumber, error });
        throw error;
      })
      .finally(() => {
        this.running = undefined;
      });
    this.running = run;
    return run;
  }

  /**
   * Starts polling every `pollIntervalInMs`. A failed cycle is emitted on `cycle.failed` and `error`; the loop
   * carries on with the next cycle.
   */
  start(): SyncSubscription {
    if (this.loop) throw new Error("SyncEngine is already started");
    const stop = new AbortController();
    const done = (async () => {
      while (!stop.signal.aborted) {
        try {
          await this.runOnce();
        } catch (e) {
          this.safeEmit("error", e);
        }
        try {
          await sleep(this.pollIntervalInMs, stop.signal);
        } catch {
          break;
        }
      }
    })();
    const current = { stop, done };
    this.loop = current;
    const engine = this;
    return {
      async close() {
        if (engine.loop !== current) return;
        current.stop.abort();
        await current.done;
        await engine.settings.store.flush?.();
        engine.loop = undefined;
      },
      get isRunning() {
        return engine.loop === current;
      },
    };
  }

  /** Emits to each listener separately: a throwing listener is reported on `error`, never propagated. */
  private safeEmit<E extends keyof SyncEngineEvents>(
    event: E,
    ...args: Parameters<SyncEngineEvents[E]>
  ): void {
    safeEmit(this, event, args);
  }

  /** A tolerated oddity of this cycle: listed in the report and emitted on `warning`. */
  private warn(ctx: CycleContext, warning: SyncWarning): void {
    ctx.report.warnings.push(warning.message);
    this.safeEmit("warning", warning);
  }

  private async cycle(abortSignal: AbortSignal): Promise<SyncReport> {
    if (this.relay) {
      const report = await runRelayCycle({
        settings: this.settings,
        relay: this.relay,
        abortSignal,
        emit: (event, ...args) => this.safeEmit(event, ...args),
        since: (watermark) => this.relaySince(watermark),
        onCycle: (n) => {
          this.cycleNumber = n;
        },
        reconcileEvery: this.reconcileEvery,
      });
      this.pendingPairs = report.pendingPairs;
      this.safeEmit("cycle.completed", report);
      return report;
    }
    const { settings } = this;
    const started = settings.now();
    const before = { d: settings.defender.metrics.snapshot(), s: settings.sentinel.metrics.snapshot() };
    let watermarks = await settings.store.getWatermarks();
    const initial = watermarks;
    const cycleNumber = watermarks.cycles + 1;
    this.cycleNumber = cycleNumber;
    const reconciling = this.reconcileEvery > 0 && cycleNumber % this.reconcileEvery === 0;
    const report = newSyncReport(cycleNumber, started, settings.dryRun, reconciling, watermarks);
    const ctx = this.newContext(report, abortSignal, reconciling, watermarks.connectorCopiesSeen === true);
    const quarantined = new Set(watermarks.quarantined ?? []);
    const checkpoint = async (update: Partial<Omit<Watermarks, "version">>) => {
      if (settings.dryRun) return;
      const { version, ...rest } = watermarks;
      const next = {
        ...rest,
        ...update,
        quarantined: [...quarantined],
        ...(ctx.connectorCopiesSeen ? { connectorCopiesSeen: true } : {}),
      };
      // A page that moved nothing costs no write (one request per write on a remote store).
      if (sameWatermarks(rest, next)) return;
      watermarks = await settings.store.putWatermarks(next, version);
      report.watermarks = { defender: watermarks.defender, sentinel: watermarks.sentinel };
    };

    try {
      const sentinelMark = new PassMark();
      if (settings.direction !== "defender-to-sentinel" || settings.connectorCopies === "link") {
        const since = reconciling ? undefined : this.since(ctx, "sentinel", initial.sentinel);
        await this.sentinelPass(ctx, since, quarantined, sentinelMark, (w) => checkpoint({ sentinel: w }));
      }
      await this.defenderPass(ctx, quarantined, sentinelMark, {
        since: reconciling ? undefined : this.since(ctx, "defender", initial.defender),
        backfill: initial.defender === undefined,
        checkpoint: (w) => checkpoint({ defender: w }),
      });
      await this.linkDeferredCopies(ctx, quarantined, sentinelMark);
      const sentinelAt = sentinelMark.mark;
      if (sentinelAt && sentinelAt !== watermarks.sentinel) await checkpoint({ sentinel: sentinelAt });
      // Redirect targets and due quarantine retries.
      const due = await dueQuarantine(this.settings.store, quarantined, this.settings.now());
      for (const id of [...ctx.followUps, ...due]) {
        if (ctx.processed.has(id)) continue;
        await this.processOne(ctx, { defenderId: id }, quarantined);
      }
      await this.refreshEtags(ctx);
      await checkpoint({ cycles: cycleNumber });
      await settings.store.flush?.();
    } finally {
      this.finishReport(report, before, started);
    }
    if (abortSignal.aborted) throw new RequestAbortedError("The sync cycle was aborted");
    this.safeEmit("cycle.completed", report);
    return report;
  }

  private newContext(
    report: SyncReport,
    abortSignal: AbortSignal,
    reconciling: boolean,
    connectorCopiesSeen: boolean,
  ): CycleContext {
    const { settings } = this;
    return {
      settings,
      report,
      views: new CycleViews(settings.profile),
      abortSignal,
      emit: (event, ...args) => this.safeEmit(event, ...args),
      processed: new Set(),
      followUps: new Set(),
      reconciling,
      etagRefresh: [],
      connectorCopiesSeen,
      deferredCopies: new Map(),
      plan: (write: PlannedWrite) => {
        if (settings.dryRun) {
          report.plannedWrites.push(write);
          return false;
        }
        return true;
      },
    };
  }

  private finishReport(
    report: SyncReport,
    before: { d: RequestMetricsSnapshot; s: RequestMetricsSnapshot },
    started: Date,
  ): void {
    const { settings } = this;
    const after = { d: settings.defender.metrics.snapshot(), s: settings.sentinel.metrics.snapshot() };
    report.apiCalls = {
      defender: after.d.requests - before.d.requests,
      sentinel: after.s.requests - before.s.requests,
    };
    report.throttledResponses = {
      defender: after.d.throttledResponses - before.d.throttledResponses,
      sentinel: after.s.throttledResponses - before.s.throttledResponses,
    };
    if (report.reconciliation) report.counts.reconciled = report.writes.defender + report.writes.sentinel;
    const finished = settings.now();
    report.finishedAt = finished.toISOString();
    report.durationInMs = finished.getTime() - started.getTime();
  }

  /** Relay passes start at the watermark minus the overlap (a distrusted watermark: from the start). */
  private relaySince(watermark: string | undefined): Date | undefined {
    if (watermark === undefined) return this.backfillSince;
    const warning = this.timestamps.distrustedWatermark("defender", watermark);
    if (warning) {
      this.safeEmit("warning", warning);
      return this.backfillSince;
    }
    return new Date(Date.parse(watermark) - this.overlapInMs);
  }

  /** Where a pass starts listing: the watermark minus the overlap; a distrusted watermark lists from the start. */
  private since(
    ctx: CycleContext,
    side: "defender" | "sentinel",
    watermark: string | undefined,
  ): Date | undefined {
    if (watermark === undefined) return this.backfillSince;
    const warning = this.timestamps.distrustedWatermark(side, watermark);
    if (!warning) return new Date(Date.parse(watermark) - this.overlapInMs);
    this.warn(ctx, warning);
    return this.backfillSince;
  }

  /** A service timestamp fit to move a watermark (see `TimestampTrust`); an untrusted one is reported once. */
  private trustedTime(
    ctx: CycleContext,
    side: "defender" | "sentinel",
    id: string,
    value: string | null | undefined,
  ): string | undefined {
    const judged = this.timestamps.item(side, id, value);
    if (judged.warning) this.warn(ctx, judged.warning);
    return judged.value;
  }

  /** Sentinel changes first: analyst edits flow to Defender, connector copies get linked. */
  private async sentinelPass(
    ctx: CycleContext,
    since: Date | undefined,
    quarantined: Set<string>,
    mark: PassMark,
    checkpoint: (watermark: string) => Promise<void>,
  ): Promise<void> {
    const { settings } = this;
    let processed = 0;
    const pages = settings.sentinel
      .listIncidents({
        modifiedSince: since,
        pageSize: 1000,
        abortSignal: ctx.abortSignal,
        onInvalidItem: (error, raw) => this.reportInvalid(ctx, "sentinel", error, raw, quarantined),
      })
      .byPage();
    for await (const page of pages) {
      await forEachConcurrent(page, this.concurrency, async (incident) => {
        const ts = this.trustedTime(ctx, "sentinel", incident.name, incident.properties.lastModifiedTimeUtc);
        mark.seen(ts);
        const outcome = await this.sentinelItem(ctx, incident, quarantined);
        if (outcome === "deferred") mark.defer(incident.properties.providerIncidentId!, ts);
        else if (!outcome) mark.block(ts);
      });
      await this.settleInvalid();
      await this.refreshEtags(ctx);
      processed += page.length;
      this.safeEmit("progress", {
        phase: ctx.reconciling ? "reconcile" : "incremental",
        side: "sentinel",
        processed,
        estimatedTotal: undefined,
      });
      const at = mark.mark;
      if (at) await checkpoint(at);
      if (ctx.abortSignal.aborted) throw new RequestAbortedError("The sync cycle was aborted");
    }
  }

  /**
   * Returns false when the item failed transiently (the watermark must not pass it), "deferred" for a connector
   * copy not linked yet: the Defender pass links it with the Defender incident it lists anyway, instead of a
   * GET per copy.
   */
  private async sentinelItem(
    ctx: CycleContext,
    incident: SentinelIncident,
    quarantined: Set<string>,
  ): Promise<boolean | "deferred"> {
    const { settings } = this;
    if (isConnectorCopy(incident.properties.providerName)) ctx.connectorCopiesSeen = true;
    if (!ctx.reconciling && this.applied.has("sentinel", incident.name, incident.etag)) return true;
    const record = await settings.store.findBySentinelName(incident.name);
    if (!record) {
      const providerId = incident.properties.providerIncidentId;
      if (
        settings.connectorCopies !== "link" ||
        !providerId ||
        !isConnectorCopy(incident.properties.providerName)
      ) {
        return true; // A Sentinel-native incident: not ours to sync.
      }
      const existing = await settings.store.getRecord(providerId);
      const other = existing?.sentinelName ?? ctx.deferredCopies.get(providerId)?.name;
      if (other !== undefined) {
        if (other.toLowerCase() !== incident.name.toLowerCase()) {
          ctx.report.warnings.push(
            `Defender incident ${providerId} has two Sentinel copies: ${other} (linked) and connector copy ${incident.name}`,
          );
        }
        return true;
      }
      ctx.deferredCopies.set(providerId, incident);
      return "deferred";
    }
    if (ctx.processed.has(record.defenderId)) return true;
    if (
      record.sentinelEtag &&
      record.sentinelEtag === incident.etag &&
      !record.quarantine &&
      !ctx.reconciling
    ) {
      this.applied.remember("sentinel", incident.name, incident.etag);
      return true;
    }
    if (!ctx.reconciling && isSentinelEcho(ctx, record, incident)) {
      await this.touch(record, {
        sentinelEtag: incident.etag ?? undefined,
        sentinelModified: incident.properties.lastModifiedTimeUtc ?? undefined,
      });
      return true;
    }
    ctx.report.counts.seen++;
    return this.processOne(ctx, { defenderId: record.defenderId, sentinel: incident, record }, quarantined);
  }

  private async defenderPass(
    ctx: CycleContext,
    quarantined: Set<string>,
    sentinelMark: PassMark,
    pass: { since: Date | undefined; backfill: boolean; checkpoint: (watermark: string) => Promise<void> },
  ): Promise<void> {
    const { settings } = this;
    let estimatedTotal: number | undefined;
    if (pass.backfill) {
      estimatedTotal = await settings.defender
        .countIncidents({ updatedSince: pass.since, abortSignal: ctx.abortSignal })
        .catch(() => undefined);
    }
    let processed = 0;
    const mark = new PassMark();
    const pages = settings.defender
      .listIncidents({
        updatedSince: pass.since,
        expandAlerts: settings.expandAlerts,
        abortSignal: ctx.abortSignal,
        onInvalidItem: (error, raw) => this.reportInvalid(ctx, "defender", error, raw, quarantined),
      })
      .byPage();
    for await (const page of pages) {
      const work = await this.defenderWork(ctx, page);
      // Copies the Sentinel pass already listed need no lookup; only the other new incidents do.
      const copies = await this.findConnectorCopies(
        ctx,
        work.filter((w) => !w.record && !ctx.deferredCopies.has(w.incident.id)).map((w) => w.incident.id),
      );
      const times = new Map(
        page.map((i) => [i.id, this.trustedTime(ctx, "defender", i.id, i.lastUpdateDateTime)] as const),
      );
      for (const ts of times.values()) mark.seen(ts);
      await forEachConcurrent(work, this.concurrency, async ({ incident, record }) => {
        ctx.report.counts.seen++;
        const deferred = ctx.deferredCopies.get(incident.id);
        const copy = deferred ?? copies.get(incident.id);
        const input = { defenderId: incident.id, defender: incident, record, sentinel: copy };
        const ok = await this.processOne(ctx, { ...input, connectorCopy: copy !== undefined }, quarantined);
        if (deferred) {
          ctx.deferredCopies.delete(incident.id);
          sentinelMark.settle(incident.id, ok);
        }
        if (!ok) mark.block(times.get(incident.id));
      });
      await this.settleInvalid();
      await this.refreshEtags(ctx);
      processed += page.length;
      this.safeEmit("progress", {
        phase: pass.backfill ? "backfill" : ctx.reconciling ? "reconcile" : "incremental",
        side: "defender",
        processed,
        estimatedTotal,
      });
      const at = mark.mark;
      if (at) await pass.checkpoint(at);
      if (ctx.abortSignal.aborted) throw new RequestAbortedError("The sync cycle was aborted");
    }
  }

  /** The incidents of a Defender page that need a look (new, changed, or due out of quarantine). */
  private async defenderWork(
    ctx: CycleContext,
    page: DefenderIncident[],
  ): Promise<{ incident: DefenderIncident; record: SyncRecord | undefined }[]> {
    const { settings } = this;
    const work: { incident: DefenderIncident; record: SyncRecord | undefined }[] = [];
    for (const incident of page) {
      if (ctx.processed.has(incident.id)) continue;
      if (!ctx.reconciling && this.applied.has("defender", incident.id, incident.lastUpdateDateTime))
        continue;
      const record = await settings.store.getRecord(incident.id);
      if (
        record &&
        !ctx.reconciling &&
        record.defenderVersion === incident.lastUpdateDateTime &&
        !record.quarantine
      ) {
        this.applied.remember("defender", incident.id, incident.lastUpdateDateTime);
        continue;
      }
      if (record && !ctx.reconciling && isDefenderEcho(ctx, record, incident)) {
        await this.touch(record, { defenderVersion: incident.lastUpdateDateTime ?? undefined });
        continue;
      }
      if (
        record?.quarantine &&
        record.quarantine.digest === payloadDigest(incident) &&
        Date.parse(record.quarantine.nextAttemptAt) > settings.now().getTime()
      ) {
        continue;
      }
      work.push({ incident, record });
    }
    return work;
  }

  /**
   * Connector copies the Sentinel pass listed whose Defender incident the Defender pass did not bring (it lies
   * before the Defender watermark or `backfillSince`): linked now, with one GET each.
   */
  private async linkDeferredCopies(
    ctx: CycleContext,
    quarantined: Set<string>,
    sentinelMark: PassMark,
  ): Promise<void> {
    const left = [...ctx.deferredCopies];
    ctx.deferredCopies.clear();
    await forEachConcurrent(left, this.concurrency, async ([defenderId, copy]) => {
      if (ctx.processed.has(defenderId)) return sentinelMark.settle(defenderId, true);
      ctx.report.counts.seen++;
      const ok = await this.processOne(ctx, { defenderId, sentinel: copy, connectorCopy: true }, quarantined);
      sentinelMark.settle(defenderId, ok);
    });
  }

  /**
   * Re-reads, with one list call, the Sentinel incidents we wrote comments to since the last refresh: writing a
   * comment may move an incident's etag, and recording the moved etag now lets the next cycle tell our own
   * writes from an analyst's comment edit. An incident that shows anything else than what we recorded keeps
   * its old etag, so the next cycle looks at it again. Failures only cost that extra look.
   */
  private async refreshEtags(ctx: CycleContext): Promise<void> {
    const queued = ctx.etagRefresh.splice(0);
    if (queued.length === 0) return;
    const byName = new Map(queued.map((q) => [q.sentinelName.toLowerCase(), q]));
    const since = queued
      .map((q) => q.since)
      .reduce<string | undefined>(
        (min, t) => (t && (!min || compareTimestamps(t, min) < 0) ? t : min),
        undefined,
      );
    if (!since) return;
    try {
      const pages = this.settings.sentinel
        .listIncidents({ modifiedSince: since, pageSize: 1000, abortSignal: ctx.abortSignal })
        .byPage();
      for await (const page of pages) {
        for (const incident of page) {
          const q = byName.get(incident.name.toLowerCase());
          if (!q) continue;
          byName.delete(q.sentinelName.toLowerCase());
          const record = await this.settings.store.getRecord(q.defenderId);
          if (!record || record.sentinelEtag === incident.etag) continue;
          if (sentinelViewUnchanged(ctx, record, incident)) {
            await this.touch(record, {
              sentinelEtag: incident.etag ?? undefined,
              sentinelModified: incident.properties.lastModifiedTimeUtc ?? undefined,
            });
          }
        }
        if (byName.size === 0) break;
      }
    } catch (e) {
      if (isAbortError(e) || ctx.abortSignal.aborted) throw e;
      ctx.report.warnings.push(
        `Re-reading Sentinel etags after comment writes failed: ${(e as Error).message}`,
      );
    }
  }

  /**
   * One Sentinel list call per page of new Defender incidents finds copies Microsoft's connector already
   * made (`providerIncidentId eq … or …`), so linking never costs a call per incident.
   */
  private async findConnectorCopies(
    ctx: CycleContext,
    ids: string[],
  ): Promise<Map<string, SentinelIncident>> {
    const found = new Map<string, SentinelIncident>();
    const { settings } = this;
    // Only workspaces where the connector's copies were ever seen pay for the lookup (one call per page).
    if (
      ids.length === 0 ||
      settings.connectorCopies !== "link" ||
      !ctx.connectorCopiesSeen ||
      settings.direction === "sentinel-to-defender"
    ) {
      return found;
    }
    try {
      return await settings.classic.findConnectorCopies(ids, { abortSignal: ctx.abortSignal });
    } catch (e) {
      if (isAbortError(e)) throw e;
      ctx.report.warnings.push(
        `Looking up connector copies failed (${(e as Error).message}); new incidents get their own copies`,
      );
    }
    return found;
  }

  /** Moves a record's version markers without any API call (dry-run: nothing). */
  private async touch(record: SyncRecord, update: Partial<SyncRecord>): Promise<void> {
    if (this.settings.dryRun) return;
    const { version, ...rest } = record;
    try {
      await this.settings.store.putRecord({ ...rest, ...update }, version);
    } catch (e) {
      this.safeEmit("error", e);
    }
  }

  /** Processes one pair with failure handling. Returns false on a transient failure. */
  private async processOne(ctx: CycleContext, input: PairInput, quarantined: Set<string>): Promise<boolean> {
    ctx.processed.add(input.defenderId);
    try {
      await tracePair({ defenderId: input.defenderId, sentinelName: input.record?.sentinelName }, () =>
        syncClassicPair(ctx, input),
      );
      if (quarantined.delete(input.defenderId))
        ctx.report.warnings.push(`Incident ${input.defenderId} left quarantine`);
      return true;
    } catch (e) {
      if (isAbortError(e) || ctx.abortSignal.aborted) throw e;
      const transient = isTransientPairFailure(e);
      const reason = failureReason(e);
      ctx.report.counts.failed++;
      ctx.report.failures.push({
        defenderId: input.defenderId,
        sentinelName: input.record?.sentinelName,
        reason,
        transient,
      });
      let attempts = 1;
      let quarantinedNow = false;
      if (!transient) {
        attempts = await this.quarantine(ctx, input, reason, quarantined);
        quarantinedNow = true;
      }
      this.safeEmit("incident.failed", {
        defenderId: input.defenderId,
        sentinelName: input.record?.sentinelName,
        reason,
        error: e,
        transient,
        quarantined: quarantinedNow,
        attempts,
      });
      return !transient;
    }
  }

  /** Quarantines a pair (its ledger record keeps the reason and the next attempt). Returns the attempt count. */
  private async quarantine(
    ctx: CycleContext,
    input: PairInput,
    reason: string,
    quarantined: Set<string>,
    raw?: QuarantinedPayload,
  ): Promise<number> {
    ctx.report.counts.quarantined++;
    if (this.settings.dryRun) return 1;
    const write = await quarantineWrite(this.settings, input, reason, raw);
    try {
      await this.settings.store.putRecord(write.record, write.expectedVersion);
      quarantined.add(input.defenderId);
    } catch (e) {
      this.safeEmit("error", e);
    }
    return write.attempts;
  }

  /** Handling of invalid list items, started while a page is parsed and awaited before its checkpoint. */
  private pendingInvalid: Promise<void>[] = [];

  private async settleInvalid(): Promise<void> {
    while (this.pendingInvalid.length > 0) await Promise.all(this.pendingInvalid.splice(0));
  }

  /** A list item that failed its schema: reported and, when it has an id, quarantined. */
  private reportInvalid(
    ctx: CycleContext,
    side: "defender" | "sentinel",
    error: ResponseValidationError,
    raw: unknown,
    quarantined: Set<string>,
  ): void {
    this.pendingInvalid.push(
      this.handleInvalid(ctx, side, error, raw, quarantined).catch((e) => this.safeEmit("error", e)),
    );
  }

  private async handleInvalid(
    ctx: CycleContext,
    side: "defender" | "sentinel",
    error: ResponseValidationError,
    raw: unknown,
    quarantined: Set<string>,
  ): Promise<void> {
    const { defenderId, sentinelName, record, connectorCopy, tenantId } = await ownerOfInvalidItem(
      this.settings.store,
      side,
      raw,
    );
    // Already kept aside for this very payload: retried on its own schedule, not reported again.
    if (record?.quarantine && record.quarantine.digest === payloadDigest(raw)) return;
    const reason = invalidItemReason(side, error);
    ctx.report.counts.failed++;
    ctx.report.failures.push({ defenderId, sentinelName, reason, transient: false });
    let attempts = 1;
    let quarantinedNow = false;
    if (defenderId) {
      // A new Defender incident may already have a connector copy (maybe listed by the Sentinel pass): keep the
      // quarantine record pointing at it. Quarantined is handled: the copy is not linked again this cycle.
      const copy =
        side === "defender" && !record
          ? (ctx.deferredCopies.get(defenderId) ??
            (await this.findConnectorCopies(ctx, [defenderId])).get(defenderId))
          : undefined;
      if (side === "defender") ctx.processed.add(defenderId);
      attempts = await this.quarantine(
        ctx,
        { defenderId, record, sentinel: copy, connectorCopy: connectorCopy || copy !== undefined },
        reason,
        quarantined,
        { payload: raw, tenantId, sentinelName: record ? undefined : sentinelName },
      );
      quarantinedNow = true;
    }
    this.safeEmit("incident.failed", {
      defenderId,
      sentinelName: sentinelName ?? record?.sentinelName,
      reason,
      error,
      transient: false,
      quarantined: quarantinedNow,
      attempts,
    });
  }
}

function sameWatermarks(a: Omit<Watermarks, "version">, b: Omit<Watermarks, "version">): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof typeof a>;
  for (const key of keys) {
    if (JSON.stringify(a[key] ?? null) !== JSON.stringify(b[key] ?? null)) return false;
  }
  return true;
}
