import type { PipelineRequest } from "@azure/core-rest-pipeline";

/**
 * Whether a request may be sent again after it might have reached the service (a connection reset or a
 * timeout after sending, a 5xx other than 503). POST appends (Graph comments) and PATCH may already have
 * been applied, so by default neither is; a read-only POST (Sentinel's list alerts/entities) says so.
 */
export function isIdempotentMethod(method: string): boolean {
  const m = method.toUpperCase();
  return m !== "POST" && m !== "PATCH";
}

// Pipeline requests carry no free-form context, so the per-call override travels in a side table.
const overrides = new WeakMap<PipelineRequest, boolean>();

/** Records the caller's own idempotency verdict for this request (ServiceHttp's `idempotent` option). */
export function markIdempotent(request: PipelineRequest, idempotent: boolean): void {
  overrides.set(request, idempotent);
}

export function isIdempotentRequest(request: PipelineRequest): boolean {
  return overrides.get(request) ?? isIdempotentMethod(request.method);
}
