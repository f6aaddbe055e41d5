import type { TokenCredential } from "@azure/core-auth";
import { z } from "zod";
import type { CommonClientOptions, OperationOptions } from "../core/clientOptions";
import { parseEndpoint } from "../core/endpoint";
import { InvalidArgumentError, isBadRequestError, isServiceUnavailableError } from "../core/errors";
import { pathId } from "../core/ids";
import { RequestMetrics } from "../core/metrics";
import { andFilters, odataString } from "../core/odata";
import {
  createPagedIterator,
  type Page,
  type PagedAsyncIterableIterator,
  type PageSettings,
} from "../core/paging";
import { type InvalidItemHandler, parseItems } from "../core/parseItems";
import { createServicePipeline } from "../core/pipeline";
import { GRAPH_RATE_LIMITS } from "../core/rateLimiter";
import { redactUrl } from "../core/redaction";
import { ServiceHttp } from "../core/serviceHttp";
import { compareTimestamps, odataDateTime, timestampKey } from "../core/timestamps";
import { SYNC_ATTRIBUTES, withSpan } from "../core/tracing";
import { zodIssues } from "../core/validationIssues";
import { WarningChannel, type WarningListener } from "../core/warnings";
import type { DefenderIncidentsApi } from "./defenderApi";
import {
  type AlertComment,
  alertCommentSchema,
  type DefenderAlert,
  type DefenderIncident,
  type DefenderIncidentPatch,
  defenderAlertSchema,
  defenderIncidentPatchSchema,
  defenderIncidentSchema,
  graphPageSchema,
} from "./models";
import { forwardParseWarnings } from "./parseWarnings";
import { DefenderWireFallbacks } from "./wireFallbacks";

/** Graph rejects `$top` above 50 for incidents ("The limit of '50' for Top query has been exceeded"). */
export const MAX_INCIDENT_PAGE_SIZE = 50;

/**
 * Options of `DefenderClient`: the common client options (retries, timeouts, paging, rate limit, HTTP pipeline) and
 * the Graph endpoint, default `https://graph.microsoft.com/v1.0`.
 */
export interface DefenderClientOptions extends CommonClientOptions {
  /** Graph base URL including the version. Default `https://graph.microsoft.com/v1.0`. */
  endpoint?: string;
}

/**
 * Options of `DefenderClient.listIncidents`: the time filter, `$expand=alerts`, page size and how to treat items that
 * fail the schema.
 */
export interface ListDefenderIncidentsOptions extends OperationOptions {
  /** Only incidents with `lastUpdateDateTime ge updatedSince`. Results come oldest first. */
  updatedSince?: Date | string;
  /**
   * Include `alerts` (`$expand=alerts`). If the service answers 5xx, the client lists without it from then on
   * and reads each incident's alerts separately (warning `expandAlertsFailed`).
   */
  expandAlerts?: boolean;
  /** `$top`, 1–50. Default 50. */
  pageSize?: number;
  /** An extra OData filter, and-ed with the time filter. */
  filter?: string;
  /** Receives items that fail the schema; without it such an item throws a ResponseValidationError. */
  onInvalidItem?: InvalidItemHandler;
}

/** Options of `DefenderClient.countIncidents`: the filters `listIncidents` takes. */
export interface CountDefenderIncidentsOptions extends OperationOptions {
  /** Only incidents with `lastUpdateDateTime ge updatedSince`. */
  updatedSince?: Date | string;
  /** An extra OData filter, and-ed with the time filter. */
  filter?: string;
}

/** Options of `DefenderClient.getIncident`. `expandAlerts` reads the incident with its alerts (`$expand=alerts`). */
export interface GetDefenderIncidentOptions extends OperationOptions {
  expandAlerts?: boolean;
}

/**
 * Options of `DefenderClient.listAlerts` (`/security/alerts_v2`): alerts updated since a time, an extra OData filter,
 * `$top`, and how to treat items that fail the schema.
 */
