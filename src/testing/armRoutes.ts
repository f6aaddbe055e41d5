/**
 * Microsoft Sentinel over Azure Resource Manager (Microsoft.SecurityInsights incidents, comments, alerts,
 * entities) as the emulator serves it, with ARM's api-version, CloudError bodies, throttling headers and
 * the incident PUT rules.
 */

import { isGuid } from "../core/guid";
import { armNameProblem } from "../core/ids";
import { armWwwAuthenticate, readBearer } from "./auth";
import { firstInOrder } from "./firstInOrder";
import { type CollectionSpec, ODataQueryError, parseFilter, parseOrderBy } from "./odataFilter";
import { armError, armHeaders, jsonResponse } from "./responses";
import {
  type CompiledRoute,
  compileRoute,
  matchCompiled,
  queryOption,
  type RequestContext,
  type RouteMatch,
  type RouteModule,
} from "./routing";
import {
  CLASSIFICATION_REASONS,
  CLASSIFICATIONS,
  canonical,
  SENTINEL_SERVICE_LIMITS,
  SEVERITIES,
  type SentinelIncidentInput,
  SentinelWorkspace,
  STATUSES,
  type StoredIncident,
  sortedComments,
} from "./sentinelState";
import { ARM_LIMITS, retryAfterHeaders } from "./throttling";
import type { SentinelComment } from "./types";

export const ARM_ORIGIN = "https://management.azure.com";
/** Stable and preview api-versions of Microsoft.SecurityInsights. */
export const SENTINEL_API_VERSIONS = [
  "2025-09-01",
  "2025-06-01",
  "2025-03-01",
  "2024-09-01",
  "2024-03-01",
  "2023-11-01",
  "2023-02-01",
  "2022-11-01",
  "2022-08-01",
  "2021-10-01",
  "2021-04-01",
  "2020-01-01",
] as const;
/** The largest `$top` the emulated Sentinel incidents list accepts, 1,000 (the ARM service's maximum page size). */
export const ARM_MAX_TOP = 1000;
/** Page size without `$top` (about 50 was observed, msticpy#569). */
export const ARM_DEFAULT_PAGE_SIZE = 50;

const WORKSPACE_PREFIX =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}/providers/Microsoft.SecurityInsights";

export const incidentCollection: CollectionSpec<StoredIncident> = {
  typeName: "Microsoft.SecurityInsights.Incident",
  quotedDateTimes: true,
  fields: {
    "properties/lastModifiedTimeUtc": {
      type: "datetime",
      get: (s) => s.resource.properties.lastModifiedTimeUtc,
      sortable: true,
    },
    "properties/createdTimeUtc": {
      type: "datetime",
      get: (s) => s.resource.properties.createdTimeUtc,
      sortable: true,
    },
    "properties/firstActivityTimeUtc": {
      type: "datetime",
      get: (s) => s.resource.properties.firstActivityTimeUtc,
      sortable: true,
    },
    "properties/lastActivityTimeUtc": {
      type: "datetime",
      get: (s) => s.resource.properties.lastActivityTimeUtc,
      sortable: true,
    },
    "properties/incidentNumber": {
      type: "number",
      get: (s) => s.resource.properties.incidentNumber,
      sortable: true,
    },
    "properties/status": { type: "enum", get: (s) => s.resource.properties.status },
    "properties/severity": { type: "enum", get: (s) => s.resource.properties.severity },
    // Known service bug (Azure/azure-rest-api-specs#27165): `eq 'Undetermined'` matches nothing.
    "properties/classification": {
      type: "enum",
      get: (s) =>
        s.resource.properties.classification === "Undetermined"
          ? "(undetermined)"
          : s.resource.properties.classification,
    },
    "properties/classificationReason": {
      type: "enum",
      get: (s) => s.resource.properties.classificationReason,
    },
    "properties/providerName": { type: "string", get: (s) => s.resource.properties.providerName },
    "properties/providerIncidentId": { type: "string", get: (s) => s.resource.properties.providerIncidentId },
    "properties/title": { type: "string", get: (s) => s.resource.properties.title, sortable: true },
    "properties/owner/userPrincipalName": {
      type: "string",
      get: (s) => s.resource.properties.owner.userPrincipalName,
    },
    "properties/owner/objectId": { type: "string", get: (s) => s.resource.properties.owner.objectId },
    "properties/owner/assignedTo": { type: "string", get: (s) => s.resource.properties.owner.assignedTo },
    name: { type: "string", get: (s) => s.resource.name },
  },
  otherProperties: [
    "properties/description",
    "properties/labels",
    "properties/additionalData",
    "properties/incidentUrl",
    "id",
    "etag",
  ],
};

