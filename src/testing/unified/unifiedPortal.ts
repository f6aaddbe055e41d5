/**
 * The unified Defender portal side of a Sentinel workspace: analytics rules (ARM alertRules), the tables
 * they read (rows from Logs Ingestion), the rule runner on the emulator clock, and the incidents its alerts
 * make in the workspace tenant's Defender XDR, read through that tenant's Graph. `createEmulator` wires it
 * in; `emu.unified` is its control API.
 */
import type { ArmRouteExtension } from "../armRoutes";
import type {
  DefenderControl,
  DefenderEditOptions,
  DefenderIncidentEdit,
  DefenderTenant,
} from "../defenderState";
import { EmulatorError } from "../defenderState";
import type { LogsIngestionHooks } from "../logsIngestionRoutes";
import { createRng, mixSeed, type Rng } from "../prng";
import { jsonResponse } from "../responses";
import type { SentinelWorkspace, WorkspaceCoordinates } from "../sentinelState";
import { workspaceKey } from "../sentinelState";
import type { EmulatorClock } from "../time";
import type { GraphComment, GraphIncident } from "../types";
import type { CustomDetailsLocation, RuleAlert } from "./alertBuilder";
import { createAlertRuleRoutes } from "./alertRuleRoutes";
import { AlertRuleRegistry } from "./alertRuleStore";
import type { MergeDirection } from "./correlation";
import { IncidentGrouper } from "./incidentGrouping";
import { IngestionTables, tableOfStream } from "./ingestionTables";
import {
  type AgoReference,
  type RuleAlertRecord,
  RuleRunner,
  type RuleRunRecord,
  type RunnerSettings,
} from "./ruleRunner";

/** Options of the unified-portal emulation (`createEmulator({ unified })`). */
export interface UnifiedPortalOptions {
  /**
   * What `ago()` in a rule query counts from: the run's execution time (Kusto's `now()`, 5 minutes after the
   * scheduled time for Scheduled rules, 2 for NRT) or its scheduled time. Not documented; default
   * "executionTime". A query that works under both is safe either way.
   */
  agoReference?: AgoReference;
  /**
   * Defender's cross-rule correlation: a new incident is merged with another open incident of the tenant that
   * shares an entity (never for alerts of `#DONT_CORR#` rules). Default false.
   */
  correlation?: boolean;
  /** The tenant setting that excludes analytics rules from correlation unless their description starts with `#INC_CORR#`. Default false. */
  excludeAnalyticsRulesByDefault?: boolean;
  /** Which incident survives a correlation merge. Default "seeded" (reproducible from the emulator seed). */
  mergeDirection?: MergeDirection;
  /** Which Graph alert dictionary carries the rule's custom details (not documented). Default "both". */
  customDetailsIn?: CustomDetailsLocation;
  /** Time from receipt to `ingestion_time()` of Logs Ingestion rows. Default 0. */
  ingestionLatencyMs?: number;
  /** Rule runs kept for `runs()` (older ones are forgotten). Default 10,000. */
  maxRecordedRuns?: number;
}

/** A row of a workspace table. */
export interface IngestedRowInfo {
  row: Record<string, unknown>;
  /** `ingestion_time()`, 7-digit UTC. */
  ingestionTime: string;
  ruleId: string;
  streamName: string;
}

/** An alert an analytics rule raised. */
export interface RaisedAlertInfo {
  alert: RuleAlert;
  ruleId: string;
  workspaceName: string;
  runId: number;
  tenantId: string;
  /** The incident holding the alert now; undefined for rules with `createIncident: false` (not in Graph). */
  incidentId: string | undefined;
  summary: boolean;
  resultCount: number;
  excludedFromCorrelation: boolean;
}

/**
 * Options of closing an incident in the emulated unified portal: who closed it, and the classification, determination
 * and resolving comment.
 */
export interface CloseIncidentOptions extends DefenderEditOptions {
  classification?: string;
  determination?: string;
  resolvingComment?: string;
}

