import type { TokenCredential } from "@azure/core-auth";
import { z } from "zod";
import type { CommonClientOptions, OperationOptions } from "../core/clientOptions";
import { parseEndpoint } from "../core/endpoint";
import { InvalidArgumentError, isNotFoundError } from "../core/errors";
import { armName, guidId, WORKSPACE_NAME_PATTERN } from "../core/ids";
import { RequestMetrics } from "../core/metrics";
import { andFilters } from "../core/odata";
import { createPagedIterator, type PagedAsyncIterableIterator, type PageSettings } from "../core/paging";
import { type InvalidItemHandler, parseItems } from "../core/parseItems";
import { createServicePipeline } from "../core/pipeline";
import { ARM_RATE_LIMITS } from "../core/rateLimiter";
import { redactUrl } from "../core/redaction";
import { ServiceHttp } from "../core/serviceHttp";
import { odataDateTime } from "../core/timestamps";
import { SYNC_ATTRIBUTES, withSpan } from "../core/tracing";
import { WarningChannel, type WarningListener } from "../core/warnings";
import {
  type AlertRule,
  type AlertRuleWrite,
  alertRuleSchema,
  type CreateOrUpdateAlertRuleOptions,
  type DeleteAlertRuleOptions,
  type GetAlertRuleOptions,
  type ListAlertRulesOptions,
  NRT_ALERT_RULE_API_VERSION,
  type NrtAlertRule,
  type ScheduledAlertRule,
  validateAlertRule,
} from "./alertRuleModels";
import { validateIncidentProperties } from "./incidentBody";
import {
  armPageSchema,
  SENTINEL_LIMITS,
  type SentinelAlert,
  type SentinelComment,
  type SentinelEntity,
  type SentinelIncident,
  type SentinelIncidentProperties,
  type SentinelIncidentWriteProperties,
  sentinelAlertsResponseSchema,
  sentinelCommentSchema,
  sentinelEntitiesResponseSchema,
  sentinelIncidentSchema,
} from "./models";
import type { SentinelAlertRulesApi, SentinelIncidentsApi } from "./sentinelApi";

/** Default Microsoft.SecurityInsights api-version. */
export const DEFAULT_SENTINEL_API_VERSION = "2025-09-01";
export { SENTINEL_LIMITS, validateIncidentProperties };

/**
 * Options of `SentinelClient`: the common client options (retries, timeouts, paging, rate limit, HTTP pipeline), the
 * workspace it works on (subscription, resource group, workspace name), the ARM endpoint and the
 * `Microsoft.SecurityInsights` api-version (default `2025-09-01`).
 */
export interface SentinelClientOptions extends CommonClientOptions {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
  /** ARM endpoint. Default `https://management.azure.com`. */
  endpoint?: string;
  /** Default `2025-09-01`. */
  apiVersion?: string;
}

/**
 * Options of `SentinelClient.listIncidents`: incidents modified since a time, an extra OData filter, the order,
 * `$top` (1 to 1,000) and how to treat items that fail the schema.
 */
export interface ListSentinelIncidentsOptions extends OperationOptions {
  /** Only incidents with `properties/lastModifiedTimeUtc ge modifiedSince`. */
  modifiedSince?: Date | string;
  /** An extra OData filter (use `odataString` for user values), and-ed with the time filter. */
  filter?: string;
  /** Default `properties/lastModifiedTimeUtc asc`. */
  orderBy?: string;
  /** `$top`, 1–1000. Default: the service's page size. */
  pageSize?: number;
  /** Receives items that fail the schema; without it such an item throws a ResponseValidationError. */
  onInvalidItem?: InvalidItemHandler;
}

/** Options of `SentinelClient.createOrUpdateIncident`. */
export interface CreateOrUpdateSentinelIncidentOptions extends OperationOptions {
  /** The etag read with the incident; a stale one makes the service answer 409 (ConflictError). */
  etag?: string;
}

