/**
 * Microsoft Graph security v1.0 as the emulator serves it: `/security/incidents` (list, get, PATCH, comments)
 * and `/security/alerts_v2` (list, get, PATCH), with the service's limits and error shapes.
 */

import { type BearerInfo, GRAPH_WWW_AUTHENTICATE, readBearer } from "./auth";
import { DefenderTenant } from "./defenderState";
import {
  ALERT_CLASSIFICATION,
  ALERT_DETERMINATION,
  ALERT_SEVERITY,
  ALERT_STATUS,
  DETECTION_SOURCE,
  EVIDENCE_REMEDIATION_STATUS,
  enumMember,
  evolvedMembers,
  hideEvolved,
  INCIDENT_STATUS,
  SERVICE_SOURCE,
  wantsUnknownEnumMembers,
} from "./enums";
import { firstInOrder } from "./firstInOrder";
import { type CollectionSpec, ODataQueryError, parseFilter, parseOrderBy } from "./odataFilter";
import type { DefenderRefusals } from "./refusals";
import { defaultErrorCode, graphError, graphJson } from "./responses";
import {
  type CompiledRoute,
  compileRoute,
  matchCompiled,
  queryOption,
  type RequestContext,
  type RouteMatch,
  type RouteModule,
} from "./routing";
import { GRAPH_LIMITS, retryAfterHeaders } from "./throttling";
import type { GraphAlert, GraphIncident } from "./types";

export const GRAPH_ORIGIN = "https://graph.microsoft.com";
export const GRAPH_VERSION_PATH = "/v1.0";
/** `$top` caps: incidents 50 (observed, wazuh#28070), alerts_v2 1000 (security API constraints). */
export const GRAPH_MAX_TOP = { incidents: 50, alerts: 1000 } as const;
/** `$skip` cap (security API constraints: `$skip=501` → 400). */
export const GRAPH_MAX_SKIP = 500;
/** Page size when `$top` is not given (not documented; the incidents cap is used). */
export const GRAPH_DEFAULT_PAGE_SIZE = 50;

const INCIDENT_WRITABLE = [
  "status",
  "assignedTo",
  "classification",
  "determination",
  "customTags",
  "description",
  "displayName",
  "severity",
  "resolvingComment",
  // Listed as writable on one version of learn.microsoft.com/graph/api/security-incident-update.
  "summary",
] as const;
const INCIDENT_READ_ONLY = [
  "id",
  "incidentWebUrl",
  "redirectIncidentId",
  "tenantId",
  "createdDateTime",
  "lastUpdateDateTime",
  "systemTags",
  "comments",
  "lastModifiedBy",
  "alerts",
];
const ALERT_WRITABLE = ["status", "assignedTo", "classification", "determination"] as const;

const STATUS_EVOLVED = evolvedMembers(INCIDENT_STATUS);
const SERVICE_SOURCE_EVOLVED = evolvedMembers(SERVICE_SOURCE);
const DETECTION_SOURCE_EVOLVED = evolvedMembers(DETECTION_SOURCE);
const REMEDIATION_EVOLVED = evolvedMembers(EVIDENCE_REMEDIATION_STATUS);

export const incidentCollection: CollectionSpec<GraphIncident> = {
  typeName: "microsoft.graph.security.incident",
  fields: {
    assignedTo: { type: "string", get: (i) => i.assignedTo },
    classification: { type: "enum", get: (i) => i.classification },
    determination: { type: "enum", get: (i) => i.determination },
    severity: { type: "enum", get: (i) => i.severity },
    status: { type: "enum", get: (i) => i.status },
    createdDateTime: { type: "datetime", get: (i) => i.createdDateTime, sortable: true },
    lastUpdateDateTime: { type: "datetime", get: (i) => i.lastUpdateDateTime, sortable: true },
  },
  otherProperties: [
    "id",
    "displayName",
    "description",
    "summary",
    "customTags",
    "systemTags",
    "comments",
    "resolvingComment",
    "lastModifiedBy",
    "incidentWebUrl",
    "redirectIncidentId",
    "tenantId",
    "alerts",
  ],
};

