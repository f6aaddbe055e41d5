import type { TokenCredential } from "@azure/core-auth";
import { isAggregateLogsUploadError, type LogsIngestionClient } from "@azure/monitor-ingestion";
import type { OperationOptions } from "../core/clientOptions";
import { parseEndpoint } from "../core/endpoint";
import { InvalidArgumentError, ServiceUnavailableError } from "../core/errors";
import { type ClientMetrics, RequestMetrics } from "../core/metrics";
import type { PagedAsyncIterableIterator, PageSettings } from "../core/paging";
import { SYNC_ATTRIBUTES, withSpan } from "../core/tracing";
import type { DefenderIncidentsApi } from "../defender/defenderApi";
import type { DefenderAlert, DefenderIncident, DefenderIncidentPatch } from "../defender/models";
import type { SentinelAlertRulesApi } from "../sentinel/sentinelApi";
import { createIngestionClient, type IngestionClientSettings } from "../sink/ingestionClient";
import type {
  IncidentTarget,
  ListTargetChangesOptions,
  MaterializeOptions,
  MaterializeResult,
  TargetIncident,
} from "./incidentTarget";
import { RelayPacer } from "./relayPacer";
import { buildRelayRows } from "./relayRow";
import {
  type BuildRelayRuleOptions,
  buildRelayRule,
  RELAY_MAX_ROWS_PER_RUN,
  type RelayRuleDefinition,
} from "./relayRule";
import { sourceKeysOfIncident } from "./sourceKeys";

/**
 * Where a `UnifiedTarget` uploads relay rows: the Logs Ingestion endpoint, the data collection rule's immutable id
 * and the relay table's stream, plus the ingestion client's options, as `DefenderClient`'s (`retryOptions`,
 * `additionalPolicies`, `httpClient`, `rateLimit`, `requestTimeoutInMs`, …).
 */
export interface UnifiedTargetIngestion extends IngestionClientSettings {
  /** Data collection endpoint (or the DCR's own logs ingestion endpoint) in the workspace's region. */
  endpoint: string;
  /** The data collection rule's immutable id (`dcr-…`). */
  ruleId: string;
  /** The DCR stream of the relay table, e.g. `Custom-DefenderRelay_CL`. */
  streamName: string;
}

/**
 * Options of `UnifiedTarget`: the target tenant's Graph and workspace, the ingestion endpoint and its credential, the
 * relay rule and the pacer shared by lanes writing to it.
 */
export interface UnifiedTargetOptions {
  /** Graph of the target (MSSP) tenant: unified incidents are read and written there (a `DefenderClient`). */
  defender: DefenderIncidentsApi;
  /** The target workspace: the relay rule lives there (`ensureRelayRule`); a `SentinelClient`. */
  sentinel: SentinelAlertRulesApi;
  ingestion: UnifiedTargetIngestion;
  /** A principal of the workspace's tenant with "Monitoring Metrics Publisher" on the DCR. */
  credential: TokenCredential;
  /** The analytics rule `ensureRelayRule` installs (table, cadence, NRT). Defaults: Scheduled, PT5M. */
  relayRule?: BuildRelayRuleOptions;
  /**
   * Shared by every lane writing to the same relay rule: no rule run may see more rows than it can turn into
   * alerts. Default: one per target, sized for the rule (Scheduled: 140 rows per query frequency; NRT: 28 a minute).
   */
  pacer?: RelayPacer;
  /** Clock (tests and the emulator's clock). */
  now?: () => Date;
}

/**
 * Relay identity of a source alert: its id. Each source alert becomes one target alert; later updates of
 * the alert (status, evidence) are not relayed again, as each row would become one more alert.
 */
export function relayKeyOf(alert: DefenderAlert): string {
  return alert.id;
}

/** What `ensureRelayRule` did. */
export interface EnsureRelayRuleResult {
  action: "created" | "updated" | "unchanged";
  ruleId: string;
  apiVersion: string;
}

/** ISO 8601 durations of the forms rules use (PT5M, PT1H, P1D) in milliseconds. */
function durationInMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(iso);
  if (!m) return 300_000;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000;
}

function defaultPacer(rule: RelayRuleDefinition, now: () => number): RelayPacer {
  if (rule.rule.kind === "NRT") {
    return new RelayPacer({ maxRowsPerWindow: RELAY_MAX_ROWS_PER_RUN.NRT - 1, windowInMs: 60_000, now });
  }
  const frequency = (rule.rule.properties as { queryFrequency?: string }).queryFrequency ?? "PT5M";
  return new RelayPacer({ maxRowsPerWindow: 140, windowInMs: durationInMs(frequency), now });
}