/** Options of `SentinelClient.createIncidentComment`. */
export interface CreateSentinelIncidentCommentOptions extends OperationOptions {
  /** The etag read with the comment (when editing one); a stale one makes the service answer 409 (ConflictError). */
  etag?: string;
}

/**
 * The entities of a Sentinel incident (`IncidentEntitiesResponse` of `POST .../incidents/{id}/entities`), with a
 * count per entity kind.
 */
export interface SentinelEntitiesResult {
  entities: SentinelEntity[];
  metaData: { entityKind?: string; count?: number }[];
}

const rawPageSchema = armPageSchema(z.unknown());
const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/**
 * Client for Microsoft Sentinel incidents (ARM Microsoft.SecurityInsights). Needs the Microsoft Sentinel
 * Responder role on the workspace (Reader for read-only use).
 */
export class SentinelClient implements SentinelIncidentsApi, SentinelAlertRulesApi {
  readonly endpoint: string;
  readonly apiVersion: string;
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly workspaceName: string;
  readonly metrics: RequestMetrics;
  /** Fallbacks taken and odd items tolerated; see `onWarning`. */
  protected readonly warnings = new WarningChannel();
  private readonly http: ServiceHttp;
  private readonly basePath: string;

  constructor(credential: TokenCredential, options: SentinelClientOptions) {
    guidId("subscriptionId", options?.subscriptionId);
    // ARM resource group names cannot end with a period; that rule also keeps "." and ".." (which would
    // rewrite the request path) out of the URL.
    if (
      typeof options.resourceGroupName !== "string" ||
      !RESOURCE_GROUP.test(options.resourceGroupName) ||
      options.resourceGroupName.endsWith(".")
    ) {
      throw new InvalidArgumentError(
        "resourceGroupName",
        "must be 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'",
      );
    }
    if (typeof options.workspaceName !== "string" || !WORKSPACE_NAME_PATTERN.test(options.workspaceName)) {
      throw new InvalidArgumentError(
        "workspaceName",
        "must be 3-90 letters, digits or '-', starting and ending with a letter or digit",
      );
    }
    const endpointUrl = parseEndpoint(options.endpoint ?? "https://management.azure.com");
    this.endpoint = endpointUrl.toString().replace(/\/$/, "");
    this.apiVersion = options.apiVersion ?? DEFAULT_SENTINEL_API_VERSION;
    this.subscriptionId = options.subscriptionId;
    this.resourceGroupName = options.resourceGroupName;
    this.workspaceName = options.workspaceName;
    this.metrics = new RequestMetrics("sentinel");
    this.basePath =
      `/subscriptions/${options.subscriptionId}/resourceGroups/${encodeURIComponent(options.resourceGroupName)}` +
      `/providers/Microsoft.OperationalInsights/workspaces/${options.workspaceName}/providers/Microsoft.SecurityInsights`;
    const pipeline = createServicePipeline({
      ...options,
      service: "sentinel",
      endpointUrl,
      credential,
      defaultRateLimits: ARM_RATE_LIMITS,
      metrics: this.metrics,
    });
    this.http = new ServiceHttp("sentinel", endpointUrl, pipeline, options.httpClient);
  }
  /**
   * Listens for warnings: a wire option the service refused and the fallback now used (announced once per
   * client), or an odd item kept instead of failing. Returns the unsubscribe function.
   */
  onWarning(listener: WarningListener): () => void {
    return this.warnings.subscribe(listener);
  }

  private url(path: string, query: Record<string, string | number | undefined> = {}): string {
    return this.http.url(`${this.basePath}${path}`, { "api-version": this.apiVersion, ...query });
  }

  /** Lists incidents, following `nextLink` (which carries `$skipToken`) verbatim. */
  listIncidents(
    options: ListSentinelIncidentsOptions = {},
  ): PagedAsyncIterableIterator<SentinelIncident, SentinelIncident[], PageSettings> {
    if (
      options.pageSize !== undefined &&
      (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > 1000)
    ) {
      throw new InvalidArgumentError("pageSize", "must be an integer from 1 to 1000");
    }
    const first = this.url("/incidents", {
      $filter: andFilters(
        options.modifiedSince === undefined
          ? undefined
          : `properties/lastModifiedTimeUtc ge ${odataDateTime(options.modifiedSince)}`,
        options.filter,
      ),
      $orderby: options.orderBy ?? "properties/lastModifiedTimeUtc asc",
      $top: options.pageSize,
    });
    return this.paged(first, sentinelIncidentSchema, options);
  }