/** Control API of the unified portal (`emu.unified`). Returned objects are copies. */
export interface UnifiedPortalControl {
  /** Runs every rule run due by now (requests to the emulator do this first on their own). */
  runDue(): RuleRunRecord[];
  /** Runs made so far, oldest first; `ruleId` narrows. */
  runs(ruleId?: string): RuleRunRecord[];
  /** When a rule runs next (undefined when absent or disabled). Default workspace unless given. */
  nextRunAt(ruleId: string, workspace?: WorkspaceCoordinates): Date | undefined;
  /** The alertRules resources of a workspace, as GET returns them. */
  rules(workspace?: WorkspaceCoordinates): Record<string, unknown>[];
  /** Rows of a workspace table (oldest ingestion first); a retried upload shows up twice. */
  rows(table: string, workspace?: WorkspaceCoordinates): IngestedRowInfo[];
  /** Tables that received rows. */
  tables(workspace?: WorkspaceCoordinates): string[];
  /** Every alert the rules raised, including those without an incident. */
  alerts(ruleId?: string): RaisedAlertInfo[];
  /** Control API (analyst actions) of any tenant, e.g. the MSSP's. */
  tenant(tenantId: string): DefenderControl;
  /** An analyst edits an incident in `tenantId`'s Defender portal. */
  editIncident(
    tenantId: string,
    id: string,
    patch: DefenderIncidentEdit,
    options?: DefenderEditOptions,
  ): GraphIncident;
  /** An analyst resolves an incident (default classification/determination: falsePositive / other). */
  closeIncident(tenantId: string, id: string, options?: CloseIncidentOptions): GraphIncident;
  /** An analyst comments on an incident. Returns every comment. */
  addComment(tenantId: string, id: string, text: string, author?: string): GraphComment[];
  /** A manual merge: `sourceId` becomes redirected into `targetId` (closed incidents are refused). */
  mergeIncidents(
    tenantId: string,
    sourceId: string,
    targetId: string,
  ): { source: GraphIncident; target: GraphIncident };
  /** Turns correlation merges on or off. */
  setCorrelation(enabled: boolean): void;
  /**
   * The next `times` accepted uploads are stored but answered with `status` (default 503), as when the answer
   * is lost after the service kept the rows; a client that retries then sends the rows twice.
   */
  loseIngestionResponses(times: number, status?: number): void;
}

export interface UnifiedPortalDeps {
  seed: number;
  clock: EmulatorClock;
  now(): Date;
  tenant(tenantId: string): DefenderTenant | undefined;
  /** The workspace at `key` and the tenant whose portal shows it. */
  workspace(key: string): { workspace: SentinelWorkspace; tenantId: string } | undefined;
  defaultWorkspaceKey: string;
}

export interface UnifiedPortal {
  armExtension: ArmRouteExtension;
  ingestionHooks: LogsIngestionHooks;
  /** Runs what is due (called before every request). */
  catchUp(): void;
  reset(): void;
  control: UnifiedPortalControl;
}

const WORKSPACE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)$/i;

/** Everything the portal keeps; `reset()` empties it. */
interface PortalState {
  settings: RunnerSettings;
  rules: AlertRuleRegistry;
  tables: IngestionTables;
  grouper: IncidentGrouper;
  runner: RuleRunner;
  /** Accepted uploads still to be answered with an error. */
  lost: { left: number; status: number };
}

function workspaceOfDcr(deps: UnifiedPortalDeps, resourceId: string | undefined): string {
  const m = resourceId ? WORKSPACE_ID.exec(resourceId) : undefined;
  return m
    ? workspaceKey({ subscriptionId: m[1]!, resourceGroupName: m[2]!, workspaceName: m[3]! })
    : deps.defaultWorkspaceKey;
}

/** Rows the Logs Ingestion endpoint accepted land in their workspace's table, stamped with ingestion time. */
function ingestionHooksFor(
  deps: UnifiedPortalDeps,
  state: PortalState,
  latencyMs: number,
): LogsIngestionHooks {
  return {
    onAccepted(batch) {
      const key = workspaceOfDcr(deps, batch.definition?.workspaceResourceId);
      const entry = deps.workspace(key);
      if (entry) {
        const receivedMs = batch.receivedAt.getTime();
        state.tables.ingest({
          workspaceKey: key,
          workspaceId: entry.workspace.workspaceId,
          table: tableOfStream(batch.definition?.outputStream ?? batch.streamName),
          ruleId: batch.ruleId,
          streamName: batch.streamName,
          rows: batch.rows,
          receivedMs,
          ingestionMs: receivedMs + latencyMs,
          stampAt: (ms) => deps.clock.stampAt(new Date(ms)),
        });
      }
      if (state.lost.left <= 0) return undefined;
      state.lost.left--;
      return jsonResponse(state.lost.status, {
        error: { code: "ServiceUnavailable", message: "The service is temporarily unavailable." },
      });
    },
  };
}

const sameRule = (ruleId: string | undefined, name: string) =>
  ruleId === undefined || name.toLowerCase() === ruleId.toLowerCase();

type ObserveControl = Pick<
  UnifiedPortalControl,
  "runDue" | "runs" | "nextRunAt" | "rules" | "rows" | "tables" | "alerts"
>;

