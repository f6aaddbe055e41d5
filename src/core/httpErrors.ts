import {
  type HttpHeaders,
  isRestError,
  type PipelinePolicy,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { CredentialFailure, describeCredentialFailure } from "./credentialGuard";
import {
  AuthenticationError,
  AuthorizationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  HttpResponseError,
  type HttpResponseErrorInit,
  isSyncSdkError,
  NotFoundError,
  type RedactedRequest,
  RequestAbortedError,
  type ServiceName,
  ServiceUnavailableError,
  ThrottledError,
} from "./errors";
import { isIdempotentRequest } from "./idempotency";
import { redactRequest } from "./redaction";
import { parseRetryAfterInMs } from "./retryAfter";
import { connectionMayHaveDelivered } from "./retryPolicy";

/** The service's request id of a response (Graph, ARM and Azure Monitor each use one of these). */
export function requestIdOf(headers: HttpHeaders): string | undefined {
  return (
    headers.get("request-id") ??
    headers.get("x-ms-request-id") ??
    headers.get("client-request-id") ??
    undefined
  );
}

/** The typed error for a non-2xx answer: the status picks the class, the body's `error` its code and message. */
export function errorFromResponse(
  service: ServiceName,
  response: PipelineResponse,
  text: string,
  request: RedactedRequest,
  requestId: string | undefined,
): HttpResponseError {
  let code: string | undefined;
  let message: string | undefined;
  let details: unknown;
  try {
    details = JSON.parse(text);
    const err = (details as { error?: { code?: unknown; message?: unknown } })?.error;
    if (typeof err?.code === "string") code = err.code;
    if (typeof err?.message === "string") message = err.message;
  } catch {
    details = undefined;
  }
  const status = response.status;
  const init: HttpResponseErrorInit = { service, statusCode: status, code, requestId, request, details };
  const summary = `${service} ${request.method} failed with ${status}${code ? ` ${code}` : ""}${
    message ? `: ${message}` : ""
  }`;
  switch (status) {
    case 400:
      return new BadRequestError(summary, init);
    case 401:
      return new AuthenticationError(summary, init);
    case 403:
      return new AuthorizationError(summary, init);
    case 404:
      return new NotFoundError(summary, init);
    case 409:
      return new ConflictError(summary, init);
    case 429:
      return new ThrottledError(summary, { ...init, retryAfterInMs: parseRetryAfterInMs(response.headers) });
    default:
      if (status >= 500) {
        return new ServiceUnavailableError(summary, {
          ...init,
          retryAfterInMs: status === 503 ? parseRetryAfterInMs(response.headers) : undefined,
        });
      }
      return new HttpResponseError(summary, init);
  }
}

/**
 * The typed error for a request that got no usable answer: the credential failed, the caller aborted, the
 * connection broke (core's `RestError` without a response), or an error status core raised itself.
 */
export function errorFromSendFailure(
  service: ServiceName,
  error: unknown,
  request: RedactedRequest,
  idempotent: boolean,
): Error {
  if (error instanceof CredentialFailure) {
    return new AuthenticationError(
      `${service}: the credential could not get a token for ${error.scopes.join(", ")} ` +
        `(${describeCredentialFailure(error.failure)})`,
      { service, statusCode: 0, request, scopes: error.scopes, cause: error.failure },
    );
  }
  if (isSyncSdkError(error)) return error;
  const name = (error as { name?: string })?.name;
  if (name === "AbortError") return new RequestAbortedError("The operation was aborted", { cause: error });
  if (isRestError(error)) {
    if (error.response) {
      return errorFromResponse(service, error.response, error.response.bodyAsText ?? "", request, undefined);
    }
    const code = error.code ?? undefined;
    // Without a response nobody knows whether the service applied a write; say why it was not resent.
    const unsent =
      idempotent || !connectionMayHaveDelivered(code)
        ? ""
        : `; the ${request.method} was not resent because the service may already have applied it`;
    return new ConnectionError(`Could not reach ${service} (${code ?? "network error"})${unsent}`, {
      cause: error,
      service,
      request,
      code,
    });
  }
  return new ConnectionError(`Could not reach ${service}`, { cause: error, service, request });
}

/**
 * For pipelines this package does not send through `ServiceHttp` (the Logs Ingestion client's): every
 * failure leaves the pipeline as this package's typed error, and a non-2xx answer becomes one too instead
 * of the `RestError` the generated client would make of it. Added outermost, so it sees the final outcome
 * after retries.
 */
export function typedErrorPolicy(service: ServiceName): PipelinePolicy {
  return {
    name: "typedErrorPolicy",
    async sendRequest(request, next) {
      const redacted = () => redactRequest(request.method, request.url, request.headers);
      let response: PipelineResponse;
      try {
        response = await next(request);
      } catch (e) {
        throw errorFromSendFailure(service, e, redacted(), isIdempotentRequest(request));
      }
      if (response.status >= 200 && response.status < 300) return response;
      throw errorFromResponse(
        service,
        response,
        response.bodyAsText ?? "",
        redacted(),
        requestIdOf(response.headers),
      );
    },
  };
}
