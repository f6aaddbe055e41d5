import { EventEmitter } from "eventemitter3";
import {
  isAbortError,
  isConflictError,
  isConnectionError,
  isResponseValidationError,
  isServiceUnavailableError,
  isThrottledError,
  RequestAbortedError,
  type ResponseValidationError,
} from "../core/errors";
import { odataString } from "../core/odata";
import { compareTimestamps, timestampKey } from "../core/timestamps";
import { sleep } from "../core/tokenBucket";
import type { DefenderClient } from "../defender/defenderClient";
import type { DefenderIncident } from "../defender/models";
import { createMappingProfile, type MappingProfile } from "../mapping";
import type { SentinelIncident } from "../sentinel/models";
import type { SentinelClient } from "../sentinel/sentinelClient";
import type { LogsIngestionAlertSink } from "../sink/logsIngestionAlertSink";
import { forEachConcurrent } from "./concurrency";
import type { ConflictPolicy } from "./conflictPolicy";
import { type CycleContext, type EngineSettings, isConnectorCopy, type SyncDirection } from "./cycleContext";
import { sentinelNameFor, sha256 } from "./deterministicName";
import type { SyncEngineEvents } from "./events";
import { InMemoryStateStore } from "./inMemoryStateStore";
import { isDefenderEcho, isSentinelEcho, type PairInput, sentinelViewUnchanged, syncPair } from "./pairSync";
import type { StateStore, SyncRecord, Watermarks } from "./stateStore";
import { emptyCounts, type PlannedWrite, type SyncReport } from "./syncReport";

export interface SyncEngineOptions {
  defender: DefenderClient;
  sentinel: SentinelClient;
  /** Ledger and watermarks. Default: InMemoryStateStore (lost on exit; use FileStateStore in production). */
  stateStore?: StateStore;
  /** Default "both". */
  direction?: SyncDirection;
  /** Default "latest-wins". */
  conflictPolicy?: ConflictPolicy;
  /** Default `createMappingProfile()`. */
  mapping?: MappingProfile;
  /** First cycle only: ignore incidents older than this. Default: the whole history the services keep. */
  backfillSince?: Date;
  /** Pause between cycles of `start()`. Default 60000. */
  pollIntervalInMs?: number;
  /** Read everything, write nothing (neither services nor the ledger); the report lists the writes. */
  dryRun?: boolean;
  /** Incidents processed in parallel within a page. Default 4. */
  concurrency?: number;
  /** Re-read window before each watermark, for late-committed changes. Default 120000. */
  overlapInMs?: number;
  /** Every Nth cycle lists both sides fully to catch drift (0 = never). Default 24. */
  reconcileEveryNCycles?: number;
  /** Copies made by Microsoft's Defender XDR connector: link to them (default) or ignore them. */
  connectorCopies?: "link" | "ignore";
  /** Also write status/owner/classification on connector copies (the connector mirrors them). Default false. */
  writeConnectorFields?: boolean;
  /** Tenant id used for deterministic Sentinel names. Default: each incident's `tenantId`. */
  tenantId?: string;
  /** Retries of a Sentinel PUT after 409 (re-read, re-merge). Default 3. */
  maxConflictRetries?: number;
  /** Backoff of quarantined incidents. Default 60 s doubling to 1 h. */
  quarantineBackoff?: { initialInMs?: number; maxInMs?: number };
  /** Read alerts with incidents (activity times, alert summary). Default true. */
  expandAlerts?: boolean;
  /** Sync comments. Default true. */
  syncComments?: boolean;
  /**
   * Uploads every alert version of the incidents the engine touches to a Log Analytics table (each version
   * once; failed uploads are retried when the pair is next processed). See `LogsIngestionAlertSink`.
   */
  alertSink?: Pick<LogsIngestionAlertSink, "uploadAlerts">;
  /** Clock (tests). */
  now?: () => Date;
}

export interface RunOnceOptions {
  abortSignal?: AbortSignal;
}

/** The handle of a running polling loop. */
export interface SyncSubscription {
  /** Stops polling; waits for the in-flight cycle to finish and checkpoint. Idempotent. */
  close(): Promise<void>;
  readonly isRunning: boolean;
}

/**
 * Keeps Defender XDR incidents and their Sentinel copies in agreement, in both directions.
 * Emits typed events for every change; a listener that throws is reported on `error` and never stops
 * the engine.
 */