export interface ListDefenderAlertsOptions extends OperationOptions {
  updatedSince?: Date | string;
  filter?: string;
  /** `$top`; the service cap is not documented for alerts_v2, so none is sent by default. */
  pageSize?: number;
  onInvalidItem?: InvalidItemHandler;
}

/** Opaque continuation state of `listIncidents`: keyset position plus an optional raw nextLink. */
interface IncidentCursor {
  /** Lower bound (inclusive) of lastUpdateDateTime. */
  since?: string;
  /** Ids already returned whose lastUpdateDateTime equals `since` (dedupe of the `ge` boundary). */
  seen: string[];
  /** A service nextLink to follow instead of building the query (used when keyset cannot advance). */
  nextLink?: string;
  /** Sticky once `$expand=alerts` failed with 5xx. */
  noExpand?: boolean;
  /** Sticky once `$orderby` was refused: pages come in the service's order, so only nextLink can advance. */
  noOrderBy?: boolean;
}

const cursorSchema = z.object({
  since: z.string().optional(),
  seen: z.array(z.string()),
  nextLink: z.string().optional(),
  noExpand: z.boolean().optional(),
  noOrderBy: z.boolean().optional(),
});

const rawPageSchema = graphPageSchema(z.unknown());
const commentListSchema = z.looseObject({ value: z.array(alertCommentSchema) });

/**
 * Client for Microsoft Defender XDR incidents and alerts through Microsoft Graph security v1.0.
 *
 * Needs the application permission `SecurityIncident.ReadWrite.All` (read-only use: `SecurityIncident.Read.All`,
 * alerts: `SecurityAlert.Read.All`).
 */
export class DefenderClient implements DefenderIncidentsApi {
  /** The Graph endpoint this client talks to (and the only origin it sends tokens to). */
  readonly endpoint: string;
  /** Request counters: attempts, 429s, client-side waits. */
  readonly metrics: RequestMetrics;
  /** Fallbacks taken and odd items tolerated; see `onWarning`. */
  protected readonly warnings = new WarningChannel();
  /** Wire choices the service refused, remembered so the failing request is not sent again. */
  private readonly fallbacks = new DefenderWireFallbacks(this.warnings);
  private readonly http: ServiceHttp;

  constructor(credential: TokenCredential, options: DefenderClientOptions = {}) {
    const endpointUrl = parseEndpoint(options.endpoint ?? "https://graph.microsoft.com/v1.0");
    this.endpoint = endpointUrl.toString().replace(/\/$/, "");
    this.metrics = new RequestMetrics("defender");
    const pipeline = createServicePipeline({
      ...options,
      service: "defender",
      endpointUrl,
      credential,
      defaultRateLimits: GRAPH_RATE_LIMITS,
      metrics: this.metrics,
      // Without it, enum members added after unknownFutureValue (awaitingAction, …) arrive as unknownFutureValue.
      headers: { Prefer: "include-unknown-enum-members" },
    });
    this.http = new ServiceHttp("defender", endpointUrl, pipeline, options.httpClient);
  }
  /**
   * Listens for warnings: a wire option the service refused and the fallback now used (announced once per
   * client), or an odd item kept instead of failing. Returns the unsubscribe function.
   */
  onWarning(listener: WarningListener): () => void {
    return this.warnings.subscribe(listener);
  }

