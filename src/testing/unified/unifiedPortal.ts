/**
 * The unified Defender portal side of a Sentinel workspace: analytics rules (ARM alertRules), the tables
 * they read (rows from Logs Ingestion), the rule runner on the emulator clock, and the incidents its alerts
 * make in the workspace tenant's Defender XDR, read through that tenant's Graph. `createEmulator` wires it
 * in; `emu.unified` is its control API.
 */
import type { ArmRouteExtension } from "../armRoutes";
import type { DefenderControl, DefenderEditOptions, DefenderIncidentEdit, DefenderTenant } from "../defenderState";
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
import { type RuleAlertRecord, type RuleRunRecord, RuleRunner, type RunnerSettings } from "./ruleRunner";

/** Options of the unified-portal emulation (`createEmulator({ unified })`). */
export interface UnifiedPortalOptions {
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
  editIncident(tenantId: string, id: string, patch: DefenderIncidentEdit, options?: DefenderEditOptions): GraphIncident;
  /** An analyst resolves an incident (default classification/determination: falsePositive / other). */
  closeIncident(tenantId: string, id: string, options?: CloseIncidentOptions): GraphIncident;
  /** An analyst comments on an incident. Returns every comment. */
  addComment(tenantId: string, id: string, text: string, author?: string): GraphComment[];
  /** A manual merge: `sourceId` becomes redirected into `targetId` (closed incidents are refused). */
  mergeIncidents(tenantId: string, sourceId: string, targetId: string): { source: GraphIncident; target: GraphIncident };
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

export function createUnifiedPortal(deps: UnifiedPortalDeps, options: UnifiedPortalOptions = {}): UnifiedPortal {
  const settings: RunnerSettings = {
    customDetailsIn: options.customDetailsIn ?? "both",
    excludeByDefault: options.excludeAnalyticsRulesByDefault ?? false,
    correlation: options.correlation ?? false,
    mergeDirection: options.mergeDirection ?? "seeded",
    maxRecordedRuns: options.maxRecordedRuns ?? 10_000,
  };
  const latency = options.ingestionLatencyMs ?? 0;
  if (!(latency >= 0)) throw new RangeError("ingestionLatencyMs must be >= 0");
  let rng: Rng = createRng(mixSeed(deps.seed, 96));
  const rules = new AlertRuleRegistry();
  const tables = new IngestionTables();
  const grouper = new IncidentGrouper();
  let lost: { left: number; status: number } = { left: 0, status: 503 };
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

  const keyOf = (w?: WorkspaceCoordinates) => (w ? workspaceKey(w) : deps.defaultWorkspaceKey);
  const tenantOrThrow = (id: string) => {
    const t = deps.tenant(id);
    if (!t) throw new EmulatorError(`tenant ${id} does not exist`);
    return t;
  };
  const catchUp = () => runner.catchUp(deps.now().getTime());

  const ingestionHooks: LogsIngestionHooks = {
    onAccepted(batch) {
      const target = batch.definition?.workspaceResourceId;
      const m = target ? WORKSPACE_ID.exec(target) : undefined;
      const key = m ? workspaceKey({ subscriptionId: m[1]!, resourceGroupName: m[2]!, workspaceName: m[3]! }) : deps.defaultWorkspaceKey;
      const entry = deps.workspace(key);
      if (entry) {
        const receivedMs = batch.receivedAt.getTime();
        tables.ingest({
          workspaceKey: key,
          workspaceId: entry.workspace.workspaceId,
          table: tableOfStream(batch.definition?.outputStream ?? batch.streamName),
          ruleId: batch.ruleId,
          streamName: batch.streamName,
          rows: batch.rows,
          receivedMs,
          ingestionMs: receivedMs + latency,
          stampAt: (ms) => deps.clock.stampAt(new Date(ms)),
        });
      }
      if (lost.left <= 0) return undefined;
      lost.left--;
      return jsonResponse(lost.status, { error: { code: "ServiceUnavailable", message: "The service is temporarily unavailable." } });
    },
  };

  const control: UnifiedPortalControl = {
    runDue: () => structuredClone(catchUp()),
    runs: (ruleId) =>
      structuredClone(runner.recordedRuns().filter((r) => ruleId === undefined || r.ruleId.toLowerCase() === ruleId.toLowerCase())),
    nextRunAt(ruleId, workspace) {
      const rule = rules.get(keyOf(workspace), ruleId);
      const due = rule ? runner.nextDueMs(rule) : undefined;
      return due === undefined ? undefined : new Date(due);
    },
    rules: (workspace) => rules.rules(keyOf(workspace)).map((r) => structuredClone(r.resource)),
    rows: (table, workspace) =>
      tables.rows(keyOf(workspace), table).map((r) => ({ row: structuredClone(r.row), ingestionTime: r.ingestionTime, ruleId: r.ruleId, streamName: r.streamName })),
    tables: (workspace) => tables.tables(keyOf(workspace)),
    alerts: (ruleId) =>
      runner
        .raisedAlerts()
        .filter((r) => ruleId === undefined || r.ruleId.toLowerCase() === ruleId.toLowerCase())
        .map((r: RuleAlertRecord) => ({ ...structuredClone(r), incidentId: r.alert.incidentId || undefined })),
    tenant: (id) => tenantOrThrow(id),
    editIncident: (tenantId, id, patch, o) => tenantOrThrow(tenantId).editIncident(id, patch, o),
    closeIncident(tenantId, id, o = {}) {
      const { classification = "falsePositive", determination = "other", resolvingComment, ...edit } = o;
      return tenantOrThrow(tenantId).editIncident(
        id,
        { status: "resolved", classification, determination, ...(resolvingComment !== undefined ? { resolvingComment } : {}) },
        edit,
      );
    },
    addComment: (tenantId, id, text, author) => tenantOrThrow(tenantId).addComment(id, text, author),
    mergeIncidents: (tenantId, sourceId, targetId) => tenantOrThrow(tenantId).mergeIncidents(sourceId, targetId),
    setCorrelation(enabled) {
      settings.correlation = enabled;
    },
    loseIngestionResponses(times, status = 503) {
      if (!(Number.isInteger(times) && times >= 0)) throw new RangeError("times must be a non-negative integer");
      lost = { left: times, status };
    },
  };

  return {
    armExtension: createAlertRuleRoutes(rules),
    ingestionHooks,
    catchUp,
    reset() {
      rng = createRng(mixSeed(deps.seed, 96));
      rules.clear();
      tables.clear();
      grouper.clear();
      runner.clear();
      lost = { left: 0, status: 503 };
      settings.correlation = options.correlation ?? false;
    },
    control,
  };
}