const commentCollection: CollectionSpec<SentinelComment> = {
  typeName: "Microsoft.SecurityInsights.IncidentComment",
  quotedDateTimes: true,
  fields: {
    "properties/createdTimeUtc": {
      type: "datetime",
      get: (c) => c.properties.createdTimeUtc,
      sortable: true,
    },
    "properties/lastModifiedTimeUtc": {
      type: "datetime",
      get: (c) => c.properties.lastModifiedTimeUtc,
      sortable: true,
    },
    "properties/message": { type: "string", get: (c) => c.properties.message },
  },
};

export interface SentinelRegistry {
  /** The workspace, or why it is missing. */
  lookup(
    subscriptionId: string,
    resourceGroupName: string,
    workspaceName: string,
  ): { workspace: SentinelWorkspace } | { missing: "subscription" | "resourceGroup" | "workspace" };
}

class ArmFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const badRequest = (message: string, code = "BadRequest") => new ArmFailure(400, code, message);

function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset }), "utf8").toString("base64url");
}

function decodeSkipToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown };
    if (typeof parsed.o === "number" && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through
  }
  throw badRequest(`The skip token '${token}' is invalid.`, "InvalidSkipToken");
}

function withParam(url: URL, name: string, value: string): string {
  const params: [string, string][] = [];
  for (const [k, v] of url.searchParams) if (k.toLowerCase() !== name.toLowerCase()) params.push([k, v]);
  params.push([name, value]);
  const q = params
    .map(([k, v]) => `${encodeURIComponent(k).replace(/%24/g, "$")}=${encodeURIComponent(v)}`)
    .join("&");
  return `${url.origin}${url.pathname}?${q}`;
}

