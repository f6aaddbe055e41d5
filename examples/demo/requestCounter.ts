/**
 * Counts operations and attempts of a client through its `additionalPolicies`: a per-call policy runs once
 * per operation, a per-retry policy on every attempt, so their difference is the retries the client made.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

export interface RequestCounter {
  readonly policies: { policy: PipelinePolicy; position: "perCall" | "perRetry" }[];
  /** Operations started (each may take several attempts). */
  readonly operations: number;
  /** Attempts sent, first tries and retries. */
  readonly attempts: number;
  /** Attempts beyond each operation's first. */
  readonly retries: number;
}

export function createRequestCounter(name: string): RequestCounter {
  let operations = 0;
  let attempts = 0;
  const perCall: PipelinePolicy = {
    name: `${name}-operations`,
    sendRequest: (request, next) => {
      operations++;
      return next(request);
    },
  };
  const perRetry: PipelinePolicy = {
    name: `${name}-attempts`,
    sendRequest: (request, next) => {
      attempts++;
      return next(request);
    },
  };
  return {
    policies: [
      { policy: perCall, position: "perCall" },
      { policy: perRetry, position: "perRetry" },
    ],
    get operations() {
      return operations;
    },
    get attempts() {
      return attempts;
    },
    get retries() {
      return Math.max(0, attempts - operations);
    },
  };
}
