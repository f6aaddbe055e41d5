/**
 * Azure Monitor Logs Ingestion API (data collection endpoint) as the emulator serves it:
 * `POST {endpoint}/dataCollectionRules/{ruleId}/streams/{streamName}?api-version=2023-01-01` with a JSON array
 * body, optionally gzip-compressed (`Content-Encoding: gzip`), answered with 204. Bodies above 1 MB, compressed
 * or not, get 413 `ContentLengthLimitExceeded`; more than 12,000 requests a minute per rule get 429 with
 * Retry-After (Azure Monitor service limits). Received rows are kept per (rule, stream) and can be read back
 * through `emu.logs`.
 *
 * The loopback server serves it at the emulator's `url` (pass that as the sink's endpoint); msw intercepts
 * `https://*.ingest.monitor.azure.com`. Error codes other than 413's are modelled, not observed (UNVERIFIED).
 */
import { gunzipSync } from "node:zlib";
import { readBearer } from "./auth";
import { jsonResponse } from "./responses";
import { compileRoute, matchCompiled, queryOption, type RequestContext, type RouteModule } from "./routing";
import { retryAfterHeaders } from "./throttling";

/** Name of the emulated Logs Ingestion route module, `logsIngestion` (its key in stats and fault settings). */
export const LOGS_INGESTION_SERVICE = "logsIngestion";
/** The Logs Ingestion API versions the emulated endpoint accepts. */
export const LOGS_INGESTION_API_VERSIONS = ["2023-01-01", "2021-11-01-preview"] as const;
/** "Maximum size of API call: 1 MB, both compressed and uncompressed data" (1,048,576 bytes). */
export const LOGS_INGESTION_MAX_BODY_BYTES = 1_048_576;
/** "Maximum requests/minute per DCR: 12,000". */
export const LOGS_INGESTION_REQUESTS_PER_MINUTE = 12_000;
/** Hosts of data collection endpoints (public cloud) that the msw handlers intercept. */
export const LOGS_INGESTION_ORIGINS = ["https://*.ingest.monitor.azure.com"] as const;

const ROUTE_KEY = "POST /dataCollectionRules/{ruleId}/streams/{stream}";
const routes = [compileRoute("POST", "/dataCollectionRules/{ruleId}/streams/{stream}", ROUTE_KEY, true)];

/** A stream a data collection rule declares. */
export interface LogsIngestionStreamDefinition {
  /** The DCR's immutable id (`dcr-…`). */
  ruleId: string;
  /** `Custom-…` */
  streamName: string;
  /** When given, columns not declared are dropped from stored rows, as the service's DCR does. */
  columns?: readonly { name: string; type: string }[];
  /** The DCR data flow's output stream (`Custom-MyTable_CL` → table `MyTable_CL`). Default: `streamName`. */
  outputStream?: string;
  /** The destination workspace (`/subscriptions/…/workspaces/{name}`). Default: the emulator's default workspace. */
  workspaceResourceId?: string;
}

/** Rows the endpoint accepted, handed on (e.g. to the workspace tables analytics rules read). */
export interface LogsIngestionBatch {
  ruleId: string;
  streamName: string;
  /** The declared stream, when streams are declared. */
  definition: LogsIngestionStreamDefinition | undefined;
  rows: Record<string, unknown>[];
  receivedAt: Date;
}

/**
 * Hooks into the emulated Logs Ingestion endpoint: `onAccepted` sees each stored batch and may replace the 204
 * answer.
 */
export interface LogsIngestionHooks {
  /** Called once the rows are stored; a returned Response replaces the 204 (the rows stay stored). */
  onAccepted?(batch: LogsIngestionBatch): Response | undefined;
}

/**
 * Options of the emulated Logs Ingestion endpoint: the streams it accepts, the largest body (bytes) and requests per
 * minute per data collection rule.
 */
export interface LogsIngestionEmulatorOptions {
  /** Streams the endpoint accepts. Default: any rule id and any stream name. */
  streams?: readonly LogsIngestionStreamDefinition[];
  /** Largest body, compressed and decompressed. Default 1,048,576. */
  maxBodyBytes?: number;
  /** Requests per minute per rule before 429. Default 12,000 (sped up by the emulator's `timeScale`). */
  requestsPerMinute?: number;
}

/** One accepted or refused request. */
export interface LogsIngestionRequestInfo {
  ruleId: string;
  streamName: string;
  status: number;
  /** Rows stored by this request (0 when refused). */
  rows: number;
  /** Body bytes as received (gzip when compressed). */
  wireBytes: number;
  /** Body bytes after decompression (the JSON array). */
  jsonBytes: number;
  gzip: boolean;
  receivedAt: string;
}

