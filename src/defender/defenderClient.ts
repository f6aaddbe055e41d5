import type { TokenCredential } from "@azure/core-auth";
import { z } from "zod";
import type { CommonClientOptions, OperationOptions } from "../core/clientOptions";
import { parseEndpoint } from "../core/endpoint";
import { InvalidArgumentError, isServiceUnavailableError, redactUrl } from "../core/errors";
import { pathId } from "../core/ids";
import { RequestMetrics } from "../core/metrics";
import { WarningChannel, type WarningListener } from "../core/warnings";
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
import { ServiceHttp, zodIssues } from "../core/serviceHttp";
import { compareTimestamps, odataDateTime, timestampKey } from "../core/timestamps";
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

/** Graph rejects `$top` above 50 for incidents ("The limit of '50' for Top query has been exceeded"). */
export const MAX_INCIDENT_PAGE_SIZE = 50;

export interface DefenderClientOptions extends CommonClientOptions {
  /** Graph base URL including the version. Default `https://graph.microsoft.com/v1.0`. */
  endpoint?: string;
}

export interface ListDefenderIncidentsOptions extends OperationOptions {
  /** Only incidents with `lastUpdateDateTime ge updatedSince`. Results come oldest first. */
  updatedSince?: Date | string;
  /** Include `alerts` (`$expand=alerts`); falls back to per-incident fetches if the service 5xx's. */
  expandAlerts?: boolean;
  /** `$top`, 1–50. Default 50. */
  pageSize?: number;
  /** An extra OData filter, and-ed with the time filter. */
  filter?: string;
  /** Receives items that fail the schema; without it such an item throws a ResponseValidationError. */
  onInvalidItem?: InvalidItemHandler;
}

export interface GetDefenderIncidentOptions extends OperationOptions {
  expandAlerts?: boolean;
}

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
}

const cursorSchema = z.object({
  since: z.string().optional(),
  seen: z.array(z.string()),
  nextLink: z.string().optional(),
  noExpand: z.boolean().optional(),
});

const rawPageSchema = graphPageSchema(z.unknown());
const commentListSchema = z.looseObject({ value: z.array(alertCommentSchema) });

/**
 * Client for Microsoft Defender XDR incidents and alerts through Microsoft Graph security v1.0.
 *
 * Needs the application permission `SecurityIncident.ReadWrite.All` (read-only use: `SecurityIncident.Read.All`,
 * alerts: `SecurityAlert.Read.All`).
 */
