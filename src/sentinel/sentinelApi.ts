import type { OperationOptions } from "../core/clientOptions";
import type { ClientMetrics } from "../core/metrics";
import type { PagedAsyncIterableIterator, PageSettings } from "../core/paging";
import type { WarningListener } from "../core/warnings";
import type {
  AlertRule,
  AlertRuleWrite,
  CreateOrUpdateAlertRuleOptions,
  GetAlertRuleOptions,
  NrtAlertRule,
  ScheduledAlertRule,
} from "./alertRuleModels";
import type {
  SentinelComment,
  SentinelIncident,
  SentinelIncidentProperties,
  SentinelIncidentWriteProperties,
} from "./models";
import type {
  CreateOrUpdateSentinelIncidentOptions,
  CreateSentinelIncidentCommentOptions,
  ListSentinelIncidentsOptions,
} from "./sentinelClient";

/**
 * The part of `SentinelClient` a `SyncEngine` with the classic target (`sentinel`, `SentinelTarget`) and a
 * `SyncFleet` lane use: the workspace's incidents and their comments, with the client's request counters and
 * warnings.
 *
 * @remarks
 * `SentinelClient` implements it. Any object with these members can stand in for the client, e.g. a decorator
 * that logs, caches or counts calls and delegates to a real `SentinelClient`, or a test double. The engine
 * checks at construction that every method is there.
 */
export interface SentinelIncidentsApi {
  /** Request counters; the engine reports their growth per cycle and forwards throttling (`throttled`). */
  readonly metrics: ClientMetrics;
  /** Subscribes to the client's warnings (forwarded as the engine's `warning` event); returns the unsubscribe function. */
  onWarning(listener: WarningListener): () => void;
  /** Incidents, following `nextLink` (see `SentinelClient.listIncidents`). */
  listIncidents(
    options?: ListSentinelIncidentsOptions,
  ): PagedAsyncIterableIterator<SentinelIncident, SentinelIncident[], PageSettings>;
  /** One incident; `undefined` when it does not exist. */
  getIncident(name: string, options?: OperationOptions): Promise<SentinelIncident | undefined>;
  /** Full PUT of an incident (etag-checked when `options.etag` is given); returns it as written. */
  createOrUpdateIncident(
    name: string,
    properties: SentinelIncidentWriteProperties | SentinelIncidentProperties,
    options?: CreateOrUpdateSentinelIncidentOptions,
  ): Promise<SentinelIncident>;
  /** The incident's comments. */
  listIncidentComments(
    name: string,
    options?: OperationOptions,
  ): PagedAsyncIterableIterator<SentinelComment, SentinelComment[], PageSettings>;
  /** Creates (or, for an existing id, rewrites) a comment under an id of the caller's choosing. */
  createIncidentComment(
    name: string,
    commentId: string,
    message: string,
    options?: CreateSentinelIncidentCommentOptions,
  ): Promise<SentinelComment>;
}

/**
 * The part of `SentinelClient` a `UnifiedTarget` uses: the workspace's analytics rules, where
 * `UnifiedTarget.ensureRelayRule` installs the relay rule.
 *
 * @remarks
 * `SentinelClient` implements it; a decorator or a test double with these two methods can stand in for it.
 */
export interface SentinelAlertRulesApi {
  /** An analytics rule; `undefined` when it does not exist. */
  getAlertRule(ruleId: string, options?: GetAlertRuleOptions): Promise<AlertRule | undefined>;
  /** Creates or replaces an analytics rule (etag-checked when `options.etag` is given). */
  createOrUpdateAlertRule(
    ruleId: string,
    rule: AlertRuleWrite | ScheduledAlertRule | NrtAlertRule,
    options?: CreateOrUpdateAlertRuleOptions,
  ): Promise<AlertRule>;
}