/** One page of `items` per `$filter`/`$orderby`/`$top`/`$skipToken`, with a `nextLink` carrying `$skipToken`. */
function page<T>(url: URL, items: T[], spec: CollectionSpec<T>, defaultOrder: (a: T, b: T) => number) {
  const topRaw = queryOption(url, "$top");
  let top = ARM_DEFAULT_PAGE_SIZE;
  if (topRaw !== undefined) {
    if (!/^\d+$/.test(topRaw) || Number(topRaw) < 1 || Number(topRaw) > ARM_MAX_TOP) {
      throw badRequest(
        `The value '${topRaw}' of the $top query parameter is invalid; it must be an integer from 1 to ${ARM_MAX_TOP}.`,
        "InvalidParameter",
      );
    }
    top = Number(topRaw);
  }
  const skipToken = queryOption(url, "$skipToken");
  const offset = skipToken === undefined ? 0 : decodeSkipToken(skipToken);
  let list = items;
  let value: T[];
  try {
    const filterText = queryOption(url, "$filter");
    if (filterText !== undefined) list = list.filter(parseFilter(filterText, spec));
    const orderText = queryOption(url, "$orderby");
    const order = orderText !== undefined ? parseOrderBy(orderText, spec) : undefined;
    value = firstInOrder(list, offset + top, (a, b) =>
      order ? order(a, b) || defaultOrder(a, b) : defaultOrder(a, b),
    ).slice(offset);
  } catch (e) {
    if (e instanceof ODataQueryError) throw badRequest(e.message, "InvalidODataQuery");
    throw e;
  }
  const nextLink =
    offset + top < list.length ? withParam(url, "$skipToken", encodeSkipToken(offset + top)) : undefined;
  return { value, nextLink };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Validates an incident PUT body the way the service does. */
export function validateIncidentBody(body: unknown): { properties: SentinelIncidentInput; etag?: string } {
  if (!isObject(body))
    throw badRequest(
      "The request content was invalid and could not be deserialized.",
      "InvalidRequestContent",
    );
  const p = body.properties;
  if (!isObject(p)) throw badRequest("The 'properties' field is required.");
  const missing = ["title", "severity", "status"].filter(
    (k) => typeof p[k] !== "string" || (p[k] as string).trim() === "",
  );
  if (missing.length > 0) {
    throw badRequest(
      `The ${missing.map((m) => `'${m}'`).join(", ")} field${missing.length > 1 ? "s are" : " is"} required.`,
    );
  }
  if (!canonical(SEVERITIES, p.severity))
    throw badRequest(`The value '${String(p.severity)}' is not a valid incident severity.`);
  if (!canonical(STATUSES, p.status))
    throw badRequest(`The value '${String(p.status)}' is not a valid incident status.`);
  if (
    p.classification !== undefined &&
    p.classification !== null &&
    !canonical(CLASSIFICATIONS, p.classification)
  ) {
    throw badRequest(`The value '${String(p.classification)}' is not a valid incident classification.`);
  }
  if (
    p.classificationReason !== undefined &&
    p.classificationReason !== null &&
    !canonical(CLASSIFICATION_REASONS, p.classificationReason)
  ) {
    throw badRequest(
      `The value '${String(p.classificationReason)}' is not a valid incident classification reason.`,
    );
  }
  const status = canonical(STATUSES, p.status);
  const classification = canonical(CLASSIFICATIONS, p.classification);
  if (status === "Closed" && !classification) {
    throw badRequest("Incident classification is required when closing an incident (status 'Closed').");
  }
  if (classification === "BenignPositive" && !canonical(CLASSIFICATION_REASONS, p.classificationReason)) {
    throw badRequest("classification 'BenignPositive' must have classificationReason.");
  }
  if (p.description !== undefined && p.description !== null) {
    if (typeof p.description !== "string") throw badRequest("The 'description' field must be a string.");
    if (p.description.length > SENTINEL_SERVICE_LIMITS.maxDescriptionLength) {
      throw badRequest(
        `The incident description exceeds the maximum length of ${SENTINEL_SERVICE_LIMITS.maxDescriptionLength} characters.`,
      );
    }
  }
  for (const k of ["title", "classificationComment", "firstActivityTimeUtc", "lastActivityTimeUtc"]) {
    if (p[k] !== undefined && p[k] !== null && typeof p[k] !== "string")
      throw badRequest(`The '${k}' field must be a string.`);
  }
  if (p.owner !== undefined && p.owner !== null) {
    if (!isObject(p.owner)) throw badRequest("The 'owner' field must be an object.");
    const objectId = p.owner.objectId;
    if (objectId !== undefined && objectId !== null && !isGuid(objectId)) {
      throw badRequest(`The owner objectId '${String(objectId)}' is not a valid GUID.`);
    }
  }
  if (p.labels !== undefined && p.labels !== null) {
    if (
      !Array.isArray(p.labels) ||
      p.labels.some((l) => !isObject(l) || typeof l.labelName !== "string" || l.labelName === "")
    ) {
      throw badRequest("Every label must have a non-empty 'labelName'.");
    }
  }
  if (body.etag !== undefined && body.etag !== null && typeof body.etag !== "string")
    throw badRequest("The 'etag' field must be a string.");
  const input: SentinelIncidentInput = {
    title: p.title as string,
    severity: p.severity as string,
    status: p.status as string,
    ...(typeof p.description === "string" ? { description: p.description } : {}),
    ...(typeof p.classification === "string" ? { classification: p.classification } : {}),
    ...(typeof p.classificationReason === "string" ? { classificationReason: p.classificationReason } : {}),
    ...(typeof p.classificationComment === "string"
      ? { classificationComment: p.classificationComment }
      : {}),
    ...(isObject(p.owner) ? { owner: p.owner as SentinelIncidentInput["owner"] } : {}),
    ...(Array.isArray(p.labels) ? { labels: p.labels as SentinelIncidentInput["labels"] } : {}),
    ...(typeof p.firstActivityTimeUtc === "string" ? { firstActivityTimeUtc: p.firstActivityTimeUtc } : {}),
    ...(typeof p.lastActivityTimeUtc === "string" ? { lastActivityTimeUtc: p.lastActivityTimeUtc } : {}),
  };
  return { properties: input, ...(typeof body.etag === "string" ? { etag: body.etag } : {}) };
}

/** Result of an extension route: a body, or an ARM CloudError (`error`). */
export interface ArmRouteResult {
  status: number;
  body?: unknown;
  error?: { code: string; message: string };
}

/**
 * More Microsoft.SecurityInsights resource types under the workspace (e.g. alertRules), served with the same
 * authentication, api-version check, throttling buckets and CloudError shape as incidents.
 */
export interface ArmRouteExtension {
  /** Paths after `…/providers/Microsoft.SecurityInsights`, e.g. `{ method: "PUT", path: "/alertRules/{ruleId}" }`. */
  readonly routes: readonly { method: string; path: string }[];
  run(ctx: RequestContext, match: RouteMatch, workspace: SentinelWorkspace): Promise<ArmRouteResult>;
}

/**
 * Incident and comment names: any string the spec allows (it types them as plain strings), but not one that
 * would address another path (the client refuses the same names before sending).
 */
function checkNames(match: RouteMatch): void {
  for (const name of [match.params.id, match.params.commentId]) {
    if (name === undefined) continue;
    const problem = armNameProblem(name);
    if (problem !== undefined) {
      throw badRequest(`The resource name '${name}' is invalid: it ${problem}.`, "InvalidResourceName");
    }
  }
}

export function createArmRoutes(
  registry: SentinelRegistry,
  extensions: readonly ArmRouteExtension[] = [],
): RouteModule {
  const sub = (method: string, rest: string) =>
    compileRoute(method, `${WORKSPACE_PREFIX}${rest}`, `${method} ${rest}`, true);
  const extensionFor = new Map<string, ArmRouteExtension>();
  for (const e of extensions) for (const r of e.routes) extensionFor.set(`${r.method} ${r.path}`, e);
  const routes: CompiledRoute[] = [
    sub("GET", "/incidents"),
    sub("GET", "/incidents/{id}"),
    sub("PUT", "/incidents/{id}"),
    sub("DELETE", "/incidents/{id}"),
    sub("POST", "/incidents/{id}/alerts"),
    sub("POST", "/incidents/{id}/entities"),
    sub("POST", "/incidents/{id}/bookmarks"),
    sub("GET", "/incidents/{id}/comments"),
    sub("GET", "/incidents/{id}/comments/{commentId}"),
    sub("PUT", "/incidents/{id}/comments/{commentId}"),
    sub("DELETE", "/incidents/{id}/comments/{commentId}"),
    ...extensions.flatMap((e) => e.routes.map((r) => sub(r.method, r.path))),
  ];
  const workspaceDeep =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)(\/|$)/i;

  const ids = (ctx: RequestContext) => ({ requestId: ctx.requestId, correlationId: ctx.clientRequestId });
  const error = (
    ctx: RequestContext,
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) => armError(status, code, message, ids(ctx), headers);

  async function readJson(ctx: RequestContext): Promise<unknown> {
    const text = await ctx.text();
    if (text.trim() === "")
      throw badRequest(
        "The request content was invalid and could not be deserialized: the body is empty.",
        "InvalidRequestContent",
      );
    try {
      return JSON.parse(text);
    } catch {
      throw badRequest(
        "The request content was invalid and could not be deserialized.",
        "InvalidRequestContent",
      );
    }
  }

  function incidentNotFound(name: string): ArmFailure {
    return new ArmFailure(404, "NotFound", `Incident with id '${name}' was not found.`);
  }

  async function run(
    ctx: RequestContext,
    match: RouteMatch,
    ws: SentinelWorkspace,
  ): Promise<{ status: number; body?: unknown }> {
    const name = match.params.id ?? "";
    const stored = ws.incidents.get(name);
    const needIncident = () => {
      if (!stored) throw incidentNotFound(name);
      return stored;
    };
    const rest = match.key.slice(match.key.indexOf(" ") + 1);
    const extension = extensionFor.get(`${ctx.method} ${rest}`);
    if (extension) {
      const result = await extension.run(ctx, match, ws);
      if (result.error) throw new ArmFailure(result.status, result.error.code, result.error.message);
      return result;
    }
    checkNames(match);
    switch (`${ctx.method} ${rest}`) {
      case "GET /incidents": {
        const { value, nextLink } = page(
          ctx.url,
          [...ws.incidents.values()],
          incidentCollection,
          (a, b) =>
            b.resource.properties.createdTimeUtc.localeCompare(a.resource.properties.createdTimeUtc) ||
            b.resource.properties.incidentNumber - a.resource.properties.incidentNumber,
        );
        return {
          status: 200,
          body: { value: value.map((s) => s.resource), ...(nextLink ? { nextLink } : {}) },
        };
      }
      case "GET /incidents/{id}":
        return { status: 200, body: needIncident().resource };
      case "PUT /incidents/{id}": {
        const { properties, etag } = validateIncidentBody(await readJson(ctx));
        if (stored && etag !== undefined && etag !== stored.resource.etag) {
          throw new ArmFailure(
            409,
            "Conflict",
            `Newer version of resource '${name}' exists. Data was not saved`,
          );
        }
        const { created, stored: after } = ws.put(name, properties);
        return { status: created ? 201 : 200, body: after.resource };
      }
      case "DELETE /incidents/{id}":
        if (!stored) return { status: 204 };
        ws.incidents.delete(name);
        return { status: 200 };
      case "POST /incidents/{id}/alerts":
        return { status: 200, body: { value: needIncident().alerts } };
      case "POST /incidents/{id}/bookmarks":
        needIncident();
        return { status: 200, body: { value: [] } };
      case "POST /incidents/{id}/entities": {
        const s = needIncident();
        const counts = new Map<string, number>();
        for (const e of s.entities) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
        return {
          status: 200,
          body: {
            entities: s.entities,
            metaData: [...counts].map(([entityKind, count]) => ({ entityKind, count })),
          },
        };
      }
      case "GET /incidents/{id}/comments": {
        const s = needIncident();
        const { value, nextLink } = page(ctx.url, sortedComments(s), commentCollection, (a, b) =>
          a.properties.createdTimeUtc.localeCompare(b.properties.createdTimeUtc),
        );
        return { status: 200, body: { value, ...(nextLink ? { nextLink } : {}) } };
      }
      case "GET /incidents/{id}/comments/{commentId}": {
        const comment = needIncident().comments.get(match.params.commentId ?? "");
        if (!comment)
          throw new ArmFailure(404, "NotFound", `Comment with id '${match.params.commentId}' was not found.`);
        return { status: 200, body: comment };
      }
      case "PUT /incidents/{id}/comments/{commentId}": {
        const s = needIncident();
        const body = await readJson(ctx);
        const message = isObject(body) && isObject(body.properties) ? body.properties.message : undefined;
        if (typeof message !== "string" || message.trim() === "")
          throw badRequest("The 'message' field is required.");
        if (message.length > SENTINEL_SERVICE_LIMITS.maxCommentLength) {
          throw badRequest(
            `The comment message is ${message.length} characters long; the maximum is ${SENTINEL_SERVICE_LIMITS.maxCommentLength}.`,
          );
        }
        const commentId = match.params.commentId ?? "";
        const existing = s.comments.get(commentId);
        if (!existing && s.comments.size >= SENTINEL_SERVICE_LIMITS.maxComments) {
          throw badRequest(
            `The incident already has the maximum of ${SENTINEL_SERVICE_LIMITS.maxComments} comments.`,
          );
        }
        const etag = isObject(body) && typeof body.etag === "string" ? body.etag : undefined;
        if (existing && etag !== undefined && etag !== existing.etag) {
          throw new ArmFailure(
            409,
            "Conflict",
            `Newer version of resource '${commentId}' exists. Data was not saved`,
          );
        }
        const { created, comment } = ws.putComment(s, commentId, message, SentinelWorkspace.apiAuthor());
        return { status: created ? 201 : 200, body: comment };
      }
      case "DELETE /incidents/{id}/comments/{commentId}": {
        const s = needIncident();
        const commentId = match.params.commentId ?? "";
        if (!s.comments.has(commentId)) return { status: 204 };
        s.comments.delete(commentId);
        ws.touch(s);
        return { status: 200 };
      }
      default:
        throw new ArmFailure(405, "MethodNotAllowed", `The requested method '${ctx.method}' is not allowed.`);
    }
  }

  return {
    name: "sentinel",
    origins: [ARM_ORIGIN],
    ownsPath: (pathname) => /^\/subscriptions(\/|$)/i.test(pathname),
    match(method, url) {
      return matchCompiled(routes, method, url.pathname);
    },
    error,
    async handle(ctx, match) {
      const bearer = readBearer(ctx.request.headers);
      if (!bearer) {
        return error(
          ctx,
          401,
          "AuthenticationFailed",
          "Authentication failed. The 'Authorization' header is missing.",
          {
            "WWW-Authenticate": armWwwAuthenticate(true),
          },
        );
      }
      const apiVersion = queryOption(ctx.url, "api-version");
      if (!apiVersion) {
        return error(
          ctx,
          400,
          "MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests.",
        );
      }
      const deep = workspaceDeep.exec(ctx.url.pathname);
      const subscriptionId = deep?.[1] ?? ctx.url.pathname.split("/")[2] ?? "";
      const kind =
        ctx.method === "GET" || ctx.method === "HEAD" ? "read" : ctx.method === "DELETE" ? "delete" : "write";
      const headerName = `x-ms-ratelimit-remaining-subscription-${kind === "read" ? "reads" : kind === "delete" ? "deletes" : "writes"}`;
      const verdict = ctx.services.throttler.take(
        `arm|${subscriptionId.toLowerCase()}|${bearer.token}|${kind}`,
        ARM_LIMITS[kind],
      );
      if (!verdict.ok) {
        ctx.markThrottled();
        const opType = kind === "read" ? "Read" : kind === "delete" ? "Delete" : "Write";
        return error(
          ctx,
          429,
          "TooManyRequests",
          `The request is being throttled as the limit has been reached for operation type - '${opType}'. For more information, see - https://aka.ms/armthrottling`,
          { ...retryAfterHeaders(verdict.retryAfterMs, ctx.services.timeScale), [headerName]: "0" },
        );
      }
      const rate = { [headerName]: String(verdict.remaining) };
      const fail = (status: number, code: string, message: string) => error(ctx, status, code, message, rate);
      if (
        !(SENTINEL_API_VERSIONS as readonly string[]).includes(apiVersion) &&
        !/^\d{4}-\d{2}-\d{2}-preview$/.test(apiVersion)
      ) {
        return fail(
          400,
          "NoRegisteredProviderFound",
          `No registered resource provider found for location 'global' and API version '${apiVersion}' for type 'incidents'. The supported api-versions are '${SENTINEL_API_VERSIONS.join(", ")}'.`,
        );
      }
      if (deep) {
        const found = registry.lookup(deep[1]!, deep[2]!, deep[3]!);
        if ("missing" in found) {
          if (found.missing === "subscription")
            return fail(404, "SubscriptionNotFound", `The subscription '${deep[1]}' could not be found.`);
          if (found.missing === "resourceGroup")
            return fail(404, "ResourceGroupNotFound", `Resource group '${deep[2]}' could not be found.`);
          return fail(
            404,
            "ResourceNotFound",
            `The Resource 'Microsoft.OperationalInsights/workspaces/${deep[3]}' under resource group '${deep[2]}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
          );
        }
        if (!match) {
          const typeName =
            /\/providers\/Microsoft\.SecurityInsights\/([^/]+)/i.exec(ctx.url.pathname)?.[1] ?? "unknown";
          return fail(
            404,
            "InvalidResourceType",
            `The resource type '${typeName}' could not be found in the namespace 'Microsoft.SecurityInsights' for api version '${apiVersion}'.`,
          );
        }
        if (!match.methodAllowed)
          return fail(405, "MethodNotAllowed", `The requested method '${ctx.method}' is not allowed.`);
        try {
          const result = await run(ctx, match, found.workspace);
          const headers = { ...armHeaders(ctx.requestId, ctx.clientRequestId), ...rate };
          return result.body === undefined
            ? new Response(null, { status: result.status, headers })
            : jsonResponse(result.status, result.body, headers);
        } catch (e) {
          if (e instanceof ArmFailure) return fail(e.status, e.code, e.message);
          throw e;
        }
      }
      return fail(404, "NotFound", `The requested resource '${ctx.url.pathname}' was not found.`);
    },
  };
}
