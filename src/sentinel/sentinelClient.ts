import type { TokenCredential } from "@azure/core-auth";
import { z } from "zod";
import type { CommonClientOptions, OperationOptions } from "../core/clientOptions";
import { parseEndpoint } from "../core/endpoint";
import { InvalidArgumentError, redactUrl, type ValidationIssue } from "../core/errors";
import { guidId } from "../core/ids";
import { RequestMetrics } from "../core/metrics";
import { WarningChannel, type WarningListener } from "../core/warnings";
import { andFilters } from "../core/odata";
import { createPagedIterator, type PagedAsyncIterableIterator, type PageSettings } from "../core/paging";
import { type InvalidItemHandler, parseItems } from "../core/parseItems";
import { createServicePipeline } from "../core/pipeline";
import { ARM_RATE_LIMITS } from "../core/rateLimiter";
import { ServiceHttp, zodIssues } from "../core/serviceHttp";
import { odataDateTime } from "../core/timestamps";
import {
  armPageSchema,
  type SentinelAlert,
  type SentinelComment,
  type SentinelEntity,
  type SentinelIncident,
  type SentinelIncidentWriteProperties,
  sentinelAlertsResponseSchema,
  sentinelCommentSchema,
  sentinelEntitiesResponseSchema,
  sentinelIncidentSchema,
  sentinelIncidentWritePropertiesSchema,
} from "./models";

/** Default Microsoft.SecurityInsights api-version. */
export const DEFAULT_SENTINEL_API_VERSION = "2025-09-01";
/** Sentinel service limits (WIRE-FACTS 3.10). */
export const SENTINEL_LIMITS = {
  maxPageSize: 1000,
  maxCommentLength: 30_000,
  maxCommentsPerIncident: 100,
  maxDescriptionLength: 5_000,
  maxAlertsPerIncident: 150,
} as const;

export interface SentinelClientOptions extends CommonClientOptions {
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
  /** ARM endpoint. Default `https://management.azure.com`. */
  endpoint?: string;
  /** Default `2025-09-01`. */
  apiVersion?: string;
}

export interface ListSentinelIncidentsOptions extends OperationOptions {
  /** Only incidents with `properties/lastModifiedTimeUtc ge modifiedSince`. */
  modifiedSince?: Date | string;
  /** An extra OData filter (use `odataString` for user values), and-ed with the time filter. */
  filter?: string;
  /** Default `properties/lastModifiedTimeUtc asc`. */
  orderBy?: string;
  /** `$top`, 1–1000. */
  top?: number;
  /** Receives items that fail the schema; without it such an item throws a ResponseValidationError. */
  onInvalidItem?: InvalidItemHandler;
}

export interface CreateOrUpdateIncidentOptions extends OperationOptions {
  /** The etag read with the incident; a stale one makes the service answer 409 (ConflictError). */
  etag?: string;
}

export interface SentinelEntitiesResult {
  entities: SentinelEntity[];
  metaData: { entityKind?: string; count?: number }[];
}

/** Properties the service owns; dropped from a PUT body so GET → modify → PUT round trips just work. */
const readOnlyProperties = [
  "incidentNumber",
  "incidentUrl",
  "createdTimeUtc",
  "lastModifiedTimeUtc",
  "additionalData",
  "relatedAnalyticRuleIds",
  "providerName",
  "providerIncidentId",
  "teamInformation",
] as const;

const rawPageSchema = armPageSchema(z.unknown());
const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,88}[A-Za-z0-9]$|^[A-Za-z0-9]$/;
const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;

/**
 * Client for Microsoft Sentinel incidents (ARM Microsoft.SecurityInsights). Needs the Microsoft Sentinel
 * Responder role on the workspace (Reader for read-only use).
 */