  /**
   * Gets an incident; `undefined` when the incident does not exist. A missing workspace, resource group or
   * subscription is not a missing incident: it throws NotFoundError (see `isMissingArmChild`).
   */
  async getIncident(name: string, options: OperationOptions = {}): Promise<SentinelIncident | undefined> {
    const segment = armName("name", name);
    try {
      const res = await this.http.send({
        method: "GET",
        url: this.url(`/incidents/${segment}`),
        schema: sentinelIncidentSchema,
        abortSignal: options.abortSignal,
      });
      return res.body;
    } catch (e) {
      if (isMissingArmChild(e, "incidents", name)) return undefined;
      throw e;
    }
  }

  /**
   * Full PUT of an incident (Sentinel has no PATCH): `title`, `severity` and `status` are required, and a
   * closed incident needs a classification (BenignPositive also a classificationReason). Read-only
   * properties are dropped, so a `properties` object from `getIncident` can be modified and sent back.
   * Pass the `etag` read with it to get a ConflictError instead of overwriting a newer version. What a GET
   * returned always goes back: `null`s, enum values this package has never seen and properties it does not
   * know are sent as read (see `validateIncidentProperties`).
   */
  async createOrUpdateIncident(
    name: string,
    properties: SentinelIncidentWriteProperties | SentinelIncidentProperties,
    options: CreateOrUpdateSentinelIncidentOptions = {},
  ): Promise<SentinelIncident> {
    return withSpan(
      "SentinelClient.createOrUpdateIncident",
      options,
      async (updatedOptions) => {
        const id = armName("name", name);
        const body = {
          properties: validateIncidentProperties(properties),
          ...(options.etag ? { etag: options.etag } : {}),
        };
        const res = await this.http.send({
          method: "PUT",
          url: this.url(`/incidents/${id}`),
          body,
          schema: sentinelIncidentSchema,
          abortSignal: updatedOptions.abortSignal,
          tracingOptions: updatedOptions.tracingOptions,
        });
        return res.body!;
      },
      { [SYNC_ATTRIBUTES.sentinelIncidentName]: name },
    );
  }

  /** Deletes an incident; succeeds when it is already gone (but not when the workspace is). */
  async deleteIncident(name: string, options: OperationOptions = {}): Promise<void> {
    return withSpan(
      "SentinelClient.deleteIncident",
      options,
      async (updatedOptions) => {
        const segment = armName("name", name);
        try {
          await this.http.send({
            method: "DELETE",
            url: this.url(`/incidents/${segment}`),
            abortSignal: updatedOptions.abortSignal,
            tracingOptions: updatedOptions.tracingOptions,
          });
        } catch (e) {
          if (!isMissingArmChild(e, "incidents", name)) throw e;
        }
      },
      { [SYNC_ATTRIBUTES.sentinelIncidentName]: name },
    );
  }

  listIncidentComments(
    name: string,
    options: OperationOptions = {},
  ): PagedAsyncIterableIterator<SentinelComment, SentinelComment[], PageSettings> {
    return this.paged(
      this.url(`/incidents/${armName("name", name)}/comments`),
      sentinelCommentSchema,
      options,
    );
  }