/** An incident without alerts still needs one row to become an incident on the target. */
function alertsToRelay(source: DefenderIncident): DefenderAlert[] {
  const alerts = source.alerts ?? [];
  if (alerts.length > 0) return alerts;
  return [
    {
      id: `incident-${source.id}`,
      title: source.displayName ?? `Incident ${source.id}`,
      severity: source.severity,
      lastUpdateDateTime: source.lastUpdateDateTime,
      createdDateTime: source.createdDateTime,
      evidence: [],
    } as unknown as DefenderAlert,
  ];
}

/**
 * The unified target (relay): source incidents become incidents of the target tenant's Defender portal by
 * way of alerts. `materialize` writes one row per source alert into a custom table (Logs Ingestion); the
 * analytics rule that `ensureRelayRule` installs raises an alert per row with custom details
 * (`SourceTenantId`, `SourceIncidentId`, `SourceAlertId`) and groups them into one incident per source
 * incident; the engine links that incident by reading the target tenant's Graph and syncs it through Graph.
 * Incidents created through the Sentinel incidents API are not shown in the Defender portal once the
 * workspace is onboarded to it (learn.microsoft.com/azure/sentinel/move-to-defender), hence alerts.
 */
export class UnifiedTarget implements IncidentTarget {
  readonly kind = "unified" as const;
  readonly defender: DefenderIncidentsApi;
  readonly sentinel: SentinelAlertRulesApi;
  readonly ingestion: Readonly<UnifiedTargetIngestion>;
  readonly pacer: RelayPacer;
  /** The analytics rule this target relies on (install it with `ensureRelayRule`). */
  readonly relayRule: RelayRuleDefinition;
  /** Upload attempts to the Logs Ingestion endpoint. */
  readonly ingestionMetrics = new RequestMetrics("logsIngestion");
  private readonly client: LogsIngestionClient;
  private readonly now: () => Date;