/** The read side of the control API: rules, tables, runs and alerts (copies). */
function observeControl(deps: UnifiedPortalDeps, state: PortalState): ObserveControl {
  const keyOf = (w?: WorkspaceCoordinates) => (w ? workspaceKey(w) : deps.defaultWorkspaceKey);
  return {
    runDue: () => structuredClone(state.runner.catchUp(deps.now().getTime())),
    runs: (ruleId) => structuredClone(state.runner.recordedRuns().filter((r) => sameRule(ruleId, r.ruleId))),
    nextRunAt(ruleId, workspace) {
      const rule = state.rules.get(keyOf(workspace), ruleId);
      const due = rule ? state.runner.nextDueMs(rule) : undefined;
      return due === undefined ? undefined : new Date(due);
    },
    rules: (workspace) => state.rules.rules(keyOf(workspace)).map((r) => structuredClone(r.resource)),
    rows: (table, workspace) =>
      state.tables.rows(keyOf(workspace), table).map((r) => ({
        row: structuredClone(r.row),
        ingestionTime: r.ingestionTime,
        ruleId: r.ruleId,
        streamName: r.streamName,
      })),
    tables: (workspace) => state.tables.tables(keyOf(workspace)),
    alerts: (ruleId) =>
      state.runner
        .raisedAlerts()
        .filter((r) => sameRule(ruleId, r.ruleId))
        .map((r: RuleAlertRecord) => ({
          ...structuredClone(r),
          incidentId: r.alert.incidentId || undefined,
        })),
  };
}

type AnalystControl = Pick<
  UnifiedPortalControl,
  "tenant" | "editIncident" | "closeIncident" | "addComment" | "mergeIncidents"
>;

/** Analysts (and manual merges) in any tenant's Defender portal. */
function analystControl(deps: UnifiedPortalDeps): AnalystControl {
  const tenant = (id: string) => {
    const t = deps.tenant(id);
    if (!t) throw new EmulatorError(`tenant ${id} does not exist`);
    return t;
  };
  return {
    tenant,
    editIncident: (tenantId, id, patch, o) => tenant(tenantId).editIncident(id, patch, o),
    closeIncident(tenantId, id, o = {}) {
      const { classification = "falsePositive", determination = "other", resolvingComment, ...edit } = o;
      const patch: DefenderIncidentEdit = { status: "resolved", classification, determination };
      if (resolvingComment !== undefined) patch.resolvingComment = resolvingComment;
      return tenant(tenantId).editIncident(id, patch, edit);
    },
    addComment: (tenantId, id, text, author) => tenant(tenantId).addComment(id, text, author),
    mergeIncidents: (tenantId, sourceId, targetId) => tenant(tenantId).mergeIncidents(sourceId, targetId),
  };
}

export function createUnifiedPortal(
  deps: UnifiedPortalDeps,
  options: UnifiedPortalOptions = {},
): UnifiedPortal {
  const latency = options.ingestionLatencyMs ?? 0;
  if (!(latency >= 0)) throw new RangeError("ingestionLatencyMs must be >= 0");
  let rng: Rng = createRng(mixSeed(deps.seed, 96));
  const settings: RunnerSettings = {
    agoReference: options.agoReference ?? "executionTime",
    customDetailsIn: options.customDetailsIn ?? "both",
    excludeByDefault: options.excludeAnalyticsRulesByDefault ?? false,
    correlation: options.correlation ?? false,
    mergeDirection: options.mergeDirection ?? "seeded",
    maxRecordedRuns: options.maxRecordedRuns ?? 10_000,
  };
  const rules = new AlertRuleRegistry();
  const tables = new IngestionTables();
  const grouper = new IncidentGrouper();
  const runner = new RuleRunner({
    rules,
    tables,
    grouper,
    clock: deps.clock,
    settings,
    rng: () => rng,
    tenantFor: (key) => {
      const entry = deps.workspace(key);
      return entry ? deps.tenant(entry.tenantId) : undefined;
    },
    workspaceName: (key) => deps.workspace(key)?.workspace.workspaceName ?? key,
  });
  const state: PortalState = { settings, rules, tables, grouper, runner, lost: { left: 0, status: 503 } };
  const control: UnifiedPortalControl = {
    ...observeControl(deps, state),
    ...analystControl(deps),
    setCorrelation(enabled) {
      settings.correlation = enabled;
    },
    loseIngestionResponses(times, status = 503) {
      if (!(Number.isInteger(times) && times >= 0))
        throw new RangeError("times must be a non-negative integer");
      state.lost = { left: times, status };
    },
  };
  return {
    armExtension: createAlertRuleRoutes(rules),
    ingestionHooks: ingestionHooksFor(deps, state, latency),
    catchUp: () => runner.catchUp(deps.now().getTime()),
    reset() {
      rng = createRng(mixSeed(deps.seed, 96));
      rules.clear();
      tables.clear();
      grouper.clear();
      runner.clear();
      state.lost = { left: 0, status: 503 };
      settings.correlation = options.correlation ?? false;
    },
    control,
  };
}