  /**
   * Creates (or, for an existing id, edits) a comment. The id is ours to choose (this package uses GUIDs; any
   * name without path characters is accepted); messages ≤ 30,000 chars.
   */
  async createIncidentComment(
    name: string,
    commentId: string,
    message: string,
    options: CreateSentinelIncidentCommentOptions = {},
  ): Promise<SentinelComment> {
    return withSpan(
      "SentinelClient.createIncidentComment",
      options,
      async (updatedOptions) => {
        const incident = armName("name", name);
        const comment = armName("commentId", commentId);
        if (typeof message !== "string" || message.trim() === "") {
          throw new InvalidArgumentError("message", "must be a non-empty string");
        }
        if (message.length > SENTINEL_LIMITS.maxCommentLength) {
          throw new InvalidArgumentError(
            "message",
            `is ${message.length} characters; Sentinel allows 30,000`,
          );
        }
        const res = await this.http.send({
          method: "PUT",
          url: this.url(`/incidents/${incident}/comments/${comment}`),
          body: { properties: { message }, ...(options.etag ? { etag: options.etag } : {}) },
          schema: sentinelCommentSchema,
          abortSignal: updatedOptions.abortSignal,
          tracingOptions: updatedOptions.tracingOptions,
        });
        return res.body!;
      },
      { [SYNC_ATTRIBUTES.sentinelIncidentName]: name },
    );
  }

  /** The incident's alerts (a POST that does not page; at most 150). */
  async listIncidentAlerts(name: string, options: OperationOptions = {}): Promise<SentinelAlert[]> {
    const res = await this.http.send({
      method: "POST",
      url: this.url(`/incidents/${armName("name", name)}/alerts`),
      schema: sentinelAlertsResponseSchema,
      idempotent: true,
      abortSignal: options.abortSignal,
    });
    return res.body!.value;
  }

  /** The incident's entities (a POST that does not page) with per-kind counts. */
  async listIncidentEntities(name: string, options: OperationOptions = {}): Promise<SentinelEntitiesResult> {
    const res = await this.http.send({
      method: "POST",
      url: this.url(`/incidents/${armName("name", name)}/entities`),
      schema: sentinelEntitiesResponseSchema,
      idempotent: true,
      abortSignal: options.abortSignal,
    });
    return { entities: res.body!.entities, metaData: res.body!.metaData ?? [] };
  }

  /**
   * ARM requires api-version on every request. nextLinks normally carry it and are followed verbatim; one
   * without it gets ours appended (without re-encoding the opaque $skipToken).
   */
  private withApiVersion(url: string): string {
    if (/[?&]api-version=/i.test(url)) return url;
    return `${url}${url.includes("?") ? "&" : "?"}api-version=${encodeURIComponent(this.apiVersion)}`;
  }