/**
 * Counters of the emulated Logs Ingestion endpoint: requests accepted and rejected, rows stored, and bytes received
 * (as sent and decompressed).
 */
export interface LogsIngestionStats {
  requests: number;
  accepted: number;
  rejected: number;
  rows: number;
  wireBytes: number;
  jsonBytes: number;
}

/** Control API of the emulated endpoint (`emu.logs`). */
export interface LogsIngestionControl {
  /** Copies of the rows received for `streamName` (every stream when omitted), oldest first; `ruleId` narrows. */
  rows(streamName?: string, ruleId?: string): Record<string, unknown>[];
  /** How many rows were received (same filters as `rows`). */
  count(streamName?: string, ruleId?: string): number;
  /** Every request that reached the route, in order. */
  requests(): LogsIngestionRequestInfo[];
  stats(): LogsIngestionStats;
  /** Declares a stream; once any is declared, undeclared rules and streams get 404. */
  defineStream(definition: LogsIngestionStreamDefinition): void;
  /** Forgets rows and requests (declared streams stay). */
  clear(): void;
}

interface StoredRow {
  ruleId: string;
  streamName: string;
  row: Record<string, unknown>;
}

class IngestionFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function errorBody(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { error: { code, message } }, headers);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The route module and its control API. Register the module with `emu.registerRoutes(module)`. */
export function createLogsIngestionRoutes(
  options: LogsIngestionEmulatorOptions = {},
  hooks: LogsIngestionHooks = {},
): {
  module: RouteModule;
  control: LogsIngestionControl;
} {
  const maxBody = options.maxBodyBytes ?? LOGS_INGESTION_MAX_BODY_BYTES;
  const perMinute = options.requestsPerMinute ?? LOGS_INGESTION_REQUESTS_PER_MINUTE;
  if (!(maxBody > 0)) throw new RangeError("maxBodyBytes must be positive");
  if (!(perMinute > 0)) throw new RangeError("requestsPerMinute must be positive");
  const declared = new Map<string, LogsIngestionStreamDefinition>();
  const streamKey = (ruleId: string, streamName: string) =>
    `${ruleId.toLowerCase()}\n${streamName.toLowerCase()}`;
  for (const s of options.streams ?? []) declared.set(streamKey(s.ruleId, s.streamName), s);
  let stored: StoredRow[] = [];
  let requests: LogsIngestionRequestInfo[] = [];

  const select = (streamName?: string, ruleId?: string) =>
    stored.filter(
      (r) =>
        (streamName === undefined || r.streamName.toLowerCase() === streamName.toLowerCase()) &&
        (ruleId === undefined || r.ruleId.toLowerCase() === ruleId.toLowerCase()),
    );

  const control: LogsIngestionControl = {
    rows: (streamName, ruleId) => select(streamName, ruleId).map((r) => structuredClone(r.row)),
    count: (streamName, ruleId) => select(streamName, ruleId).length,
    requests: () => requests.map((r) => ({ ...r })),
    stats() {
      const accepted = requests.filter((r) => r.status === 204);
      return {
        requests: requests.length,
        accepted: accepted.length,
        rejected: requests.length - accepted.length,
        rows: stored.length,
        wireBytes: accepted.reduce((n, r) => n + r.wireBytes, 0),
        jsonBytes: accepted.reduce((n, r) => n + r.jsonBytes, 0),
      };
    },
    defineStream(definition) {
      declared.set(streamKey(definition.ruleId, definition.streamName), definition);
    },
    clear() {
      stored = [];
      requests = [];
    },
  };

  async function readRows(
    ctx: RequestContext,
    info: LogsIngestionRequestInfo,
  ): Promise<Record<string, unknown>[]> {
    const wire = Buffer.from(await ctx.request.arrayBuffer());
    info.wireBytes = wire.length;
    const tooLarge = (size: number | string) =>
      new IngestionFailure(
        413,
        "ContentLengthLimitExceeded",
        `Maximum allowed content length: ${maxBody} bytes (1 MB). Provided content length: ${size} bytes.`,
      );
    if (wire.length > maxBody) throw tooLarge(wire.length);
    const encoding = (ctx.request.headers.get("content-encoding") ?? "").trim().toLowerCase();
    let json: Buffer;
    if (encoding === "gzip") {
      info.gzip = true;
      try {
        json = gunzipSync(wire, { maxOutputLength: maxBody + 1 });
      } catch (e) {
        if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(`more than ${maxBody}`);
        throw new IngestionFailure(400, "InvalidContentEncoding", "The request body is not valid gzip data.");
      }
    } else if (encoding === "" || encoding === "identity") {
      json = wire;
    } else {
      throw new IngestionFailure(
        415,
        "UnsupportedContentEncoding",
        `Content-Encoding '${encoding}' is not supported.`,
      );
    }
    info.jsonBytes = json.length;
    if (json.length > maxBody) throw tooLarge(json.length);
    let body: unknown;
    try {
      body = JSON.parse(json.toString("utf8"));
    } catch {
      throw new IngestionFailure(400, "InvalidPayload", "The request body is not valid JSON.");
    }
    if (!Array.isArray(body) || !body.every(isPlainObject)) {
      throw new IngestionFailure(400, "InvalidPayload", "The request body must be a JSON array of objects.");
    }
    return body;
  }

  const module: RouteModule = {
    name: LOGS_INGESTION_SERVICE,
    origins: LOGS_INGESTION_ORIGINS,
    ownsPath: (pathname) => /^\/dataCollectionRules(\/|$)/i.test(pathname),
    match: (method, url) => matchCompiled(routes, method, url.pathname),
    error: (_ctx, status, code, message, headers) => errorBody(status, code, message, headers),
    async handle(ctx, match) {
      if (!match) return errorBody(404, "NotFound", `No route for ${ctx.url.pathname}.`);
      if (!match.methodAllowed) {
        return errorBody(405, "MethodNotAllowed", `The method ${ctx.method} is not allowed.`, {
          Allow: "POST",
        });
      }
      const ruleId = match.params.ruleId ?? "";
      const streamName = match.params.stream ?? "";
      const info: LogsIngestionRequestInfo = {
        ruleId,
        streamName,
        status: 0,
        rows: 0,
        wireBytes: 0,
        jsonBytes: 0,
        gzip: false,
        receivedAt: ctx.now.toISOString(),
      };
      requests.push(info);
      const answer = (response: Response) => {
        info.status = response.status;
        return response;
      };
      if (!readBearer(ctx.request.headers)) {
        return answer(
          errorBody(401, "InvalidAuthenticationToken", "The request has no valid bearer token.", {
            "WWW-Authenticate":
              'Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
          }),
        );
      }
      const apiVersion = queryOption(ctx.url, "api-version");
      if (!apiVersion || !(LOGS_INGESTION_API_VERSIONS as readonly string[]).includes(apiVersion)) {
        return answer(
          errorBody(
            400,
            "InvalidApiVersion",
            `The api-version '${apiVersion ?? ""}' is not supported. Supported: ${LOGS_INGESTION_API_VERSIONS.join(", ")}.`,
          ),
        );
      }
      const definition = declared.get(streamKey(ruleId, streamName));
      if (declared.size > 0 && !definition) {
        const ruleKnown = [...declared.values()].some((d) => d.ruleId.toLowerCase() === ruleId.toLowerCase());
        return answer(
          ruleKnown
            ? errorBody(
                404,
                "InvalidStream",
                `Stream '${streamName}' is not declared by data collection rule '${ruleId}'.`,
              )
            : errorBody(404, "InvalidDataCollectionRule", `Data collection rule '${ruleId}' was not found.`),
        );
      }
      const bucket = { capacity: perMinute, refillPerSecond: perMinute / 60 };
      const throttle = ctx.services.throttler.take(`logsIngestion:${ruleId.toLowerCase()}`, bucket);
      if (!throttle.ok) {
        ctx.markThrottled();
        return answer(
          errorBody(
            429,
            "TooManyRequests",
            `Rate limit of ${perMinute} requests per minute for data collection rule '${ruleId}' exceeded.`,
            retryAfterHeaders(throttle.retryAfterMs, ctx.services.timeScale),
          ),
        );
      }
      let rows: Record<string, unknown>[];
      try {
        rows = await readRows(ctx, info);
      } catch (e) {
        if (e instanceof IngestionFailure) return answer(errorBody(e.status, e.code, e.message));
        throw e;
      }
      const columns = definition?.columns ? new Set(definition.columns.map((c) => c.name)) : undefined;
      const kept = rows.map((row) =>
        columns ? Object.fromEntries(Object.entries(row).filter(([k]) => columns.has(k))) : row,
      );
      for (const row of kept) stored.push({ ruleId, streamName, row });
      info.rows = rows.length;
      const override = hooks.onAccepted?.({
        ruleId,
        streamName,
        definition,
        rows: kept,
        receivedAt: ctx.now,
      });
      if (override) return answer(override);
      return answer(new Response(null, { status: 204, headers: { "x-ms-request-id": ctx.requestId } }));
    },
  };
  return { module, control };
}
