import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SYNC_ATTRIBUTES } from "../../src/core/tracing";
import { DefenderClient } from "../../src/defender/defenderClient";
import { fakeCredential } from "../helpers/credential";
import { readJson } from "../helpers/fixtures";
import { GRAPH_BASE, server, useMswServer } from "../helpers/msw";
import { installTestTracing, namesOf, type SpanNode, type TestTracing } from "../helpers/otel";

useMswServer();
let tracing: TestTracing;
beforeAll(() => {
  tracing = installTestTracing();
});
afterEach(() => tracing.reset());
afterAll(() => tracing.shutdown());

const INCIDENT = `${GRAPH_BASE}/security/incidents/2972395`;
const updated = readJson<Record<string, unknown>>("graph/examples/security-incident-update.1.response.json");

function defenderClient(): DefenderClient {
  return new DefenderClient(fakeCredential(), {
    rateLimit: false,
    retryOptions: { retryDelayInMs: 1, maxRetries: 2 },
  });
}

function only(tree: SpanNode[]): SpanNode {
  expect(tree).toHaveLength(1);
  return tree[0]!;
}

describe("client spans over msw", () => {
  it("a write is one span of ours with core's HTTP span as its child", async () => {
    server.use(http.patch(INCIDENT, () => HttpResponse.json(updated)));
    await defenderClient().updateIncident("2972395", { status: "resolved" });

    expect(namesOf(tracing.spanTree())).toEqual([["DefenderClient.updateIncident", [["HTTP PATCH", []]]]]);
    const ours = only(tracing.spanTree());
    expect(ours.kind).toBe(SpanKind.INTERNAL);
    expect(ours.attributes).toMatchObject({
      "az.namespace": "Microsoft.SecurityInsights",
      [SYNC_ATTRIBUTES.defenderIncidentId]: "2972395",
    });
    const request = ours.children[0]!;
    expect(request.kind).toBe(SpanKind.CLIENT);
    expect(request.attributes).toMatchObject({ "http.method": "PATCH", "http.status_code": 200 });
  });

  it("sends the W3C traceparent of the request span", async () => {
    let traceparent: string | null = null;
    server.use(
      http.patch(INCIDENT, ({ request }) => {
        traceparent = request.headers.get("traceparent");
        return HttpResponse.json(updated);
      }),
    );
    await defenderClient().updateIncident("2972395", { status: "resolved" });
    const request = tracing.spans().find((s) => s.name === "HTTP PATCH")!;
    const { traceId, spanId } = request.spanContext();
    expect(traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it("each attempt of a retried request is its own child span", async () => {
    let calls = 0;
    server.use(
      http.patch(INCIDENT, () =>
        ++calls === 1
          ? HttpResponse.json(
              { error: { code: "TooManyRequests" } },
              { status: 429, headers: { "Retry-After": "0" } },
            )
          : HttpResponse.json(updated),
      ),
    );
    await defenderClient().updateIncident("2972395", { status: "resolved" });
    const ours = only(tracing.spanTree());
    expect(ours.children.map((c) => [c.name, c.attributes["http.status_code"]])).toEqual([
      ["HTTP PATCH", 429],
      ["HTTP PATCH", 200],
    ]);
  });

  it("a failed call marks our span failed with the error's class", async () => {
    server.use(
      http.patch(INCIDENT, () => HttpResponse.json({ error: { code: "NotFound" } }, { status: 404 })),
    );
    await expect(defenderClient().updateIncident("2972395", { status: "resolved" })).rejects.toMatchObject({
      name: "NotFoundError",
    });
    const ours = only(tracing.spanTree());
    expect(ours.status).toBe(SpanStatusCode.ERROR);
    expect(ours.attributes[SYNC_ATTRIBUTES.errorType]).toBe("NotFoundError");
    expect(ours.children.map((c) => c.status)).toEqual([SpanStatusCode.ERROR]);
  });

  it("a span passed in tracingOptions is the parent, even when another span is active", async () => {
    server.use(http.patch(INCIDENT, () => HttpResponse.json(updated)));
    const tracer = trace.getTracer("test");
    const caller = tracer.startSpan("caller");
    await tracer.startActiveSpan("unrelated", async (unrelated) => {
      await defenderClient().updateIncident(
        "2972395",
        { status: "resolved" },
        { tracingOptions: { tracingContext: trace.setSpan(context.active(), caller) } },
      );
      unrelated.end();
    });
    caller.end();
    const roots = tracing.spanTree();
    const callerNode = roots.find((n) => n.name === "caller")!;
    expect(namesOf([callerNode])).toEqual([
      ["caller", [["DefenderClient.updateIncident", [["HTTP PATCH", []]]]]],
    ]);
    expect(namesOf(roots.filter((n) => n.name === "unrelated"))).toEqual([["unrelated", []]]);
  });
});