export class SentinelClient {
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
    if (typeof options.workspaceName !== "string" || !WORKSPACE_NAME.test(options.workspaceName)) {
      throw new InvalidArgumentError("workspaceName", "must match ^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$");
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
      options.top !== undefined &&
      (!Number.isInteger(options.top) || options.top < 1 || options.top > 1000)
    ) {
      throw new InvalidArgumentError("top", "must be an integer from 1 to 1000");
    }
    const first = this.url("/incidents", {
      $filter: andFilters(
        options.modifiedSince === undefined
          ? undefined
          : `properties/lastModifiedTimeUtc ge ${odataDateTime(options.modifiedSince)}`,
        options.filter,
      ),
      $orderby: options.orderBy ?? "properties/lastModifiedTimeUtc asc",
      $top: options.top,
    });
    return this.paged(first, sentinelIncidentSchema, options);
  }

  /** Gets an incident; `undefined` when it does not exist. */
  async getIncident(name: string, options: OperationOptions = {}): Promise<SentinelIncident | undefined> {
    const res = await this.http.send({
      method: "GET",
      url: this.url(`/incidents/${guidId("name", name)}`),
      schema: sentinelIncidentSchema,
      acceptStatuses: [404],
      abortSignal: options.abortSignal,
    });
    return res.status === 404 ? undefined : res.body;
  }

  /**
   * Full PUT of an incident (Sentinel has no PATCH): `title`, `severity` and `status` are required, and a
   * closed incident needs a classification (BenignPositive also a classificationReason). Read-only
   * properties are dropped, so a `properties` object from `getIncident` can be modified and sent back.
   * Pass the `etag` read with it to get a ConflictError instead of overwriting a newer version.
   */
  async createOrUpdateIncident(
    name: string,
    properties: SentinelIncidentWriteProperties,
    options: CreateOrUpdateIncidentOptions = {},
  ): Promise<SentinelIncident> {
    const id = guidId("name", name);
    const body = {
      properties: validateIncidentProperties(properties),
      ...(options.etag ? { etag: options.etag } : {}),
    };
    const res = await this.http.send({
      method: "PUT",
      url: this.url(`/incidents/${id}`),
      body,
      schema: sentinelIncidentSchema,
      abortSignal: options.abortSignal,
    });
    return res.body!;
  }

  /** Deletes an incident; succeeds when it is already gone. */
  async deleteIncident(name: string, options: OperationOptions = {}): Promise<void> {
    await this.http.send({
      method: "DELETE",
      url: this.url(`/incidents/${guidId("name", name)}`),
      acceptStatuses: [404],
      abortSignal: options.abortSignal,
    });
  }

  listIncidentComments(
    name: string,
    options: OperationOptions = {},
  ): PagedAsyncIterableIterator<SentinelComment, SentinelComment[], PageSettings> {
    return this.paged(
      this.url(`/incidents/${guidId("name", name)}/comments`),
      sentinelCommentSchema,
      options,
    );
  }

  /** Creates (or, for an existing id, edits) a comment. Ids are GUIDs we choose; messages ≤ 30,000 chars. */
  async createIncidentComment(
    name: string,
    commentId: string,
    message: string,
    options: CreateOrUpdateIncidentOptions = {},
  ): Promise<SentinelComment> {
    const incident = guidId("name", name);
    const comment = guidId("commentId", commentId);
    if (typeof message !== "string" || message.trim() === "") {
      throw new InvalidArgumentError("message", "must be a non-empty string");
    }
    if (message.length > SENTINEL_LIMITS.maxCommentLength) {
      throw new InvalidArgumentError("message", `is ${message.length} characters; Sentinel allows 30,000`);
    }
    const res = await this.http.send({
      method: "PUT",
      url: this.url(`/incidents/${incident}/comments/${comment}`),
      body: { properties: { message }, ...(options.etag ? { etag: options.etag } : {}) },
      schema: sentinelCommentSchema,
      abortSignal: options.abortSignal,
    });
    return res.body!;
  }

  /** The incident's alerts (a POST that does not page; at most 150). */
  async listIncidentAlerts(name: string, options: OperationOptions = {}): Promise<SentinelAlert[]> {
    const res = await this.http.send({
      method: "POST",
      url: this.url(`/incidents/${guidId("name", name)}/alerts`),
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
      url: this.url(`/incidents/${guidId("name", name)}/entities`),
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
    });
  }
}

/**
 * Checks what the service would reject, before sending: required fields, closing rules, description
 * length. Returns the body without read-only properties.
 */
export function validateIncidentProperties(properties: unknown): SentinelIncidentWriteProperties {
  if (typeof properties !== "object" || properties === null) {
    throw new InvalidArgumentError("properties", "must be an object");
  }
  const copy: Record<string, unknown> = { ...(properties as Record<string, unknown>) };
  for (const key of readOnlyProperties) delete copy[key];
  // `IncidentLabel.labelType` is read-only in the spec (User/AutoAssigned is decided by the service).
  if (Array.isArray(copy.labels)) {
    copy.labels = copy.labels.map((label: unknown) => {
      if (typeof label !== "object" || label === null) return label;
      const { labelType: _readOnly, ...rest } = label as Record<string, unknown>;
      return rest;
    });
  }
  const parsed = sentinelIncidentWritePropertiesSchema.safeParse(copy);
  const issues: ValidationIssue[] = parsed.success ? [] : zodIssues(parsed.error);
  if (parsed.success) {
    const p = parsed.data;
    if (p.title.trim() === "") issues.push({ path: "title", message: "must not be empty" });
    if (p.status === "Closed" && !p.classification) {
      issues.push({ path: "classification", message: "closing an incident requires a classification" });
    }
    if (p.classification === "BenignPositive" && !p.classificationReason) {
      issues.push({
        path: "classificationReason",
        message: "classification 'BenignPositive' must have classificationReason",
      });
    }
    if (p.description !== undefined && p.description.length > SENTINEL_LIMITS.maxDescriptionLength) {
      issues.push({ path: "description", message: "exceeds Sentinel's 5,000 characters" });
    }
  }
  if (issues.length > 0 || !parsed.success) {
    throw new InvalidArgumentError(
      "properties",
      issues.map((i) => `${i.path}: ${i.message}`).join("; "),
      issues,
    );
  }
  return parsed.data;
}