export const alertCollection: CollectionSpec<GraphAlert> = {
  typeName: "microsoft.graph.security.alert",
  fields: {
    assignedTo: { type: "string", get: (a) => a.assignedTo },
    classification: { type: "enum", get: (a) => a.classification },
    determination: { type: "enum", get: (a) => a.determination },
    severity: { type: "enum", get: (a) => a.severity },
    status: { type: "enum", get: (a) => a.status },
    serviceSource: { type: "enum", get: (a) => a.serviceSource },
    // Not in the documented list, but our clients and others filter alerts by incident.
    incidentId: { type: "string", get: (a) => a.incidentId },
    createdDateTime: { type: "datetime", get: (a) => a.createdDateTime, sortable: true },
    lastUpdateDateTime: { type: "datetime", get: (a) => a.lastUpdateDateTime, sortable: true },
  },
  otherProperties: [
    "id",
    "title",
    "description",
    "investigationState",
    "detectionSource",
    "productName",
    "category",
    "providerAlertId",
    "tenantId",
    "evidence",
    "comments",
    "mitreTechniques",
  ],
};

export interface DefenderRegistry {
  /** The tenant a bearer token is for; undefined when the token names an unknown tenant. */
  tenantFor(bearer: BearerInfo): DefenderTenant | undefined;
  /** Wire choices to refuse (`emu.refuse`); none when omitted. */
  refusals?(): DefenderRefusals;
}

class BadRequest extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Incident as the wire shows it: fixed key order, alerts only when expanded, evolved enums hidden unless asked. */
export function presentIncident(
  incident: GraphIncident,
  options: { expand: boolean; preferUnknown: boolean },
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    "@odata.type": "#microsoft.graph.security.incident",
    id: incident.id,
    incidentWebUrl: incident.incidentWebUrl,
    redirectIncidentId: incident.redirectIncidentId,
    displayName: incident.displayName,
    tenantId: incident.tenantId,
    createdDateTime: incident.createdDateTime,
    lastUpdateDateTime: incident.lastUpdateDateTime,
    assignedTo: incident.assignedTo,
    classification: incident.classification,
    determination: incident.determination,
    status: options.preferUnknown ? incident.status : hideEvolved(incident.status, STATUS_EVOLVED),
    severity: incident.severity,
    customTags: [...incident.customTags],
    comments: incident.comments.map((c) => ({ ...c })),
    systemTags: [...incident.systemTags],
    description: incident.description,
    summary: incident.summary,
    resolvingComment: incident.resolvingComment,
    lastModifiedBy: incident.lastModifiedBy,
  };
  if (options.expand) out.alerts = incident.alerts.map((a) => presentAlert(a, options.preferUnknown));
  return out;
}

export function presentAlert(alert: GraphAlert, preferUnknown: boolean): Record<string, unknown> {
  // Serialized right away, so no deep copy is needed; only hidden enum members get new objects.
  if (preferUnknown) return alert as unknown as Record<string, unknown>;
  return {
    ...alert,
    serviceSource: hideEvolved(alert.serviceSource, SERVICE_SOURCE_EVOLVED),
    detectionSource: hideEvolved(alert.detectionSource, DETECTION_SOURCE_EVOLVED),
    evidence: alert.evidence.map((e) =>
      REMEDIATION_EVOLVED.has(e.remediationStatus) ? { ...e, remediationStatus: "unknownFutureValue" } : e,
    ),
  };
}

function encodeQuery(params: [string, string][]): string {
  return params
    .map(([k, v]) => `${encodeURIComponent(k).replace(/%24/g, "$")}=${encodeURIComponent(v)}`)
    .join("&");
}

/** The request URL with `name` set to `value` (other parameters kept in order). */
export function withQueryParam(url: URL, name: string, value: string): string {
  const params: [string, string][] = [];
  let replaced = false;
  for (const [k, v] of url.searchParams) {
    if (k.toLowerCase() === name.toLowerCase()) {
      if (!replaced) params.push([name, value]);
      replaced = true;
    } else params.push([k, v]);
  }
  if (!replaced) params.push([name, value]);
  return `${url.origin}${url.pathname}?${encodeQuery(params)}`;
}

function parseNonNegativeInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()))
    throw new BadRequest("BadRequest", `Invalid value '${raw}' for ${name} query option found.`);
  return Number(raw.trim());
}

function checkQueryOptions(url: URL, allowed: readonly string[]): void {
  for (const key of url.searchParams.keys()) {
    if (!key.startsWith("$")) continue;
    if (!allowed.includes(key.toLowerCase())) {
      throw new BadRequest(
        "BadRequest",
        `Query option '${key.slice(1)}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`,
      );
    }
  }
}

