import {
  createTracingClient,
  type OperationTracingOptions,
  type TracingClient,
  type TracingSpan,
  type TracingSpanOptions,
} from "@azure/core-tracing";
import { SDK_VERSION } from "./version";

/**
 * Spans go through `@azure/core-tracing`, as in every Azure SDK package: they reach OpenTelemetry once the
 * application registers `@azure/opentelemetry-instrumentation-azure-sdk`, and cost nothing otherwise. The
 * request spans core-rest-pipeline makes (`HTTP GET`, one per attempt) become children of ours.
 */
const tracingClient: TracingClient = createTracingClient({
  namespace: "Microsoft.SecurityInsights",
  packageName: "defender-sentinel-sync",
  packageVersion: SDK_VERSION,
});

/** Attribute names this package sets on its spans and metrics. */
export const SYNC_ATTRIBUTES = {
  defenderIncidentId: "defender_sentinel_sync.defender.incident_id",
  sentinelIncidentName: "defender_sentinel_sync.sentinel.incident_name",
  /** What the pair's sync did: created, linked, updated, unchanged, missing, or failed. */
  pairOutcome: "defender_sentinel_sync.pair.outcome",
  cycleNumber: "defender_sentinel_sync.cycle.number",
  dryRun: "defender_sentinel_sync.cycle.dry_run",
  cycleOutcome: "defender_sentinel_sync.cycle.outcome",
  laneId: "defender_sentinel_sync.lane.id",
  /** Whether a failure was of one pair or of a whole cycle. */
  failureScope: "defender_sentinel_sync.failure.scope",
  /** Whether a pair's failure is retried on the next cycle (true) or quarantined (false). */
  failureTransient: "defender_sentinel_sync.failure.transient",
  /** The service a write went to or a 429 came from: defender, sentinel, logsIngestion. */
  side: "defender_sentinel_sync.side",
  /** The class name of the error that ended an operation (OpenTelemetry's `error.type`). */
  errorType: "error.type",
} as const;

/** Attributes a span starts with; `undefined` values are left out. */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/** The options every traced operation accepts (the Azure SDK `OperationOptions` shape). */
export interface TracedOptions {
  tracingOptions?: OperationTracingOptions;
}

/** The span given to a traced callback: attributes can be added, the span ends by itself. */
export type ActiveSpan = Omit<TracingSpan, "end">;

/**
 * Runs `fn` inside a span named `name` (`Class.method`), child of the span in `options.tracingOptions` or else
 * of the active one. `fn` receives the options with the new span's context, to pass on to the requests it
 * sends; the span ends when `fn` settles and is marked failed, with the error recorded, if it rejects.
 */
export function withSpan<O extends TracedOptions, R>(
  name: string,
  options: O,
  fn: (updatedOptions: O & { tracingOptions: OperationTracingOptions }, span: ActiveSpan) => Promise<R>,
  attributes?: SpanAttributes,
): Promise<R> {
  const spanOptions: TracingSpanOptions = { spanKind: "internal", spanAttributes: definedOnly(attributes) };
  return tracingClient.withSpan(
    name,
    options,
    async (updated, span) => {
      try {
        return await fn(updated as O & { tracingOptions: OperationTracingOptions }, span);
      } catch (e) {
        span.setAttribute(SYNC_ATTRIBUTES.errorType, errorTypeOf(e));
        throw e;
      }
    },
    spanOptions,
  ) as Promise<R>;
}

/** The class name of a thrown value, for `error.type` (never its message: messages may carry ids or text). */
export function errorTypeOf(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}

function definedOnly(attributes: SpanAttributes | undefined): Record<string, unknown> | undefined {
  if (!attributes) return undefined;
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined));
}