  constructor(options: UnifiedTargetOptions) {
    if (!options?.defender)
      throw new InvalidArgumentError("defender", "the target tenant's DefenderClient is required");
    if (!options.sentinel)
      throw new InvalidArgumentError("sentinel", "the target workspace's SentinelClient is required");
    for (const key of ["ruleId", "streamName"] as const) {
      const value = options.ingestion?.[key];
      if (typeof value !== "string" || value.trim() === "" || /[/?#\s]/.test(value)) {
        throw new InvalidArgumentError(
          `ingestion.${key}`,
          "must be a non-empty name without '/', '?', '#' or spaces",
        );
      }
    }
    if (typeof options.credential?.getToken !== "function") {
      throw new InvalidArgumentError("credential", "must be a TokenCredential");
    }
    const endpointUrl = parseEndpoint(options.ingestion.endpoint);
    this.defender = options.defender;
    this.sentinel = options.sentinel;
    this.ingestion = { ...options.ingestion };
    this.now = options.now ?? (() => new Date());
    this.relayRule = buildRelayRule({ streamName: options.ingestion.streamName, ...options.relayRule });
    this.pacer = options.pacer ?? defaultPacer(this.relayRule, () => this.now().getTime());
    const {
      endpoint: _endpoint,
      ruleId: _ruleId,
      streamName: _streamName,
      ...clientSettings
    } = options.ingestion;
    this.client = createIngestionClient({
      ...clientSettings,
      endpointUrl,
      credential: options.credential,
      metrics: this.ingestionMetrics,
    });
  }

  /**
   * Installs the relay analytics rule, idempotently: the rule id is deterministic, an identical rule is left
   * alone, a different one is replaced with its etag (a concurrent change gives ConflictError, not a lost edit).
   */
  async ensureRelayRule(options: OperationOptions = {}): Promise<EnsureRelayRuleResult> {
    const { ruleId, apiVersion, rule } = this.relayRule;
    const existing = await this.sentinel.getAlertRule(ruleId, {
      apiVersion,
      abortSignal: options.abortSignal,
      tracingOptions: options.tracingOptions,
    });
    if (existing && sameRule(existing, rule)) return { action: "unchanged", ruleId, apiVersion };
    await this.sentinel.createOrUpdateAlertRule(ruleId, rule, {
      apiVersion,
      etag: existing?.etag ?? undefined,
      abortSignal: options.abortSignal,
      tracingOptions: options.tracingOptions,
    });
    return { action: existing ? "updated" : "created", ruleId, apiVersion };
  }

  get metrics(): readonly ClientMetrics[] {
    return [this.defender.metrics, this.ingestionMetrics];
  }

  listChanges(
    options: ListTargetChangesOptions,
  ): PagedAsyncIterableIterator<TargetIncident, TargetIncident[], PageSettings> {
    const pages = this.defender
      .listIncidents({
        updatedSince: options.updatedSince,
        expandAlerts: true,
        abortSignal: options.abortSignal,
      })
      .byPage();
    async function* targetPages(): AsyncIterableIterator<TargetIncident[]> {
      for await (const page of pages) yield page.map(toTargetIncident);
    }
    const iterator = targetPages();
    async function* items(): AsyncIterableIterator<TargetIncident> {
      for await (const page of iterator) yield* page;
    }
    const all = items();
    return {
      next: () => all.next(),
      [Symbol.asyncIterator]() {
        return this;
      },
      byPage: () => iterator,
    };
  }

  async getIncident(id: string, options: OperationOptions = {}): Promise<TargetIncident | undefined> {
    const incident = await this.defender.getIncident(id, {
      expandAlerts: true,
      abortSignal: options.abortSignal,
    });
    return incident ? toTargetIncident(incident) : undefined;
  }

  async materialize(
    source: DefenderIncident,
    sourceTenantId: string,
    options: MaterializeOptions,
  ): Promise<MaterializeResult> {
    const already = new Set(options.reRelay ? [] : options.alreadyRelayed);
    const pending = alertsToRelay(source).filter((a) => !already.has(relayKeyOf(a)));
    if (pending.length === 0) return { relayed: [], deferred: [] };
    // Alerts that fit one rule run go in one run: split across runs, the rest can arrive after the target
    // incident was closed, and a closed incident takes no more alerts (a second incident is made).
    const whole = pending.length <= this.pacer.maxRowsPerWindow && this.pacer.available() < pending.length;
    const granted = whole ? 0 : this.pacer.take(pending.length);
    const now = this.now();
    const sendNow = pending.slice(0, granted);
    const deferred = pending.slice(granted).map(relayKeyOf);
    if (sendNow.length === 0) return { relayed: [], deferred };
    const rows = buildRelayRows(source, sendNow, { sourceTenantId, now });
    if (rows.length === 0) return { relayed: [], deferred };
    try {
      await withSpan(
        "UnifiedTarget.materialize",
        options,
        (updatedOptions) =>
          this.client.upload(this.ingestion.ruleId, this.ingestion.streamName, rows, {
            abortSignal: updatedOptions.abortSignal,
            tracingOptions: updatedOptions.tracingOptions,
          }),
        { [SYNC_ATTRIBUTES.defenderIncidentId]: source.id, "defender_sentinel_sync.relay.rows": rows.length },
      );
    } catch (e) {
      this.pacer.giveBack(sendNow.length);
      throw uploadError(e, this.ingestion.endpoint, this.ingestion.ruleId, this.ingestion.streamName);
    }
    return { relayed: sendNow.map(relayKeyOf), deferred };
  }

  async updateIncident(
    id: string,
    patch: DefenderIncidentPatch,
    options: OperationOptions = {},
  ): Promise<TargetIncident> {
    const updated = await this.defender.updateIncident(id, patch, {
      abortSignal: options.abortSignal,
      tracingOptions: options.tracingOptions,
    });
    return toTargetIncident(updated);
  }

  async addComment(id: string, text: string, options: OperationOptions = {}): Promise<void> {
    await this.defender.addIncidentComment(id, text, {
      abortSignal: options.abortSignal,
      tracingOptions: options.tracingOptions,
    });
  }
}

/** Every property we set has the value we would set (the service adds read-only ones). */
function sameRule(
  existing: { kind?: unknown; properties?: unknown },
  wanted: RelayRuleDefinition["rule"],
): boolean {
  if (existing.kind !== wanted.kind) return false;
  const have = (existing.properties ?? {}) as Record<string, unknown>;
  return Object.entries(wanted.properties as Record<string, unknown>).every(
    ([key, value]) => JSON.stringify(value) === JSON.stringify(have[key]),
  );
}

function toTargetIncident(incident: DefenderIncident): TargetIncident {
  return {
    id: incident.id,
    version: incident.lastUpdateDateTime ?? undefined,
    sources: sourceKeysOfIncident(incident),
    incident,
  };
}

/** A failed upload is transient for the pair: nothing reached the table, the rows are sent next cycle. */
function uploadError(e: unknown, endpoint: string, ruleId: string, streamName: string): Error {
  if (e instanceof Error && e.name === "AbortError") return e;
  const cause = isAggregateLogsUploadError(e) ? e.errors[0]?.cause : e;
  const status = (cause as { statusCode?: unknown } | undefined)?.statusCode;
  const statusCode = typeof status === "number" ? status : 503;
  return new ServiceUnavailableError(
    `Relay rows could not be ingested (HTTP ${statusCode}): ${cause instanceof Error ? cause.message : String(cause)}`,
    {
      service: "logsIngestion",
      statusCode,
      request: {
        method: "POST",
        url: `${endpoint}/dataCollectionRules/${ruleId}/streams/${streamName}`,
        headers: {},
      },
      cause,
    },
  );
}