  /**
   * Lists incidents oldest-update first. Pages advance by moving the `lastUpdateDateTime ge` bound past the
   * last page (keyset) instead of a growing `$skip`, which Graph caps at 500 and which stalls under load.
   */
  listIncidents(
    options: ListDefenderIncidentsOptions = {},
  ): PagedAsyncIterableIterator<DefenderIncident, DefenderIncident[], PageSettings> {
    const pageSize = options.pageSize ?? MAX_INCIDENT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_INCIDENT_PAGE_SIZE) {
      throw new InvalidArgumentError("pageSize", `must be an integer from 1 to ${MAX_INCIDENT_PAGE_SIZE}`);
    }
    const initialSince = options.updatedSince === undefined ? undefined : odataDateTime(options.updatedSince);
    return createPagedIterator(
      (token) =>
        this.listIncidentsPage(decodeCursor(token) ?? { since: initialSince, seen: [] }, pageSize, options),
      this.http.paging,
    );
  }

  private async listIncidentsPage(
    cursor: IncidentCursor,
    pageSize: number,
    options: ListDefenderIncidentsOptions,
  ): Promise<Page<DefenderIncident>> {
    const wantAlerts = options.expandAlerts === true;
    const noExpand = wantAlerts && (cursor.noExpand === true || this.fallbacks.listExpandFailed);
    const noOrderBy = cursor.noOrderBy === true || this.fallbacks.orderbyRefused;
    // A service nextLink echoes the query it answers; once an option failed, the link must lose it too.
    let nextLink = cursor.nextLink;
    if (nextLink && noExpand) nextLink = withoutParam(nextLink, "$expand");
    if (nextLink && noOrderBy) nextLink = withoutParam(nextLink, "$orderby");
    const requested =
      nextLink ??
      this.http.url("/security/incidents", {
        $filter: andFilters(
          cursor.since ? `lastUpdateDateTime ge ${cursor.since}` : undefined,
          options.filter,
        ),
        $orderby: noOrderBy ? undefined : "lastUpdateDateTime asc",
        $top: pageSize,
        $expand: wantAlerts && !noExpand ? "alerts" : undefined,
      });
    const { page, url, dropped } = await this.sendIncidentPage(requested, options.abortSignal);
    const items = parseItems(
      "defender",
      page.value,
      defenderIncidentSchema,
      options.onInvalidItem,
      redactUrl(url),
    );
    for (const item of items) forwardParseWarnings(this.warnings, item);

    const since = cursor.since;
    const seen = new Set(cursor.seen);
    let fresh = items.filter(
      (i) => !(since !== undefined && seen.has(i.id) && timestampKey(i.lastUpdateDateTime ?? "") === since),
    );
    // The fallback is sticky (noExpand travels in the cursor), so every later page fetches alerts per incident
    // too; boundary duplicates that are dropped anyway are not fetched.
    const pageNoExpand = noExpand || dropped.has("$expand");
    const pageNoOrderBy = noOrderBy || dropped.has("$orderby");
    if (wantAlerts && pageNoExpand) {
      const plain = fresh;
      fresh = [];
      for (const incident of plain) {
        const alerts = await this.alertsOfIncident(incident.id, options.abortSignal);
        fresh.push(alerts === undefined ? incident : { ...incident, alerts });
      }
    }

    const serviceNextLink = page["@odata.nextLink"];
    if (!serviceNextLink) return { items: fresh };
    this.http.assertTrusted(serviceNextLink);

    const ascending =
      !pageNoOrderBy &&
      items.every(
        (item, idx) =>
          idx === 0 ||
          compareTimestamps(items[idx - 1]!.lastUpdateDateTime ?? "", item.lastUpdateDateTime ?? "") <= 0,
      );
    const last = items.at(-1)?.lastUpdateDateTime;
    const maxKey = last ? timestampKey(last) : undefined;
    let next: IncidentCursor;
    if (ascending && maxKey !== undefined && maxKey !== since) {
      const atMax = items.filter((i) => timestampKey(i.lastUpdateDateTime ?? "") === maxKey).map((i) => i.id);
      next = { since: maxKey, seen: atMax, noExpand: pageNoExpand, noOrderBy: pageNoOrderBy };
    } else {
      // Keyset cannot advance (a page of equal timestamps, or $orderby ignored or refused): follow nextLink.
      const seenNow = new Set(cursor.seen);
      for (const i of items)
        if (maxKey !== undefined && timestampKey(i.lastUpdateDateTime ?? "") === since) seenNow.add(i.id);
      next = {
        since,
        seen: [...seenNow],
        nextLink: serviceNextLink,
        noExpand: pageNoExpand,
        noOrderBy: pageNoOrderBy,
      };
    }
    // The cursor changes with `seen`; the service nextLink it wraps is what must not repeat.
    return { items: fresh, continuationToken: encodeCursor(next), nextLinkKey: next.nextLink };
  }

  /**
   * GETs one page of the incident list. Of the options this client chose itself, a refused `$orderby` (400) and a
   * failing `$expand=alerts` (5xx, after the pipeline's retries) are dropped and the page is asked again; the
   * refusal is remembered once the smaller request succeeds.
   */
  private async sendIncidentPage(
    requested: string,
    abortSignal: OperationOptions["abortSignal"],
  ): Promise<{ page: z.infer<typeof rawPageSchema>; url: string; dropped: Set<string> }> {
    const dropped = new Set<string>();
    let url = requested;
    for (;;) {
      try {
        const page = (await this.http.send({ method: "GET", url, schema: rawPageSchema, abortSignal })).body!;
        if (dropped.has("$orderby")) this.fallbacks.refuseOrderby();
        if (dropped.has("$expand")) this.fallbacks.failListExpand();
        return { page, url, dropped };
      } catch (e) {
        const option = isServiceUnavailableError(e)
          ? "$expand"
          : isBadRequestError(e)
            ? "$orderby"
            : undefined;
        if (option === undefined || dropped.has(option) || !hasParam(url, option)) throw e;
        dropped.add(option);
        url = withoutParam(url, option);
      }
    }
  }

  /**
   * Alerts of one incident listed without `$expand`: the incident's own `$expand=alerts` (documented), else the
   * alerts_v2 incident filter. `undefined` when neither works.
   */
  private async alertsOfIncident(
    incidentId: string,
    abortSignal: OperationOptions["abortSignal"],
  ): Promise<DefenderAlert[] | undefined> {
    try {
      const single = await this.getIncidentOnce(pathId("id", incidentId), true, abortSignal);
      return single?.alerts ?? [];
    } catch (e) {
      // Not remembered: one incident with very many alerts fails while the others work.
      if (!isServiceUnavailableError(e)) throw e;
      this.fallbacks.expandFailed("incident", incidentId);
    }
    return this.alertsByIncidentFilter(incidentId, abortSignal);
  }

  /** `GET /security/alerts_v2?$filter=incidentId eq '…'`; `undefined` once the service refused that filter. */
  private async alertsByIncidentFilter(
    incidentId: string,
    abortSignal: OperationOptions["abortSignal"],
  ): Promise<DefenderAlert[] | undefined> {
    return this.fallbacks.oneAtATime(
      "alertFilter",
      () => this.fallbacks.alertFilterRefused,
      () => this.alertsByIncidentFilterOnce(incidentId, abortSignal),
    );
  }

  private async alertsByIncidentFilterOnce(
    incidentId: string,
    abortSignal: OperationOptions["abortSignal"],
  ): Promise<DefenderAlert[] | undefined> {
    if (this.fallbacks.alertFilterRefused) return undefined;
    const alerts: DefenderAlert[] = [];
    let pages = 0;
    try {
      const filter = `incidentId eq ${odataString(incidentId)}`;
      for await (const page of this.listAlerts({ filter, abortSignal }).byPage()) {
        pages++;
        alerts.push(...page);
      }
    } catch (e) {
      // A 400 on a later page is something else (the $skip cap): only the first answer judges the filter.
      if (!isBadRequestError(e) || pages > 0) throw e;
      this.fallbacks.refuseAlertFilter(incidentId);
      return undefined;
    }
    this.fallbacks.accept("alertFilter");
    return alerts;
  }

  /**
   * Counts incidents matching the same filter `listIncidents` would use (`$count=true&$top=1`), e.g. to
   * estimate a backfill. `undefined` when the service omits `@odata.count`.
   */
  async countIncidents(options: CountDefenderIncidentsOptions = {}): Promise<number | undefined> {
    const url = this.http.url("/security/incidents", {
      $filter: andFilters(
        options.updatedSince === undefined
          ? undefined
          : `lastUpdateDateTime ge ${odataDateTime(options.updatedSince)}`,
        options.filter,
      ),
      $count: "true",
      $top: 1,
    });
    const res = await this.http.send({
      method: "GET",
      url,
      schema: rawPageSchema,
      abortSignal: options.abortSignal,
    });
    return res.body?.["@odata.count"] ?? undefined;
  }

  /**
   * Gets one incident; `undefined` when it does not exist. With `expandAlerts`, an incident whose
   * `$expand=alerts` fails with 5xx is read without it and its alerts through the alerts_v2 incident filter
   * (warning `expandAlertsFailed`); if that filter is refused too, it comes without `alerts`.
   */
  async getIncident(
    id: string,
    options: GetDefenderIncidentOptions = {},
  ): Promise<DefenderIncident | undefined> {
    const segment = pathId("id", id);
    if (!options.expandAlerts) return this.getIncidentOnce(segment, false, options.abortSignal);
    try {
      return await this.getIncidentOnce(segment, true, options.abortSignal);
    } catch (e) {
      if (!isServiceUnavailableError(e)) throw e;
      this.fallbacks.expandFailed("incident", id);
    }
    const plain = await this.getIncidentOnce(segment, false, options.abortSignal);
    if (!plain) return undefined;
    const alerts = await this.alertsByIncidentFilter(id, options.abortSignal);
    return alerts === undefined ? plain : { ...plain, alerts };
  }

  private async getIncidentOnce(
    segment: string,
    expandAlerts: boolean,
    abortSignal: OperationOptions["abortSignal"],
  ): Promise<DefenderIncident | undefined> {
    const res = await this.http.send({
      method: "GET",
      url: this.http.url(`/security/incidents/${segment}`, { $expand: expandAlerts ? "alerts" : undefined }),
      schema: defenderIncidentSchema,
      acceptStatuses: [404],
      abortSignal,
    });
    if (res.status !== 404) forwardParseWarnings(this.warnings, res.body);
    return res.status === 404 ? undefined : res.body;
  }

  /**
   * PATCHes only the fields given (wire names). Fields outside the writable set (status, assignedTo,
   * classification, determination, customTags, description, displayName, severity, resolvingComment, summary)
   * are refused before anything is sent. Returns the updated incident. `status: "inProgress"` is in the Graph
   * enum but not documented for updates: if the service refuses it (400), the PATCH is sent again with
   * `active`, and this client writes `active` from then on (warning `inProgressRefused`).
   */
  async updateIncident(
    id: string,
    patch: DefenderIncidentPatch,
    options: OperationOptions = {},
  ): Promise<DefenderIncident> {
    return withSpan(
      "DefenderClient.updateIncident",
      options,
      async (updatedOptions) => {
        const path = `/security/incidents/${pathId("id", id)}`;
        const parsed = defenderIncidentPatchSchema.safeParse(patch);
        if (!parsed.success)
          throw new InvalidArgumentError("patch", "not a valid incident update", zodIssues(parsed.error));
        if (Object.keys(parsed.data).length === 0) throw new InvalidArgumentError("patch", "is empty");
        const patchOnce = () => this.patchIncident(id, path, parsed.data, updatedOptions);
        const res =
          parsed.data.status === "inProgress"
            ? await this.fallbacks.oneAtATime("inProgress", () => this.fallbacks.inProgressRefused, patchOnce)
            : await patchOnce();
        forwardParseWarnings(this.warnings, res.body);
        if (res.body) return res.body;
        // Some Graph workloads answer 204; read the result back so callers always get the incident.
        const current = await this.getIncident(id, updatedOptions);
        if (!current) throw new InvalidArgumentError("id", `incident ${id} disappeared after update`);
        return current;
      },
      { [SYNC_ATTRIBUTES.defenderIncidentId]: id },
    );
  }

  /** One PATCH; `inProgress` becomes `active` once the service refused it (now, or before). */
  private async patchIncident(
    id: string,
    path: string,
    patch: DefenderIncidentPatch,
    options: OperationOptions,
  ) {
    const send = (body: DefenderIncidentPatch) =>
      this.http.send({
        method: "PATCH",
        url: this.http.url(path),
        body,
        schema: defenderIncidentSchema,
        abortSignal: options.abortSignal,
        tracingOptions: options.tracingOptions,
      });
    if (patch.status !== "inProgress") return send(patch);
    if (this.fallbacks.inProgressRefused) return send({ ...patch, status: "active" });
    try {
      const res = await send(patch);
      this.fallbacks.accept("inProgress");
      return res;
    } catch (e) {
      if (!isBadRequestError(e)) throw e;
      // Remembered only when `active` goes through: otherwise the 400 was about something else.
      const res = await send({ ...patch, status: "active" });
      this.fallbacks.refuseInProgress(id);
      return res;
    }
  }

  /** Appends a comment. Graph answers with the incident's whole comment list, returned here. */
  async addIncidentComment(
    id: string,
    comment: string,
    options: OperationOptions = {},
  ): Promise<AlertComment[]> {
    return withSpan(
      "DefenderClient.addIncidentComment",
      options,
      async (updatedOptions) => {
        if (typeof comment !== "string" || comment.trim() === "") {
          throw new InvalidArgumentError("comment", "must be a non-empty string");
        }
        const res = await this.http.send({
          method: "POST",
          url: this.http.url(`/security/incidents/${pathId("id", id)}/comments`),
          body: { "@odata.type": "microsoft.graph.security.alertComment", comment },
          schema: commentListSchema,
          abortSignal: updatedOptions.abortSignal,
          tracingOptions: updatedOptions.tracingOptions,
        });
        return res.body!.value;
      },
      { [SYNC_ATTRIBUTES.defenderIncidentId]: id },
    );
  }

  /** Lists alerts (alerts_v2), following `@odata.nextLink`. */
  listAlerts(
    options: ListDefenderAlertsOptions = {},
  ): PagedAsyncIterableIterator<DefenderAlert, DefenderAlert[], PageSettings> {
    if (options.pageSize !== undefined && (!Number.isInteger(options.pageSize) || options.pageSize < 1)) {
      throw new InvalidArgumentError("pageSize", "must be a positive integer");
    }
    const first = this.http.url("/security/alerts_v2", {
      $filter: andFilters(
        options.updatedSince === undefined
          ? undefined
          : `lastUpdateDateTime ge ${odataDateTime(options.updatedSince)}`,
        options.filter,
      ),
      $top: options.pageSize,
    });
    return createPagedIterator(async (token) => {
      const url = token ?? first;
      const page = (
        await this.http.send({ method: "GET", url, schema: rawPageSchema, abortSignal: options.abortSignal })
      ).body!;
      const nextLink = page["@odata.nextLink"];
      if (nextLink) this.http.assertTrusted(nextLink);
      const items = parseItems(
        "defender",
        page.value,
        defenderAlertSchema,
        options.onInvalidItem,
        redactUrl(url),
      );
      for (const item of items) forwardParseWarnings(this.warnings, item);
      return { items, continuationToken: nextLink ?? undefined };
    }, this.http.paging);
  }

  /** Gets one alert; `undefined` when it does not exist. */
  async getAlert(id: string, options: OperationOptions = {}): Promise<DefenderAlert | undefined> {
    const res = await this.http.send({
      method: "GET",
      url: this.http.url(`/security/alerts_v2/${pathId("id", id)}`),
      schema: defenderAlertSchema,
      acceptStatuses: [404],
      abortSignal: options.abortSignal,
    });
    if (res.status !== 404) forwardParseWarnings(this.warnings, res.body);
    return res.status === 404 ? undefined : res.body;
  }
}

function hasParam(url: string, name: string): boolean {
  return new URL(url).searchParams.has(name);
}

function withoutParam(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.delete(name);
  return u.toString().replace(/\+/g, "%20");
}

function encodeCursor(c: IncidentCursor): string {
  return Buffer.from(JSON.stringify(c), "utf8").toString("base64url");
}

function decodeCursor(token: string | undefined): IncidentCursor | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  throw new InvalidArgumentError("continuationToken", "was not produced by listIncidents");
}