interface ListResult<T> {
  page: T[];
  total: number;
  nextLink?: string;
  count?: number;
}

function listCollection<T>(
  url: URL,
  items: T[],
  spec: CollectionSpec<T>,
  maxTop: number,
  defaultOrder: (a: T, b: T) => number,
): ListResult<T> {
  const top = parseNonNegativeInt("$top", queryOption(url, "$top"));
  const skip = parseNonNegativeInt("$skip", queryOption(url, "$skip")) ?? 0;
  if (top !== undefined && top > maxTop) {
    throw new BadRequest(
      "BadRequest",
      `The limit of '${maxTop}' for Top query has been exceeded. The value from the incoming request is '${top}'.`,
    );
  }
  if (skip > GRAPH_MAX_SKIP) {
    throw new BadRequest(
      "BadRequest",
      `The limit of '${GRAPH_MAX_SKIP}' for Skip query has been exceeded. The value from the incoming request is '${skip}'.`,
    );
  }
  const filterText = queryOption(url, "$filter");
  const orderText = queryOption(url, "$orderby");
  const odata = <R>(prefix: string, f: () => R): R => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ODataQueryError) throw new BadRequest("BadRequest", `${prefix}${e.message}`);
      throw e;
    }
  };
  let filtered = items;
  if (filterText !== undefined) {
    const predicate = odata("Invalid filter clause: ", () => parseFilter(filterText, spec));
    filtered = items.filter(predicate);
  }
  const order = orderText !== undefined ? odata("", () => parseOrderBy(orderText, spec)) : undefined;
  const size = top ?? Math.min(GRAPH_DEFAULT_PAGE_SIZE, maxTop);
  const page = firstInOrder(filtered, skip + size, (a, b) =>
    order ? order(a, b) || defaultOrder(a, b) : defaultOrder(a, b),
  ).slice(skip);
  const countOpt = queryOption(url, "$count");
  const result: ListResult<T> = { page, total: filtered.length };
  if (countOpt !== undefined) {
    if (!/^(true|false)$/i.test(countOpt))
      throw new BadRequest("BadRequest", `Invalid value '${countOpt}' for $count query option found.`);
    if (countOpt.toLowerCase() === "true") result.count = filtered.length;
  }
  if (size > 0 && skip + size < filtered.length)
    result.nextLink = withQueryParam(url, "$skip", String(skip + size));
  return result;
}

const newestFirst = (
  a: { createdDateTime: string; id: string },
  b: { createdDateTime: string; id: string },
) => b.createdDateTime.localeCompare(a.createdDateTime) || b.id.localeCompare(a.id);

