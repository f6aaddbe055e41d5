/**
 * OpenTelemetry set up the way an application does it: a tracer provider exporting to memory, the async-hooks
 * context manager, and Microsoft's Azure SDK instrumentation (which plugs OpenTelemetry into
 * `@azure/core-tracing`). `spanTree()` returns the finished spans as a tree; `metricsSnapshot()` collects the
 * package's metrics from an in-memory reader.
 */
import { createRequire } from "node:module";
import { createAzureSdkInstrumentation } from "@azure/opentelemetry-instrumentation-azure-sdk";
import {
  type Attributes,
  context,
  metrics,
  type SpanKind,
  type SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { type DataPoint, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/** A finished span and the spans started under it, in start order. */
export interface SpanNode {
  name: string;
  kind: SpanKind;
  attributes: Attributes;
  status: SpanStatusCode;
  children: SpanNode[];
}

export interface TestTracing {
  /** The finished spans as trees (roots: spans whose parent is not among them), in start order. */
  spanTree(): SpanNode[];
  /** The finished spans, flat. */
  spans(): ReadableSpan[];
  /** Forgets the spans finished so far. */
  reset(): void;
  /** Unregisters everything this installed. */
  shutdown(): Promise<void>;
}

/**
 * Registers tracing globally (call once per test file, in `beforeAll`). The instrumentation patches
 * `@azure/core-tracing` when it is `require`d; the package is loaded as ESM in tests, so it is required once
 * here, which sets the instrumenter in the state the ESM and CommonJS builds share.
 */
export function installTestTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [createAzureSdkInstrumentation()],
  });
  createRequire(import.meta.url)("@azure/core-tracing");
  return {
    spanTree: () => toTree(exporter.getFinishedSpans()),
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}

function toTree(spans: readonly ReadableSpan[]): SpanNode[] {
  const ordered = [...spans].sort((a, b) => compareHrTime(a.startTime, b.startTime));
  const nodes = new Map<string, SpanNode>();
  for (const span of ordered) {
    nodes.set(span.spanContext().spanId, {
      name: span.name,
      kind: span.kind,
      attributes: span.attributes,
      status: span.status.code,
      children: [],
    });
  }
  const roots: SpanNode[] = [];
  for (const span of ordered) {
    const node = nodes.get(span.spanContext().spanId)!;
    const parent = span.parentSpanContext ? nodes.get(span.parentSpanContext.spanId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

function compareHrTime(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** A tree as nested names, for `toEqual`: `["SyncEngine.pair", [["HTTP PATCH", []]]]`. */
export type NameTree = [string, NameTree[]];

export function namesOf(nodes: SpanNode[]): NameTree[] {
  return nodes.map((n) => [n.name, namesOf(n.children)]);
}

/** One collected data point of a metric. */
export interface MetricPoint {
  attributes: Attributes;
  value: DataPoint<unknown>["value"];
}

export interface TestMetrics {
  /** Collects now; every metric of the package by name, with its data points. */
  collect(): Promise<Map<string, MetricPoint[]>>;
  shutdown(): Promise<void>;
}

/** A reader that collects only when asked (cumulative temporality, the default). */
class OnDemandMetricReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** Registers a global MeterProvider read on demand. */
export function installTestMetrics(): TestMetrics {
  const reader = new OnDemandMetricReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  return {
    async collect() {
      const { resourceMetrics } = await reader.collect();
      const out = new Map<string, MetricPoint[]>();
      for (const scope of resourceMetrics.scopeMetrics) {
        if (scope.scope.name !== "defender-sentinel-sync") continue;
        for (const metric of scope.metrics) {
          out.set(
            metric.descriptor.name,
            (metric.dataPoints as DataPoint<unknown>[]).map((p) => ({
              attributes: p.attributes,
              value: p.value,
            })),
          );
        }
      }
      return out;
    },
    async shutdown() {
      await provider.shutdown();
      metrics.disable();
    },
  };
}