  private paged<T>(
    first: string,
    schema: z.ZodType<T>,
    options: OperationOptions & { onInvalidItem?: InvalidItemHandler },
  ): PagedAsyncIterableIterator<T, T[], PageSettings> {
    return createPagedIterator<T>(async (token) => {
      const url = token === undefined ? first : this.withApiVersion(token);
      const page = (
        await this.http.send({ method: "GET", url, schema: rawPageSchema, abortSignal: options.abortSignal })
      ).body!;
      const nextLink = page.nextLink ?? undefined;
      // A nextLink to another host would carry our ARM token there: refuse before following it.
      if (nextLink) this.http.assertTrusted(nextLink);
      const items = parseItems("sentinel", page.value, schema, options.onInvalidItem, redactUrl(url));
      return { items, continuationToken: nextLink };
    }, this.http.paging);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Analytics rules (Microsoft.SecurityInsights/alertRules)

  /** URL of the alert rules collection or of one rule, with the call's api-version (checked) or ours. */
  private alertRuleUrl(ruleId: string | undefined, apiVersion: string | undefined): string {
    if (apiVersion !== undefined && (typeof apiVersion !== "string" || !API_VERSION.test(apiVersion))) {
      throw new InvalidArgumentError("apiVersion", "must look like 2025-09-01 or 2025-07-01-preview");
    }
    const path = ruleId === undefined ? "/alertRules" : `/alertRules/${armName("ruleId", ruleId)}`;
    return this.http.url(`${this.basePath}${path}`, { "api-version": apiVersion ?? this.apiVersion });
  }

  /**
   * Creates or replaces an analytics rule (a full PUT). Scheduled and NRT rules are checked first against the
   * service's documented limits (`validateAlertRule`); a rule read with `getAlertRule` can be modified and sent
   * back. NRT rules exist only in preview api-versions: under a stable client api-version they are sent with
   * `NRT_ALERT_RULE_API_VERSION` unless `options.apiVersion` says otherwise. Pass the `etag` read with the rule
   * to get a ConflictError instead of overwriting a newer version.
   */
  async createOrUpdateAlertRule(
    ruleId: string,
    rule: AlertRuleWrite | ScheduledAlertRule | NrtAlertRule,
    options: CreateOrUpdateAlertRuleOptions = {},
  ): Promise<AlertRule> {
    return withSpan("SentinelClient.createOrUpdateAlertRule", options, async (updatedOptions) => {
      const body = validateAlertRule(rule);
      const nrtFallback = body.kind === "NRT" && !/-preview$/i.test(this.apiVersion);
      const url = this.alertRuleUrl(
        ruleId,
        options.apiVersion ?? (nrtFallback ? NRT_ALERT_RULE_API_VERSION : undefined),
      );
      const res = await this.http.send({
        method: "PUT",
        url,
        body: {
          kind: body.kind,
          ...(options.etag ? { etag: options.etag } : {}),
          properties: body.properties,
        },
        schema: alertRuleSchema,
        abortSignal: updatedOptions.abortSignal,
        tracingOptions: updatedOptions.tracingOptions,
      });
      return res.body!;
    });
  }

  /** Gets an analytics rule of any kind; `undefined` when it does not exist. */
  async getAlertRule(ruleId: string, options: GetAlertRuleOptions = {}): Promise<AlertRule | undefined> {
    const res = await this.http.send({
      method: "GET",
      url: this.alertRuleUrl(ruleId, options.apiVersion),
      schema: alertRuleSchema,
      acceptStatuses: [404],
      abortSignal: options.abortSignal,
    });
    return res.status === 404 ? undefined : res.body;
  }

  /** Lists the workspace's analytics rules of every kind, following `nextLink` verbatim. */
  listAlertRules(
    options: ListAlertRulesOptions = {},
  ): PagedAsyncIterableIterator<AlertRule, AlertRule[], PageSettings> {
    return this.paged(this.alertRuleUrl(undefined, options.apiVersion), alertRuleSchema, options);
  }

  /** Deletes an analytics rule; succeeds when it is already gone. */
  async deleteAlertRule(ruleId: string, options: DeleteAlertRuleOptions = {}): Promise<void> {
    return withSpan("SentinelClient.deleteAlertRule", options, async (updatedOptions) => {
      await this.http.send({
        method: "DELETE",
        url: this.alertRuleUrl(ruleId, options.apiVersion),
        acceptStatuses: [404],
        abortSignal: updatedOptions.abortSignal,
        tracingOptions: updatedOptions.tracingOptions,
      });
    });
  }
}

/**
 * Whether an error is ARM's 404 for the named incident (or comment) itself. ARM answers a missing workspace,
 * resource group or subscription with 404 as well, but under its own codes: `ResourceNotFound` naming the
 * workspace ("The Resource 'Microsoft.OperationalInsights/workspaces/…' under resource group '…' was not
 * found", Azure/azure-cli-extensions#5318), `ResourceGroupNotFound`, `SubscriptionNotFound`. Reading those as
 * "no such incident" would make a sync re-create every incident into a workspace that is not there, so only
 * `NotFound`, or a `ResourceNotFound` that names this very resource, means absent.
 */
export function isMissingArmChild(error: unknown, collection: string, name: string): boolean {
  if (!isNotFoundError(error)) return false;
  const code = error.code?.toLowerCase();
  if (code === "notfound") return true;
  if (code !== "resourcenotfound") return false;
  const message = (error.details as { error?: { message?: unknown } } | undefined)?.error?.message;
  return (
    typeof message === "string" && message.toLowerCase().includes(`${collection}/${name}'`.toLowerCase())
  );
}
