import type { AbortSignalLike } from "@azure/abort-controller";
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type HttpMethods,
  type Pipeline,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import type { OperationTracingOptions } from "@azure/core-tracing";
import type { z } from "zod";
import { RequestAbortedError, ResponseValidationError, type ServiceName, UntrustedHostError } from "./errors";
import { errorFromResponse, errorFromSendFailure, requestIdOf } from "./httpErrors";
import { isIdempotentMethod, markIdempotent } from "./idempotency";
import type { PagingGuardOptions } from "./paging";
import { pagingOptionsOf } from "./pipeline";
import { redactRequest } from "./redaction";
import { zodIssues } from "./validationIssues";

export interface SendOptions<T> {
  method: HttpMethods;
  /** Absolute URL (already checked against the endpoint). */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Schema for a 2xx body; omitted means the body is ignored. */
  schema?: z.ZodType<T>;
  /** Non-2xx statuses that are not errors for this call (e.g. 404 for a get that returns undefined). */
  acceptStatuses?: number[];
  abortSignal?: AbortSignalLike;
  /** The operation's span context: core's request span (one per attempt) becomes its child. */
  tracingOptions?: OperationTracingOptions;
  /**
   * Safe to resend after it may have reached the service: a reset or timeout after sending, a 5xx other
   * than 503, a 2xx body cut off. Default: every method but POST and PATCH (a POST that appends, such as a
   * Graph comment, must not be sent twice; a PATCH may already have been applied).
   */
  idempotent?: boolean;
}

/** Resends of a request whose 2xx body was not valid JSON (truncated in transit). */
const MAX_TRUNCATED_BODY_RETRIES = 3;

export interface SendResult<T> {
  status: number;
  body: T | undefined;
  requestId: string | undefined;
  headers: PipelineResponse["headers"];
}

/** Sends JSON requests through a pipeline and turns every outcome into a parsed body or a typed error. */
export class ServiceHttp {
  private readonly httpClient: HttpClient;
  /** What list methods pass to createPagedIterator: the client's pagingOptions and this service. */
  readonly paging: PagingGuardOptions;

  constructor(
    readonly service: ServiceName,
    readonly endpoint: URL,
    private readonly pipeline: Pipeline,
    httpClient?: HttpClient,
  ) {
    this.httpClient = httpClient ?? createDefaultHttpClient();
    this.paging = { ...pagingOptionsOf(pipeline), service };
  }

  /** `endpoint + path` with query parameters; path segments must already be encoded. */
  url(path: string, query?: Record<string, string | number | boolean | undefined>): string {
    const u = new URL(this.endpoint.toString());
    u.pathname = `${u.pathname.replace(/\/+$/, "")}${path}`;
    // URLSearchParams would encode "$" and spaces as "+"; OData servers expect %20.
    const parts: string[] = [];
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      parts.push(`${encodeURIComponent(k).replace(/%24/g, "$")}=${encodeURIComponent(String(v))}`);
    }
    return parts.length ? `${u.toString()}?${parts.join("&")}` : u.toString();
  }

  /** Throws UntrustedHostError unless `url` has the endpoint's origin. */
  assertTrusted(url: string): void {
    let origin: string | undefined;
    try {
      origin = new URL(url).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== this.endpoint.origin) throw new UntrustedHostError(url, this.endpoint.origin);
  }

  async send<T>(options: SendOptions<T>): Promise<SendResult<T>> {
    const idempotent = options.idempotent ?? isIdempotentMethod(options.method);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sendOnce(options, idempotent);
      } catch (e) {
        const truncated =
          (e as ResponseValidationError).name === "ResponseValidationError" &&
          (e as ResponseValidationError).issues[0]?.path === "" &&
          (e as Error).cause instanceof SyntaxError;
        if (!truncated || !idempotent || attempt >= MAX_TRUNCATED_BODY_RETRIES) throw e;
      }
    }
  }

  private async sendOnce<T>(options: SendOptions<T>, idempotent: boolean): Promise<SendResult<T>> {
    this.assertTrusted(options.url);
    if (options.abortSignal?.aborted) throw new RequestAbortedError("The operation was aborted");
    const headers = createHttpHeaders({ accept: "application/json", ...options.headers });
    let body: string | undefined;
    if (options.body !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(options.body);
    }
    const request = createPipelineRequest({
      url: options.url,
      method: options.method,
      headers,
      body,
      abortSignal: options.abortSignal,
      tracingOptions: options.tracingOptions,
      allowInsecureConnection: this.endpoint.protocol === "http:",
    });
    markIdempotent(request, idempotent);
    const redacted = () => redactRequest(options.method, options.url, request.headers);

    let response: PipelineResponse;
    try {
      response = await this.pipeline.sendRequest(this.httpClient, request);
    } catch (e) {
      throw errorFromSendFailure(this.service, e, redacted(), idempotent);
    }

    const requestId = requestIdOf(response.headers);
    const ok = response.status >= 200 && response.status < 300;
    const text = response.bodyAsText ?? "";

    if (!ok && !options.acceptStatuses?.includes(response.status)) {
      throw errorFromResponse(this.service, response, text, redacted(), requestId);
    }
    if (!ok || !options.schema || response.status === 204) {
      return { status: response.status, body: undefined, requestId, headers: response.headers };
    }

    const init = { service: this.service, statusCode: response.status, requestId, request: redacted() };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ResponseValidationError(`${this.service} returned a body that is not valid JSON`, {
        ...init,
        issues: [{ path: "", message: "body is not valid JSON (truncated or malformed)" }],
        cause: e,
      });
    }
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      const issues = zodIssues(parsed.error);
      throw new ResponseValidationError(
        `${this.service} response failed schema validation at ${issues
          .slice(0, 3)
          .map((i) => i.path || "(root)")
          .join(", ")}`,
        { ...init, issues },
      );
    }
    return { status: response.status, body: parsed.data, requestId, headers: response.headers };
  }
}