export class SyncEngine extends EventEmitter<SyncEngineEvents> {
  private readonly settings: EngineSettings;
  private readonly pollIntervalInMs: number;
  private readonly concurrency: number;
  private readonly overlapInMs: number;
  private readonly reconcileEvery: number;
  private readonly backfillSince: Date | undefined;
  private running: Promise<SyncReport> | undefined;
  private loop: { stop: AbortController; done: Promise<void> } | undefined;

  constructor(options: SyncEngineOptions) {
    super();
    if (!options?.defender || !options.sentinel)
      throw new TypeError("SyncEngine needs `defender` and `sentinel` clients");
    this.settings = {
      defender: options.defender,
      sentinel: options.sentinel,
      store: options.stateStore ?? new InMemoryStateStore(),
      profile: options.mapping ?? createMappingProfile(),
      direction: options.direction ?? "both",
      conflictPolicy: options.conflictPolicy ?? "latest-wins",
      dryRun: options.dryRun ?? false,
      connectorCopies: options.connectorCopies ?? "link",
      writeConnectorFields: options.writeConnectorFields ?? false,
      tenantId: options.tenantId,
      maxConflictRetries: options.maxConflictRetries ?? 3,
      quarantineBackoff: {
        initialInMs: options.quarantineBackoff?.initialInMs ?? 60_000,
        maxInMs: options.quarantineBackoff?.maxInMs ?? 3_600_000,
      },
      expandAlerts: options.expandAlerts ?? true,
      syncComments: options.syncComments ?? true,
      alertSink: options.alertSink,
      now: options.now ?? (() => new Date()),
    };
    this.pollIntervalInMs = options.pollIntervalInMs ?? 60_000;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.overlapInMs = Math.max(0, options.overlapInMs ?? 120_000);
    this.reconcileEvery = Math.max(0, options.reconcileEveryNCycles ?? 24);
    this.backfillSince = options.backfillSince;
    for (const client of [options.defender, options.sentinel]) {
      client.metrics.onThrottle((info) => this.safeEmit("throttled", info));
      client.onWarning((warning) => this.safeEmit("warning", warning));
    }
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
    if (this.running) throw new Error("A cycle is already running; await it or use start()");
    const run = this.cycle(options.abortSignal).finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** Starts polling every `pollIntervalInMs`. Errors are emitted on `error`; the loop carries on. */
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
    for (const listener of this.listeners(event)) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (e) {
        if (event === "error") continue; // An error handler that throws is swallowed, not looped.
        this.safeEmit("error", e);
      }
    }
  }

  private async cycle(abortSignal: AbortSignal | undefined): Promise<SyncReport> {
    const { settings } = this;
    const started = settings.now();
    const before = { d: settings.defender.metrics.snapshot(), s: settings.sentinel.metrics.snapshot() };
    let watermarks = await settings.store.getWatermarks();
    const cycleNumber = watermarks.cycles + 1;
    const reconciling = this.reconcileEvery > 0 && cycleNumber % this.reconcileEvery === 0;
    const report: SyncReport = {
      cycle: cycleNumber,
      startedAt: started.toISOString(),
      finishedAt: "",
      durationInMs: 0,
      dryRun: settings.dryRun,
      reconciliation: reconciling,
      counts: emptyCounts(),
      writes: { defender: 0, sentinel: 0 },
      apiCalls: { defender: 0, sentinel: 0 },
      throttledResponses: { defender: 0, sentinel: 0 },
      watermarks: { defender: watermarks.defender, sentinel: watermarks.sentinel },
      plannedWrites: [],
      failures: [],
      warnings: [],
    };
    const internal = new AbortController();
    const onAbort = () => internal.abort();
    abortSignal?.addEventListener("abort", onAbort, { once: true });
    if (abortSignal?.aborted) internal.abort();
    const ctx: CycleContext = {
      settings,
      report,
      abortSignal: internal.signal,
      emit: (event, ...args) => this.safeEmit(event, ...args),
      processed: new Set(),
      followUps: new Set(),
      reconciling,
      etagRefresh: [],
      connectorCopiesSeen: watermarks.connectorCopiesSeen === true,
      plan: (write: PlannedWrite) => {
        if (settings.dryRun) {
          report.plannedWrites.push(write);
          return false;
        }
        return true;
      },
    };
    const quarantined = new Set(watermarks.quarantined ?? []);
    const checkpoint = async (update: Partial<Omit<Watermarks, "version">>) => {
      if (settings.dryRun) return;
      const { version, ...rest } = watermarks;
      watermarks = await settings.store.putWatermarks(
        {
          ...rest,
          ...update,
          quarantined: [...quarantined],
          ...(ctx.connectorCopiesSeen ? { connectorCopiesSeen: true } : {}),
        },
        version,
      );
      report.watermarks = { defender: watermarks.defender, sentinel: watermarks.sentinel };
    };

    try {
      if (settings.direction !== "defender-to-sentinel" || settings.connectorCopies === "link") {
        const since = reconciling ? undefined : this.since(watermarks.sentinel);
        await this.sentinelPass(ctx, since, quarantined, (w) => checkpoint({ sentinel: w }));
      }
      {
        const since = reconciling ? undefined : this.since(watermarks.defender);
        await this.defenderPass(ctx, since, watermarks.defender === undefined, quarantined, (w) =>
          checkpoint({ defender: w }),
        );
      }
      // Redirect targets and due quarantine retries.
      const due = await this.dueQuarantine(quarantined);
      for (const id of [...ctx.followUps, ...due]) {
        if (ctx.processed.has(id)) continue;
        await this.processOne(ctx, { defenderId: id }, quarantined);
      }
      await this.refreshEtags(ctx);
      await checkpoint({ cycles: cycleNumber });
      await settings.store.flush?.();
    } finally {
      abortSignal?.removeEventListener("abort", onAbort);
      const after = { d: settings.defender.metrics.snapshot(), s: settings.sentinel.metrics.snapshot() };
      report.apiCalls = {
        defender: after.d.requests - before.d.requests,
        sentinel: after.s.requests - before.s.requests,
      };
      report.throttledResponses = {
        defender: after.d.throttledResponses - before.d.throttledResponses,
        sentinel: after.s.throttledResponses - before.s.throttledResponses,
      };
      if (reconciling) report.counts.reconciled = report.writes.defender + report.writes.sentinel;
      const finished = settings.now();
      report.finishedAt = finished.toISOString();
      report.durationInMs = finished.getTime() - started.getTime();
    }
    if (abortSignal?.aborted) throw new RequestAbortedError("The sync cycle was aborted");
    this.safeEmit("cycle.completed", report);
    return report;
  }

  private since(watermark: string | undefined): Date | undefined {
    if (watermark === undefined) return this.backfillSince;
    return new Date(Date.parse(watermark) - this.overlapInMs);
  }

  /** Sentinel changes first: analyst edits flow to Defender, connector copies get linked. */
  private async sentinelPass(
    ctx: CycleContext,
    since: Date | undefined,
    quarantined: Set<string>,
    checkpoint: (watermark: string) => Promise<void>,
  ): Promise<void> {
    const { settings } = this;
    let processed = 0;
    const pages = settings.sentinel
      .listIncidents({
        modifiedSince: since,
        top: 1000,
        abortSignal: ctx.abortSignal,
        onInvalidItem: (error, raw) => this.reportInvalid(ctx, "sentinel", error, raw, quarantined),
      })
      .byPage();
    for await (const page of pages) {
      let high: string | undefined;
      let blockedAt: string | undefined;
      await forEachConcurrent(page, this.concurrency, async (incident) => {
        const ts = incident.properties.lastModifiedTimeUtc ?? undefined;
        const ok = await this.sentinelItem(ctx, incident, quarantined);
        if (ts && (!high || compareTimestamps(ts, high) > 0)) high = ts;
        if (!ok && ts && (!blockedAt || compareTimestamps(ts, blockedAt) < 0)) blockedAt = ts;
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
      const mark = blockedAt ?? high;
      if (mark) await checkpoint(mark);
      if (ctx.abortSignal.aborted) throw new RequestAbortedError("The sync cycle was aborted");
    }
  }

  /** Returns false when the item failed transiently (the watermark must not pass it). */
  private async sentinelItem(
    ctx: CycleContext,
    incident: SentinelIncident,
    quarantined: Set<string>,
  ): Promise<boolean> {
    const { settings } = this;
    if (isConnectorCopy(incident.properties.providerName)) ctx.connectorCopiesSeen = true;
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
      if (existing) {
        if (existing.sentinelName.toLowerCase() !== incident.name.toLowerCase()) {
          ctx.report.warnings.push(
            `Defender incident ${providerId} has two Sentinel copies: ${existing.sentinelName} (linked) and connector copy ${incident.name}`,
          );
        }
        return true;
      }
      ctx.report.counts.seen++;
      return this.processOne(
        ctx,
        { defenderId: providerId, sentinel: incident, connectorCopy: true },
        quarantined,
      );
    }
    if (ctx.processed.has(record.defenderId)) return true;
    if (
      record.sentinelEtag &&
      record.sentinelEtag === incident.etag &&
      !record.quarantine &&
      !ctx.reconciling
    )
      return true;
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
    since: Date | undefined,
    backfill: boolean,
    quarantined: Set<string>,
    checkpoint: (watermark: string) => Promise<void>,
  ): Promise<void> {
    const { settings } = this;
    let estimatedTotal: number | undefined;
    if (backfill) {
      estimatedTotal = await settings.defender
        .countIncidents({ updatedSince: since, abortSignal: ctx.abortSignal })
        .catch(() => undefined);
    }
    let processed = 0;
    const pages = settings.defender
      .listIncidents({
        updatedSince: since,
        expandAlerts: settings.expandAlerts,
        abortSignal: ctx.abortSignal,
        onInvalidItem: (error, raw) => this.reportInvalid(ctx, "defender", error, raw, quarantined),
      })
      .byPage();
    for await (const page of pages) {
      const work: { incident: DefenderIncident; record: SyncRecord | undefined }[] = [];
      for (const incident of page) {
        if (ctx.processed.has(incident.id)) continue;
        const record = await settings.store.getRecord(incident.id);
        if (
          record &&
          !ctx.reconciling &&
          record.defenderVersion === incident.lastUpdateDateTime &&
          !record.quarantine
        )
          continue;
        if (record && !ctx.reconciling && isDefenderEcho(ctx, record, incident)) {
          await this.touch(record, { defenderVersion: incident.lastUpdateDateTime ?? undefined });
          continue;
        }
        if (
          record?.quarantine &&
          record.quarantine.digest === digest(incident) &&
          Date.parse(record.quarantine.nextAttemptAt) > settings.now().getTime()
        ) {
          continue;
        }
        work.push({ incident, record });
      }
      const copies = await this.findConnectorCopies(
        ctx,
        work.filter((w) => !w.record).map((w) => w.incident.id),
      );
      let high: string | undefined;
      let blockedAt: string | undefined;
      for (const incident of page) {
        const ts = incident.lastUpdateDateTime ?? undefined;
        if (ts && (!high || compareTimestamps(ts, high) > 0)) high = ts;
      }
      await forEachConcurrent(work, this.concurrency, async ({ incident, record }) => {
        ctx.report.counts.seen++;
        const copy = copies.get(incident.id);
        const ok = await this.processOne(
          ctx,
          {
            defenderId: incident.id,
            defender: incident,
            record,
            sentinel: copy,
            connectorCopy: copy !== undefined,
          },
          quarantined,
        );
        const ts = incident.lastUpdateDateTime ?? undefined;
        if (!ok && ts && (!blockedAt || compareTimestamps(ts, blockedAt) < 0)) blockedAt = ts;
      });
      await this.settleInvalid();
      await this.refreshEtags(ctx);
      processed += page.length;
      this.safeEmit("progress", {
        phase: backfill ? "backfill" : ctx.reconciling ? "reconcile" : "incremental",
        side: "defender",
        processed,
        estimatedTotal,
      });
      const mark = blockedAt ?? high;
      if (mark) await checkpoint(timestampKey(mark));
      if (ctx.abortSignal.aborted) throw new RequestAbortedError("The sync cycle was aborted");
    }
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
        .listIncidents({ modifiedSince: since, top: 1000, abortSignal: ctx.abortSignal })
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
    const filter = ids.map((id) => `properties/providerIncidentId eq ${odataString(id)}`).join(" or ");
    try {
      for await (const page of settings.sentinel
        .listIncidents({ filter, top: 1000, abortSignal: ctx.abortSignal })
        .byPage()) {
        for (const incident of page) {
          const providerId = incident.properties.providerIncidentId;
          if (providerId && isConnectorCopy(incident.properties.providerName))
            found.set(providerId, incident);
        }
      }
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
      await syncPair(ctx, input);
      if (quarantined.delete(input.defenderId))
        ctx.report.warnings.push(`Incident ${input.defenderId} left quarantine`);
      return true;
    } catch (e) {
      if (isAbortError(e) || ctx.abortSignal.aborted) throw e;
      // A Sentinel 409 that outlasted its re-merge retries is contention, not a poison incident: next cycle.
      const contention = isConflictError(e) && e.service === "sentinel";
      const transient =
        isThrottledError(e) ||
        isServiceUnavailableError(e) ||
        isConnectionError(e) ||
        isStateConflict(e) ||
        isTruncatedBody(e) ||
        contention;
      const reason = e instanceof Error ? e.message : String(e);
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

  private async quarantine(
    ctx: CycleContext,
    input: PairInput,
    reason: string,
    quarantined: Set<string>,
    raw?: { payload: unknown; tenantId?: string; sentinelName?: string },
  ): Promise<number> {
    const { settings } = this;
    ctx.report.counts.quarantined++;
    if (settings.dryRun) return 1;
    const record = input.record ?? (await settings.store.getRecord(input.defenderId));
    const attempts = (record?.quarantine?.attempts ?? 0) + 1;
    const backoff = Math.min(
      settings.quarantineBackoff.maxInMs,
      settings.quarantineBackoff.initialInMs * 2 ** (attempts - 1),
    );
    const now = settings.now();
    const base: Omit<SyncRecord, "version"> = record ?? {
      defenderId: input.defenderId,
      sentinelName:
        input.sentinel?.name ??
        raw?.sentinelName ??
        sentinelNameFor(
          settings.tenantId ?? input.defender?.tenantId ?? raw?.tenantId ?? "default",
          input.defenderId,
        ),
      link: input.connectorCopy ? "connector" : "owned",
      comments: [],
    };
    const { version: _v, ...rest } = base as SyncRecord;
    try {
      await settings.store.putRecord(
        {
          ...rest,
          quarantine: {
            reason,
            digest: digest(raw?.payload ?? input.defender ?? input.sentinel ?? input.defenderId),
            attempts,
            nextAttemptAt: new Date(now.getTime() + backoff).toISOString(),
            firstFailedAt: record?.quarantine?.firstFailedAt ?? now.toISOString(),
          },
        },
        record?.version ?? 0,
      );
      quarantined.add(input.defenderId);
    } catch (e) {
      this.safeEmit("error", e);
    }
    return attempts;
  }

  private async dueQuarantine(quarantined: Set<string>): Promise<string[]> {
    const due: string[] = [];
    const now = this.settings.now().getTime();
    for (const id of quarantined) {
      const r = await this.settings.store.getRecord(id);
      if (!r?.quarantine) {
        quarantined.delete(id);
        continue;
      }
      if (Date.parse(r.quarantine.nextAttemptAt) <= now) due.push(id);
    }
    return due;
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
    const { store } = this.settings;
    const rawObj = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const props = (rawObj.properties ?? {}) as Record<string, unknown>;
    const sentinelName = side === "sentinel" && typeof rawObj.name === "string" ? rawObj.name : undefined;
    // A Sentinel item is ours when the ledger knows its name (providerIncidentId of our own copies is the
    // Sentinel incident number, not a Defender id); otherwise only a connector copy names its Defender incident.
    let record = sentinelName ? await store.findBySentinelName(sentinelName) : undefined;
    const connectorCopy =
      side === "sentinel" &&
      !record &&
      isConnectorCopy(typeof props.providerName === "string" ? props.providerName : undefined);
    const defenderId =
      side === "defender"
        ? typeof rawObj.id === "string"
          ? rawObj.id
          : undefined
        : (record?.defenderId ??
          (connectorCopy && typeof props.providerIncidentId === "string"
            ? props.providerIncidentId
            : undefined));
    if (defenderId && !record) record = await store.getRecord(defenderId);
    // Already kept aside for this very payload: retried on its own schedule, not reported again.
    if (record?.quarantine && record.quarantine.digest === digest(raw)) return;
    const reason = `${side} returned an incident that fails its schema: ${error.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`;
    ctx.report.counts.failed++;
    ctx.report.failures.push({ defenderId, sentinelName, reason, transient: false });
    let attempts = 1;
    let quarantinedNow = false;
    if (defenderId) {
      // A new Defender incident may already have a connector copy: keep the quarantine record pointing at it.
      const copy =
        side === "defender" && !record
          ? (await this.findConnectorCopies(ctx, [defenderId])).get(defenderId)
          : undefined;
      attempts = await this.quarantine(
        ctx,
        { defenderId, record, sentinel: copy, connectorCopy: connectorCopy || copy !== undefined },
        reason,
        quarantined,
        {
          payload: raw,
          tenantId: typeof rawObj.tenantId === "string" ? rawObj.tenantId : undefined,
          sentinelName: record ? undefined : sentinelName,
        },
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

/**
 * A 2xx whose body arrived cut off (a reset mid-body): the request may well have succeeded, so it is a
 * transport fault to retry next cycle, not a poison payload.
 */
function isTruncatedBody(e: unknown): boolean {
  return (
    isResponseValidationError(e) &&
    e.statusCode >= 200 &&
    e.statusCode < 300 &&
    e.cause instanceof SyntaxError
  );
}

function isStateConflict(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "StateConflictError";
}

function digest(value: unknown): string {
  return sha256(JSON.stringify(value) ?? "");
}
