/**
 * Response helpers: JSON bodies and the two services' error shapes.
 * Graph: `{ error: { code, message, innerError: { date, "request-id", "client-request-id" } } }`.
 * ARM (CloudError): `{ error: { code, message } }`.
 */
import { graphErrorDate } from "./time";

/** A `Response` with a JSON body (none when `body` is undefined), the given status and headers. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: body === undefined ? headers : { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

/** Common Graph response headers. */
export function graphHeaders(requestId: string, clientRequestId: string): Record<string, string> {
  return { "request-id": requestId, "client-request-id": clientRequestId };
}

export function graphJson(
  status: number,
  body: unknown,
  ids: { requestId: string; clientRequestId: string },
  extra: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type":
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
      ...graphHeaders(ids.requestId, ids.clientRequestId),
      ...extra,
    },
  });
}

/**
 * A Graph error `Response`: `{ error: { code, message, innerError: { date, request-id, client-request-id } } }` with
 * Graph's request ID headers.
 */
export function graphError(
  status: number,
  code: string,
  message: string,
  ids: { requestId: string; clientRequestId: string; now: Date },
  extra: Record<string, string> = {},
): Response {
  return jsonResponse(
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: graphErrorDate(ids.now),
          "request-id": ids.requestId,
          "client-request-id": ids.clientRequestId,
        },
      },
    },
    { ...graphHeaders(ids.requestId, ids.clientRequestId), ...extra },
  );
}

/** ARM's request ID headers: `x-ms-request-id` and `x-ms-correlation-request-id`. */
export function armHeaders(requestId: string, correlationId: string): Record<string, string> {
  return { "x-ms-request-id": requestId, "x-ms-correlation-request-id": correlationId };
}

/** An ARM error `Response` (CloudError): `{ error: { code, message } }` with ARM's request ID headers. */
export function armError(
  status: number,
  code: string,
  message: string,
  ids: { requestId: string; correlationId: string },
  extra: Record<string, string> = {},
): Response {
  return jsonResponse(
    status,
    { error: { code, message } },
    { ...armHeaders(ids.requestId, ids.correlationId), ...extra },
  );
}

/** Default error code for a status (used by injected faults). */
export function defaultErrorCode(status: number): string {
  switch (status) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 409:
      return "Conflict";
    case 412:
      return "PreconditionFailed";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalServerError";
    case 502:
      return "BadGateway";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "GatewayTimeout";
    default:
      return status >= 500 ? "InternalServerError" : "BadRequest";
  }
}