export function createGraphRoutes(registry: DefenderRegistry): RouteModule {
  const routes: CompiledRoute[] = [
    compileRoute("GET", "/security/incidents", "GET /security/incidents"),
    compileRoute("GET", "/security/incidents/{id}", "GET /security/incidents/{id}"),
    compileRoute("PATCH", "/security/incidents/{id}", "PATCH /security/incidents/{id}"),
    compileRoute("POST", "/security/incidents/{id}/comments", "POST /security/incidents/{id}/comments"),
    compileRoute("GET", "/security/alerts_v2", "GET /security/alerts_v2"),
    compileRoute("GET", "/security/alerts_v2/{id}", "GET /security/alerts_v2/{id}"),
    compileRoute("PATCH", "/security/alerts_v2/{id}", "PATCH /security/alerts_v2/{id}"),
  ];

  const relPath = (url: URL) => url.pathname.slice(GRAPH_VERSION_PATH.length) || "/";

  const error = (
    ctx: RequestContext,
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) =>
    graphError(
      status,
      code,
      message,
      { requestId: ctx.requestId, clientRequestId: ctx.clientRequestId, now: ctx.now },
      headers,
    );
  const ok = (ctx: RequestContext, body: unknown, extra: Record<string, string> = {}) =>
    graphJson(200, body, { requestId: ctx.requestId, clientRequestId: ctx.clientRequestId }, extra);

  async function readJsonObject(ctx: RequestContext): Promise<Record<string, unknown>> {
    const text = await ctx.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new BadRequest(
        "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
      );
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new BadRequest("BadRequest", "The request payload must be a JSON object.");
    }
    return body as Record<string, unknown>;
  }

  function enumValue(
    values: readonly string[],
    typeName: string,
    raw: unknown,
    nullable: boolean,
  ): string | null {
    if (raw === null && nullable) return null;
    const member = enumMember(values, raw);
    if (!member || member === "unknownFutureValue") {
      throw new BadRequest(
        "BadRequest",
        `Cannot convert the literal '${String(raw)}' to the expected type '${typeName}'.`,
      );
    }
    return member;
  }

  function stringValue(name: string, raw: unknown, nullable: boolean): string | null {
    if (raw === null && nullable) return null;
    if (typeof raw !== "string") {
      throw new BadRequest(
        "BadRequest",
        `Cannot convert the value of property '${name}' to the expected type 'Edm.String'.`,
      );
    }
    return raw;
  }

  /** Validates a PATCH body against the writable set; returns the changes with canonical enum spellings. */
  function incidentPatch(body: Record<string, unknown>): Partial<GraphIncident> {
    const patch: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      if (key === "@odata.type") continue;
      if (!(INCIDENT_WRITABLE as readonly string[]).includes(key)) {
        if (INCIDENT_READ_ONLY.includes(key)) {
          throw new BadRequest("BadRequest", `The property '${key}' is read-only and cannot be updated.`);
        }
        throw new BadRequest(
          "BadRequest",
          `The property '${key}' does not exist on type 'microsoft.graph.security.incident'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
        );
      }
      switch (key) {
        case "status": {
          const member = enumMember(INCIDENT_STATUS, value);
          if (member === "awaitingAction") {
            throw new BadRequest(
              "BadRequest",
              "The status 'awaitingAction' can only be set by Microsoft Defender Experts.",
            );
          }
          patch.status = enumValue(INCIDENT_STATUS, "microsoft.graph.security.incidentStatus", value, false);
          break;
        }
        case "severity":
          patch.severity = enumValue(ALERT_SEVERITY, "microsoft.graph.security.alertSeverity", value, false);
          break;
        case "classification":
          patch.classification = enumValue(
            ALERT_CLASSIFICATION,
            "microsoft.graph.security.alertClassification",
            value,
            true,
          );
          break;
        case "determination":
          patch.determination = enumValue(
            ALERT_DETERMINATION,
            "microsoft.graph.security.alertDetermination",
            value,
            true,
          );
          break;
        case "customTags":
          if (!Array.isArray(value) || value.some((t) => typeof t !== "string")) {
            throw new BadRequest(
              "BadRequest",
              "Cannot convert the value of property 'customTags' to the expected type 'Collection(Edm.String)'.",
            );
          }
          patch.customTags = [...value];
          break;
        case "assignedTo":
          patch.assignedTo = stringValue(key, value, true);
          break;
        case "displayName":
          patch.displayName = stringValue(key, value, false);
          break;
        default:
          patch[key] = stringValue(key, value, true);
      }
    }
    return patch as Partial<GraphIncident>;
  }

  async function run(
    ctx: RequestContext,
    match: RouteMatch,
    tenant: DefenderTenant,
    bearer: BearerInfo,
  ): Promise<Response> {
    const preferUnknown = wantsUnknownEnumMembers(ctx.request.headers);
    const preferHeaders: Record<string, string> = preferUnknown
      ? { "Preference-Applied": "include-unknown-enum-members" }
      : {};
    const id = match.params.id ?? "";
    const refuse = registry.refusals?.() ?? {};
    switch (match.key) {
      case "GET /security/incidents": {
        checkQueryOptions(
          ctx.url,
          refuse.orderby
            ? ["$count", "$filter", "$skip", "$top", "$expand"]
            : ["$count", "$filter", "$skip", "$top", "$expand", "$orderby"],
        );
        const expand = parseExpand(ctx.url);
        if (expand && refuse.expandAlerts !== undefined) return expandFailure(ctx, refuse.expandAlerts);
        const result = listCollection(
          ctx.url,
          [...tenant.incidents.values()],
          incidentCollection,
          GRAPH_MAX_TOP.incidents,
          newestFirst,
        );
        return ok(
          ctx,
          {
            ...(result.count !== undefined ? { "@odata.count": result.count } : {}),
            value: result.page.map((i) => presentIncident(i, { expand, preferUnknown })),
            ...(result.nextLink ? { "@odata.nextLink": result.nextLink } : {}),
          },
          preferHeaders,
        );
      }
      case "GET /security/incidents/{id}": {
        const incident = tenant.record(id);
        if (!incident) return notFound(ctx, "incident", id);
        const expand = parseExpand(ctx.url);
        if (expand && refuse.expandAlertsOnGet !== undefined)
          return expandFailure(ctx, refuse.expandAlertsOnGet);
        return ok(ctx, presentIncident(incident, { expand, preferUnknown }), preferHeaders);
      }
      case "PATCH /security/incidents/{id}": {
        const incident = tenant.record(id);
        if (!incident) return notFound(ctx, "incident", id);
        const body = await readJsonObject(ctx);
        if (refuse.statusInProgress && enumMember(INCIDENT_STATUS, body.status) === "inProgress") {
          throw new BadRequest("BadRequest", "The status 'inProgress' cannot be set on an incident.");
        }
        const patch = incidentPatch(body);
        const changed = Object.entries(patch).some(
          ([k, v]) =>
            JSON.stringify((incident as unknown as Record<string, unknown>)[k]) !== JSON.stringify(v),
        );
        if (changed) {
          Object.assign(incident, patch);
          tenant.afterStatusChange(incident);
          incident.lastUpdateDateTime = ctx.services.clock.stamp();
          incident.lastModifiedBy = DefenderTenant.apiActor(bearer.appId);
        }
        return ok(ctx, presentIncident(incident, { expand: false, preferUnknown }), preferHeaders);
      }
      case "POST /security/incidents/{id}/comments": {
        const incident = tenant.record(id);
        if (!incident) return notFound(ctx, "incident", id);
        const body = await readJsonObject(ctx);
        const comment = body.comment;
        if (typeof comment !== "string" || comment.trim() === "") {
          throw new BadRequest(
            "BadRequest",
            "The comment property is required and must be a non-empty string.",
          );
        }
        const stamp = ctx.services.clock.stamp();
        incident.comments.push({
          comment,
          createdByDisplayName: DefenderTenant.apiActor(bearer.appId),
          createdDateTime: stamp,
        });
        incident.lastUpdateDateTime = stamp;
        incident.lastModifiedBy = DefenderTenant.apiActor(bearer.appId);
        return ok(ctx, {
          "@odata.context": `${ctx.url.origin}${GRAPH_VERSION_PATH}/$metadata#Collection(microsoft.graph.security.alertComment)`,
          value: incident.comments.map((c) => ({ ...c })),
        });
      }
      case "GET /security/alerts_v2": {
        checkQueryOptions(ctx.url, ["$count", "$filter", "$skip", "$top"]);
        if (
          refuse.alertsFilterByIncidentId &&
          /\bincidentId\b/i.test(queryOption(ctx.url, "$filter") ?? "")
        ) {
          throw new BadRequest(
            "BadRequest",
            "Invalid filter clause: Could not find a property named 'incidentId' on type 'microsoft.graph.security.alert'.",
          );
        }
        const alerts = [...tenant.incidents.values()].flatMap((i) => i.alerts);
        const result = listCollection(ctx.url, alerts, alertCollection, GRAPH_MAX_TOP.alerts, newestFirst);
        return ok(
          ctx,
          {
            ...(result.count !== undefined ? { "@odata.count": result.count } : {}),
            value: result.page.map((a) => presentAlert(a, preferUnknown)),
            ...(result.nextLink ? { "@odata.nextLink": result.nextLink } : {}),
          },
          preferHeaders,
        );
      }
      case "GET /security/alerts_v2/{id}": {
        const alert = findAlert(tenant, id);
        if (!alert) return notFound(ctx, "alert", id);
        return ok(ctx, presentAlert(alert, preferUnknown), preferHeaders);
      }
      case "PATCH /security/alerts_v2/{id}": {
        const alert = findAlert(tenant, id);
        if (!alert) return notFound(ctx, "alert", id);
        const body = await readJsonObject(ctx);
        const patch: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(body)) {
          if (key === "@odata.type") continue;
          if (!(ALERT_WRITABLE as readonly string[]).includes(key)) {
            throw new BadRequest(
              "BadRequest",
              `The property '${key}' cannot be updated on type 'microsoft.graph.security.alert'.`,
            );
          }
          if (key === "status")
            patch.status = enumValue(ALERT_STATUS, "microsoft.graph.security.alertStatus", value, false);
          else if (key === "classification")
            patch.classification = enumValue(
              ALERT_CLASSIFICATION,
              "microsoft.graph.security.alertClassification",
              value,
              true,
            );
          else if (key === "determination")
            patch.determination = enumValue(
              ALERT_DETERMINATION,
              "microsoft.graph.security.alertDetermination",
              value,
              true,
            );
          else patch.assignedTo = stringValue(key, value, true);
        }
        Object.assign(alert, patch);
        const stamp = ctx.services.clock.stamp();
        alert.lastUpdateDateTime = stamp;
        if (patch.status === "resolved") alert.resolvedDateTime = stamp;
        const incident = tenant.record(alert.incidentId);
        if (incident) incident.lastUpdateDateTime = stamp;
        return ok(ctx, presentAlert(alert, preferUnknown), preferHeaders);
      }
      default:
        return error(
          ctx,
          400,
          "BadRequest",
          `Resource not found for the segment '${relPath(ctx.url).split("/").pop()}'.`,
        );
    }
  }

  function expandFailure(ctx: RequestContext, status: number): Response {
    return error(ctx, status, defaultErrorCode(status), "An error has occurred while expanding 'alerts'.");
  }

  function notFound(ctx: RequestContext, what: string, id: string): Response {
    return error(ctx, 404, "NotFound", `The ${what} with id '${id}' was not found.`);
  }

  return {
    name: "defender",
    origins: [GRAPH_ORIGIN],
    ownsPath: (pathname) => pathname === GRAPH_VERSION_PATH || pathname.startsWith(`${GRAPH_VERSION_PATH}/`),
    match(method, url) {
      if (!url.pathname.startsWith(`${GRAPH_VERSION_PATH}/`)) return undefined;
      return matchCompiled(routes, method, relPath(url));
    },
    error,
    async handle(ctx, match) {
      const bearer = readBearer(ctx.request.headers);
      if (!bearer) {
        return error(ctx, 401, "InvalidAuthenticationToken", "Access token is empty.", {
          "WWW-Authenticate": GRAPH_WWW_AUTHENTICATE,
        });
      }
      const tenant = registry.tenantFor(bearer);
      if (!tenant) {
        return error(
          ctx,
          401,
          "InvalidAuthenticationToken",
          "Access token validation failure. Invalid audience.",
          {
            "WWW-Authenticate": GRAPH_WWW_AUTHENTICATE,
          },
        );
      }
      const verdict = ctx.services.throttler.take(
        `graph|${tenant.tenantId}|${bearer.appId ?? "emulator"}`,
        GRAPH_LIMITS,
      );
      if (!verdict.ok) {
        ctx.markThrottled();
        return error(
          ctx,
          429,
          "TooManyRequests",
          "Too many requests. The application has exceeded its request rate for this tenant; retry after the time in the Retry-After header.",
          retryAfterHeaders(verdict.retryAfterMs, ctx.services.timeScale),
        );
      }
      if (!match) {
        return error(
          ctx,
          400,
          "BadRequest",
          `Resource not found for the segment '${relPath(ctx.url).split("/").filter(Boolean).pop() ?? ""}'.`,
        );
      }
      if (!match.methodAllowed) {
        return error(
          ctx,
          405,
          "BadRequest",
          `The HTTP method '${ctx.method}' is not supported for this resource.`,
        );
      }
      try {
        return await run(ctx, match, tenant, bearer);
      } catch (e) {
        if (e instanceof BadRequest) return error(ctx, 400, e.code, e.message);
        throw e;
      }
    },
  };
}

function parseExpand(url: URL): boolean {
  const expand = queryOption(url, "$expand");
  if (expand === undefined) return false;
  const parts = expand.split(",").map((p) => p.trim());
  for (const p of parts) {
    if (p.toLowerCase() !== "alerts") {
      throw new BadRequest(
        "BadRequest",
        `Property '${p}' on type 'microsoft.graph.security.incident' is not a navigation property or complex property. Only navigation properties can be expanded.`,
      );
    }
  }
  return true;
}

function findAlert(tenant: DefenderTenant, id: string): GraphAlert | undefined {
  for (const incident of tenant.incidents.values()) {
    const alert = incident.alerts.find((a) => a.id === id);
    if (alert) return alert;
  }
  return undefined;
}
