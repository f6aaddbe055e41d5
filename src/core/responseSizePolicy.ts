import {
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
  RestError,
} from "@azure/core-rest-pipeline";
import { InvalidArgumentError, RequestAbortedError, ResponseTooLargeError, type ServiceName } from "./errors";
import { redactRequest } from "./redaction";

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** `Infinity` means "every status" to core's Node client. */
const STREAM_EVERY_STATUS = new Set([Number.POSITIVE_INFINITY]);

/**
 * Refuses a response larger than `maxBytes` before it is buffered whole. Core's Node client reads every
 * body into one string; here it is asked to hand over the stream instead, which is read with a byte count
 * (after a first check of content-length) and turned back into `bodyAsText` for the policies above.
 * Installed right above the transport, so the request timeout also covers this read.
 */
export function responseSizePolicy(service: ServiceName, maxBytes: number): PipelinePolicy {
  if (!(Number.isInteger(maxBytes) && maxBytes > 0)) {
    throw new InvalidArgumentError("maxResponseBytes", "must be a positive integer");
  }
  return {
    name: "responseSizePolicy",
    async sendRequest(request, next) {
      const streaming = request.streamResponseStatusCodes === undefined;
      if (streaming) request.streamResponseStatusCodes = STREAM_EVERY_STATUS;
      let response: PipelineResponse;
      try {
        response = await next(request);
      } finally {
        if (streaming) request.streamResponseStatusCodes = undefined;
      }
      const tooLarge = (declaredBytes: number | undefined, receivedBytes: number) =>
        new ResponseTooLargeError(
          `${service} ${request.method} answered ${response.status} with a body over the ${maxBytes}-byte ` +
            `limit (maxResponseBytes)${declaredBytes === undefined ? "" : `: content-length ${declaredBytes}`}`,
          {
            service,
            statusCode: response.status,
            requestId: response.headers.get("x-ms-request-id") ?? response.headers.get("request-id"),
            request: redactRequest(request.method, request.url, request.headers),
            maxResponseBytes: maxBytes,
            declaredBytes,
            receivedBytes,
          },
        );
      const declared = Number(response.headers.get("content-length") ?? Number.NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        (response.readableStreamBody as { destroy?: () => void } | undefined)?.destroy?.();
        throw tooLarge(declared, 0);
      }
      const stream = streaming ? response.readableStreamBody : undefined;
      if (stream) {
        response.readableStreamBody = undefined;
        const read = await readCapped(stream, maxBytes, request);
        if (read.text === undefined) throw tooLarge(undefined, read.bytes);
        response.bodyAsText = read.text;
      } else if (response.bodyAsText !== undefined && response.bodyAsText !== null) {
        // A custom HttpClient that buffered anyway: still refuse what is over the cap.
        const bytes = Buffer.byteLength(response.bodyAsText);
        if (bytes > maxBytes) throw tooLarge(undefined, bytes);
      }
      return response;
    },
  };
}

/** Reads the body as UTF-8, or stops (destroying the stream) once it passes `maxBytes`. */
function readCapped(
  stream: NodeJS.ReadableStream,
  maxBytes: number,
  request: PipelineRequest,
): Promise<{ text?: string; bytes: number }> {
  const readable = stream as NodeJS.ReadableStream & { destroy(error?: Error): void };
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const signal = request.abortSignal;
    const finish = (settle: () => void) => {
      signal?.removeEventListener("abort", onAbort);
      readable.removeAllListeners("data");
      settle();
    };
    const onAbort = () => {
      readable.destroy();
      finish(() => reject(new RequestAbortedError("The operation was aborted")));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort);
    readable.on("data", (chunk: Buffer | string) => {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      bytes += buf.length;
      if (bytes > maxBytes) {
        readable.destroy();
        finish(() => resolve({ bytes }));
        return;
      }
      chunks.push(buf);
    });
    readable.on("end", () => finish(() => resolve({ text: Buffer.concat(chunks).toString("utf8"), bytes })));
    readable.on("error", (e: Error & { code?: string }) => {
      // A reset mid-body keeps its system code (ECONNRESET), so the retry policy can judge it.
      finish(() =>
        reject(new RestError(`Error reading the response: ${e.message}`, { code: e.code, request })),
      );
    });
  });
}
