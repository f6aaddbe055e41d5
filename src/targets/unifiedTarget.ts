import type { TokenCredential } from "@azure/core-auth";
import { isAggregateLogsUploadError, type LogsIngestionClient } from "@azure/monitor-ingestion";
import type { OperationOptions, RetryOptions } from "../core/clientOptions";
import { parseEndpoint } from "../core/endpoint";
import { InvalidArgumentError, ServiceUnavailableError } from "../core/errors";
import { RequestMetrics } from "../core/metrics";
import type { PagedAsyncIterableIterator, PageSettings } from "../core/paging";
import type { DefenderClient } from "../defender/defenderClient";
import type { DefenderAlert, DefenderIncident, DefenderIncidentPatch } from "../defender/models";
import type { SentinelClient } from "../sentinel/sentinelClient";
import { createIngestionClient } from "../sink/ingestionClient";
import type {
  IncidentTarget,
  ListTargetChangesOptions,
  MaterializeOptions,
  MaterializeResult,
  TargetIncident,
} from "./incidentTarget";
import { RelayPacer } from "./relayPacer";
import { buildRelayRows } from "./relayRow";
import { sourceKeysOfIncident } from "./sourceKeys";

export interface UnifiedTargetIngestion {
  /** Data collection endpoint (or the DCR's own logs ingestion endpoint) in the workspace's region. */
  endpoint: string;
  /** The data collection rule's immutable id (`dcr-…`). */
  ruleId: string;
  /** The DCR stream of the relay table, e.g. `Custom-DefenderRelay_CL`. */
  streamName: string;
}

export interface UnifiedTargetOptions {
  /** Graph of the target (MSSP) tenant: unified incidents are read and written there. */
  defender: DefenderClient;
  /** The target workspace (for `ensureRelayRule`). */
  sentinel?: SentinelClient;
  ingestion: UnifiedTargetIngestion;
  /** A principal of the workspace's tenant with "Monitoring Metrics Publisher" on the DCR. */
  credential: TokenCredential;
  /** Shared by every lane writing to the same relay rule. Default: one per target. */
  pacer?: RelayPacer;
  ingestionRetryOptions?: RetryOptions;
  /** Clock (tests and the emulator's clock). */
  now?: () => Date;
}

/** Version key of one alert: the same alert updated later is a new version. */
export function alertVersionKey(alert: DefenderAlert): string {
  return `${alert.id}@${alert.lastUpdateDateTime ?? ""}`;
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
  readonly defender: DefenderClient;
  readonly sentinel: SentinelClient | undefined;
  readonly ingestion: Readonly<UnifiedTargetIngestion>;
  readonly pacer: RelayPacer;
  /** Upload attempts to the Logs Ingestion endpoint. */
  readonly ingestionMetrics = new RequestMetrics("logsIngestion");
  private readonly client: LogsIngestionClient;
  private readonly now: () => Date;

  constructor(options: UnifiedTargetOptions) {
    if (!options?.defender) throw new InvalidArgumentError("defender", "the target tenant's DefenderClient is required");
    for (const key of ["ruleId", "streamName"] as const) {
      const value = options.ingestion?.[key];
      if (typeof value !== "string" || value.trim() === "" || /[/?#\s]/.test(value)) {
        throw new InvalidArgumentError(`ingestion.${key}`, "must be a non-empty name without '/', '?', '#' or spaces");
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
    this.pacer = options.pacer ?? new RelayPacer({ now: () => this.now().getTime() });
    this.client = createIngestionClient({
      endpointUrl,
      credential: options.credential,
      metrics: this.ingestionMetrics,
      retryOptions: options.ingestionRetryOptions,
    });
  }

  get metrics(): readonly RequestMetrics[] {
    return [this.defender.metrics, this.ingestionMetrics];
  }

  listChanges(
    options: ListTargetChangesOptions,
  ): PagedAsyncIterableIterator<TargetIncident, TargetIncident[], PageSettings> {
    const pages = this.defender
      .listIncidents({ updatedSince: options.updatedSince, expandAlerts: true, abortSignal: options.abortSignal })
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
    const incident = await this.defender.getIncident(id, { expandAlerts: true, abortSignal: options.abortSignal });
    return incident ? toTargetIncident(incident) : undefined;
  }

  async materialize(
    source: DefenderIncident,
    sourceTenantId: string,
    options: MaterializeOptions,
  ): Promise<MaterializeResult> {
    const already = new Set(options.reRelay ? [] : options.alreadyRelayed);
    const pending = alertsToRelay(source).filter((a) => !already.has(alertVersionKey(a)));
    if (pending.length === 0) return { relayed: [], deferred: [] };
    const granted = this.pacer.take(pending.length);
    const now = this.now();
    const sendNow = pending.slice(0, granted);
    const deferred = pending.slice(granted).map(alertVersionKey);
    if (sendNow.length === 0) return { relayed: [], deferred };
    const rows = buildRelayRows(source, sendNow, { sourceTenantId, now });
    try {
      await this.client.upload(this.ingestion.ruleId, this.ingestion.streamName, rows, {
        abortSignal: options.abortSignal,
      });
    } catch (e) {
      this.pacer.giveBack(sendNow.length);
      throw uploadError(e);
    }
    return { relayed: sendNow.map(alertVersionKey), deferred };
  }

  async updateIncident(
    id: string,
    patch: DefenderIncidentPatch,
    options: OperationOptions = {},
  ): Promise<TargetIncident> {
    const updated = await this.defender.updateIncident(id, patch, { abortSignal: options.abortSignal });
    return toTargetIncident(updated);
  }

  async addComment(id: string, text: string, options: OperationOptions = {}): Promise<void> {
    await this.defender.addIncidentComment(id, text, { abortSignal: options.abortSignal });
  }
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
function uploadError(e: unknown): Error {
  if (e instanceof Error && e.name === "AbortError") return e;
  const cause = isAggregateLogsUploadError(e) ? e.errors[0]?.cause : e;
  const status = (cause as { statusCode?: unknown } | undefined)?.statusCode;
  return new ServiceUnavailableError(
    `Relay rows could not be ingested${typeof status === "number" ? ` (HTTP ${status})` : ""}: ${
      cause instanceof Error ? cause.message : String(cause)
    }`,
    { service: "logsIngestion" as never, statusCode: typeof status === "number" ? status : 503 },
  );
}
