import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, expect } from "vitest";

/** The real service roots the clients default to; msw answers for them, nothing reaches the network. */
export const GRAPH_BASE = "https://graph.microsoft.com/v1.0";
export const ARM_BASE = "https://management.azure.com";

/** One server per test file (vitest isolates modules per file). */
export const server = setupServer();

/** A request as it reached msw (after the whole client pipeline ran). */
export interface RecordedRequest {
  method: string;
  url: URL;
  /** Header names lower-cased. */
  headers: Record<string, string>;
}

export interface MswRecorder {
  /** Every request msw saw in the current test, in order (handled or not). */
  readonly requests: RecordedRequest[];
  /** The recorded requests whose host is `host`. */
  to(host: string): RecordedRequest[];
}

/**
 * Starts the msw server for the calling test file with `onUnhandledRequest: "error"`, records every request
 * and fails the test in `afterEach` if any request had no handler (so a stray call cannot go unnoticed).
 * Handlers added with `server.use` are reset after each test.
 */
export function useMswServer(): MswRecorder {
  const requests: RecordedRequest[] = [];
  const unhandled: string[] = [];

  beforeAll(() => {
    server.listen({ onUnhandledRequest: "error" });
    server.events.on("request:start", ({ request }) => {
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      requests.push({ method: request.method, url: new URL(request.url), headers });
    });
    server.events.on("request:unhandled", ({ request }) => {
      unhandled.push(`${request.method} ${request.url}`);
    });
  });
  afterEach(() => {
    server.resetHandlers();
    requests.length = 0;
    const stray = unhandled.splice(0);
    expect(stray, "requests without an msw handler").toEqual([]);
  });
  afterAll(() => {
    server.events.removeAllListeners();
    server.close();
  });

  return {
    requests,
    to: (host) => requests.filter((r) => r.url.host === host),
  };
}