export class DefenderClient {
  /** The Graph endpoint this client talks to (and the only origin it sends tokens to). */
  readonly endpoint: string;
  /** Request counters: attempts, 429s, client-side waits. */
  readonly metrics: RequestMetrics;
  /** Fallbacks taken and odd items tolerated; see `onWarning`. */
  protected readonly warnings = new WarningChannel();
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
    return createPagedIterator((token) =>
      this.listIncidentsPage(decodeCursor(token) ?? { since: initialSince, seen: [] }, pageSize, options),
    );
  }

  private async listIncidentsPage(
    cursor: IncidentCursor,
    pageSize: number,
    options: ListDefenderIncidentsOptions,
  ): Promise<Page<DefenderIncident>> {
    const wantAlerts = options.expandAlerts === true;
    const expand = wantAlerts && !cursor.noExpand;
    // Once $expand=alerts has failed, a service nextLink (which echoes the query) must lose it too.
    const nextLink =
      cursor.nextLink && wantAlerts && cursor.noExpand ? withoutExpand(cursor.nextLink) : cursor.nextLink;
    const url =
      nextLink ??
      this.http.url("/security/incidents", {
        $filter: andFilters(
          cursor.since ? `lastUpdateDateTime ge ${cursor.since}` : undefined,
          options.filter,
        ),
        $orderby: "lastUpdateDateTime asc",
        $top: pageSize,
        $expand: expand ? "alerts" : undefined,
      });
    let page: z.infer<typeof rawPageSchema>;
    let noExpand = cursor.noExpand ?? false;
    try {
      page = (
        await this.http.send({ method: "GET", url, schema: rawPageSchema, abortSignal: options.abortSignal })
      ).body!;
    } catch (e) {
      // Large tenants get persistent 500s for $expand=alerts (elastic/integrations#18144): list without it
      // and fetch each incident's alerts separately.
      if (!expand || !isServiceUnavailableError(e)) throw e;
      noExpand = true;
      const plainUrl = withoutExpand(url);
      page = (
        await this.http.send({
          method: "GET",
          url: plainUrl,
          schema: rawPageSchema,
          abortSignal: options.abortSignal,
        })
      ).body!;
    }
    const items = parseItems(
      "defender",
      page.value,
      defenderIncidentSchema,
      options.onInvalidItem,
      redactUrl(url),
    );

    const since = cursor.since;
    const seen = new Set(cursor.seen);
    let fresh = items.filter(
      (i) => !(since !== undefined && seen.has(i.id) && timestampKey(i.lastUpdateDateTime ?? "") === since),
    );
    // The fallback is sticky (noExpand travels in the cursor), so every later page fetches alerts per incident
    // too; boundary duplicates that are dropped anyway are not fetched.
    if (wantAlerts && noExpand) {
      const plain = fresh;
      fresh = [];
      for (const incident of plain) {
        const alerts = await this.listIncidentAlertsFallback(incident.id, options);
        fresh.push({ ...incident, alerts });
      }
    }

    const serviceNextLink = page["@odata.nextLink"];
    if (!serviceNextLink) return { items: fresh };
    this.http.assertTrusted(serviceNextLink);

    const ascending = items.every(
      (item, idx) =>
        idx === 0 ||
        compareTimestamps(items[idx - 1]!.lastUpdateDateTime ?? "", item.lastUpdateDateTime ?? "") <= 0,
    );
    const last = items.at(-1)?.lastUpdateDateTime;
    const maxKey = last ? timestampKey(last) : undefined;
    let next: IncidentCursor;
    if (ascending && maxKey !== undefined && maxKey !== since) {
      const atMax = items.filter((i) => timestampKey(i.lastUpdateDateTime ?? "") === maxKey).map((i) => i.id);
      next = { since: maxKey, seen: atMax, noExpand };
    } else {
      // Keyset cannot advance (a page of equal timestamps, or the service ignored $orderby): follow nextLink.
      const seenNow = new Set(cursor.seen);
      for (const i of items)
        if (maxKey !== undefined && timestampKey(i.lastUpdateDateTime ?? "") === since) seenNow.add(i.id);
      next = { since, seen: [...seenNow], nextLink: serviceNextLink, noExpand };
    }
    return { items: fresh, continuationToken: encodeCursor(next) };
  }

  private async listIncidentAlertsFallback(
    incidentId: string,
    options: OperationOptions,
  ): Promise<DefenderAlert[]> {
    try {
      const single = await this.getIncident(incidentId, {
        expandAlerts: true,
        abortSignal: options.abortSignal,
      });
      return single?.alerts ?? [];
    } catch (e) {
      if (!isServiceUnavailableError(e)) throw e;
    }
    const alerts: DefenderAlert[] = [];
    const pages = this.listAlerts({
      filter: `incidentId eq ${odataString(incidentId)}`,
      abortSignal: options.abortSignal,
    });
    for await (const page of pages.byPage()) alerts.push(...page);
    return alerts;
  }

  /**
   * Counts incidents matching the same filter `listIncidents` would use (`$count=true&$top=1`), e.g. to
   * estimate a backfill. `undefined` when the service omits `@odata.count`.
   */
  async countIncidents(
    options: Pick<ListDefenderIncidentsOptions, "updatedSince" | "filter" | "abortSignal"> = {},
  ): Promise<number | undefined> {
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

  /** Gets one incident; `undefined` when it does not exist. */
  async getIncident(
    id: string,
    options: GetDefenderIncidentOptions = {},
  ): Promise<DefenderIncident | undefined> {
    const url = this.http.url(`/security/incidents/${pathId("id", id)}`, {
      $expand: options.expandAlerts ? "alerts" : undefined,
    });
    const res = await this.http.send({
      method: "GET",
      url,
      schema: defenderIncidentSchema,
      acceptStatuses: [404],
      abortSignal: options.abortSignal,
    });
    return res.status === 404 ? undefined : res.body;
  }

  /**
   * PATCHes only the fields given (wire names). Fields outside the writable set (status, assignedTo,
   * classification, determination, customTags, description, displayName, severity, resolvingComment) are
   * refused before anything is sent. Returns the updated incident.
   */
  async updateIncident(
    id: string,
    patch: DefenderIncidentPatch,
    options: OperationOptions = {},
  ): Promise<DefenderIncident> {
    const path = `/security/incidents/${pathId("id", id)}`;
    const parsed = defenderIncidentPatchSchema.safeParse(patch);
    if (!parsed.success)
      throw new InvalidArgumentError("patch", "not a valid incident update", zodIssues(parsed.error));
    if (Object.keys(parsed.data).length === 0) throw new InvalidArgumentError("patch", "is empty");
    const res = await this.http.send({
      method: "PATCH",
      url: this.http.url(path),
      body: parsed.data,
      schema: defenderIncidentSchema,
      abortSignal: options.abortSignal,
    });
    if (res.body) return res.body;
    // Some Graph workloads answer 204; read the result back so callers always get the incident.
    const current = await this.getIncident(id, options);
    if (!current) throw new InvalidArgumentError("id", `incident ${id} disappeared after update`);
    return current;
  }

  /** Appends a comment. Graph answers with the incident's whole comment list, returned here. */
  async addIncidentComment(
    id: string,
    comment: string,
    options: OperationOptions = {},
  ): Promise<AlertComment[]> {
    if (typeof comment !== "string" || comment.trim() === "") {
      throw new InvalidArgumentError("comment", "must be a non-empty string");
    }
    const res = await this.http.send({
      method: "POST",
      url: this.http.url(`/security/incidents/${pathId("id", id)}/comments`),
      body: { "@odata.type": "microsoft.graph.security.alertComment", comment },
      schema: commentListSchema,
      abortSignal: options.abortSignal,
    });
    return res.body!.value;
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
      return { items, continuationToken: nextLink ?? undefined };
    });
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
    return res.status === 404 ? undefined : res.body;
  }
}

function withoutExpand(url: string): string {
  const u = new URL(url);
  u.searchParams.delete("$expand");
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
