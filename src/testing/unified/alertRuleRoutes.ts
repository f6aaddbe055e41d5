/**
 * ARM `Microsoft.SecurityInsights/alertRules` under a workspace: list (paged with `$skipToken`), get (404 when
 * absent), PUT (201 created / 200 updated, etag in the body, a stale etag → 409) and DELETE (200, or 204 when
 * absent), as Azure/azure-rest-api-specs AlertRules.json (2025-09-01) describes them.
 */
import type { ArmRouteExtension, ArmRouteResult } from "../armRoutes";
import { queryOption, type RequestContext } from "../routing";
import type { SentinelWorkspace } from "../sentinelState";
import type { AlertRuleRegistry } from "./alertRuleStore";
import {
  AlertRuleRequestError,
  RULE_PROPERTIES,
  ruleKindFor,
  validateOtherRule,
  validateRunnableRule,
} from "./alertRuleValidation";

/** Rules per list page (the service's page size is not documented). */
export const ALERT_RULES_PAGE_SIZE = 50;

type Bag = Record<string, unknown>;
const isBag = (v: unknown): v is Bag => typeof v === "object" && v !== null && !Array.isArray(v);

function skipOffset(token: string | undefined): number {
  if (token === undefined) return 0;
  const n = Number(Buffer.from(token, "base64url").toString("utf8"));
  if (!Number.isInteger(n) || n < 0)
    throw new AlertRuleRequestError(400, "InvalidSkipToken", `The skip token '${token}' is invalid.`);
  return n;
}

function nextLinkFor(url: URL, offset: number): string {
  const next = new URL(url);
  for (const k of [...next.searchParams.keys()])
    if (k.toLowerCase() === "$skiptoken") next.searchParams.delete(k);
  next.searchParams.set("$skipToken", Buffer.from(String(offset), "utf8").toString("base64url"));
  return next.toString().replace(/%24skipToken/, "$skipToken");
}

async function readBody(ctx: RequestContext): Promise<Bag> {
  const text = await ctx.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AlertRuleRequestError(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized.",
    );
  }
  if (!isBag(body))
    throw new AlertRuleRequestError(
      400,
      "InvalidRequestContent",
      "The request content must be a JSON object.",
    );
  return body;
}

async function putRule(
  registry: AlertRuleRegistry,
  ctx: RequestContext,
  ws: SentinelWorkspace,
  name: string,
): Promise<ArmRouteResult> {
  const body = await readBody(ctx);
  const kind = ruleKindFor(body, queryOption(ctx.url, "api-version") ?? "");
  if (!isBag(body.properties))
    throw new AlertRuleRequestError(
      400,
      "BadRequest",
      "Validation error: the 'properties' field is required.",
    );
  const p = body.properties;
  const spec = kind === "Scheduled" || kind === "NRT" ? validateRunnableRule(kind, p) : undefined;
  if (!spec) validateOtherRule(kind, p);
  const known = RULE_PROPERTIES[kind] ?? [];
  const properties = Object.fromEntries(
    Object.entries(p).filter(([k, v]) => known.includes(k) && v !== undefined),
  );
  const etag = typeof body.etag === "string" ? body.etag : (ctx.request.headers.get("if-match") ?? undefined);
  const { created, rule } = registry.put({
    workspaceKey: ws.key,
    resourcePrefix: ws.resourcePrefix,
    name,
    kind,
    properties,
    spec,
    etag,
    nowMs: ctx.now.getTime(),
    newEtag: () => `"${ctx.services.newGuid()}"`,
  });
  return { status: created ? 201 : 200, body: rule.resource };
}

function listRules(registry: AlertRuleRegistry, ctx: RequestContext, ws: SentinelWorkspace): ArmRouteResult {
  const all = registry.rules(ws.key);
  const offset = skipOffset(queryOption(ctx.url, "$skipToken"));
  const value = all.slice(offset, offset + ALERT_RULES_PAGE_SIZE).map((r) => r.resource);
  const more = offset + ALERT_RULES_PAGE_SIZE < all.length;
  return {
    status: 200,
    body: { value, ...(more ? { nextLink: nextLinkFor(ctx.url, offset + ALERT_RULES_PAGE_SIZE) } : {}) },
  };
}

async function dispatch(
  registry: AlertRuleRegistry,
  ctx: RequestContext,
  key: string,
  ws: SentinelWorkspace,
  name: string,
): Promise<ArmRouteResult> {
  switch (key) {
    case "GET /alertRules":
      return listRules(registry, ctx, ws);
    case "GET /alertRules/{ruleId}": {
      const rule = registry.get(ws.key, name);
      if (!rule)
        return { status: 404, error: { code: "NotFound", message: `Alert rule '${name}' was not found.` } };
      return { status: 200, body: rule.resource };
    }
    case "PUT /alertRules/{ruleId}":
      return putRule(registry, ctx, ws, name);
    case "DELETE /alertRules/{ruleId}":
      return { status: registry.delete(ws.key, name) ? 200 : 204 };
    default:
      return {
        status: 405,
        error: { code: "MethodNotAllowed", message: `The requested method '${ctx.method}' is not allowed.` },
      };
  }
}

/** The alertRules routes, to hand to `createArmRoutes` as an extension. */
export function createAlertRuleRoutes(registry: AlertRuleRegistry): ArmRouteExtension {
  return {
    routes: [
      { method: "GET", path: "/alertRules" },
      { method: "GET", path: "/alertRules/{ruleId}" },
      { method: "PUT", path: "/alertRules/{ruleId}" },
      { method: "DELETE", path: "/alertRules/{ruleId}" },
    ],
    async run(ctx, match, ws) {
      try {
        return await dispatch(registry, ctx, match.key, ws, match.params.ruleId ?? "");
      } catch (e) {
        if (e instanceof AlertRuleRequestError)
          return { status: e.status, error: { code: e.code, message: e.message } };
        throw e;
      }
    },
  };
}
