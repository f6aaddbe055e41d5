/**
 * Runs the analytics rules on the emulator clock. A Scheduled rule is scheduled every `queryFrequency` from
 * when it is created (or changed), S = created + k × frequency, and runs 5 minutes later (Sentinel "runs
 * scheduled analytics rules on a five-minute delay from their scheduled time",
 * learn.microsoft.com/azure/sentinel/scheduled-rules-overview) over `TimeGenerated` in [S − queryPeriod, S),
 * seeing every row ingested by the run. An NRT rule is scheduled every minute and runs 2 minutes later over
 * the rows ingested since its previous schedule (near-real-time-rules). `ago()` in the query counts from the
 * run's execution time (Kusto's `now()`) unless `agoReference: "scheduledTime"`: which one the service uses
 * is not documented. Runs happen lazily: every request, and `runDue()`, first makes the runs that are due.
 */
import type { DefenderTenant } from "../defenderState";
import type { Rng } from "../prng";
import type { EmulatorClock } from "../time";
import { type BuiltAlert, buildRunAlerts, type CustomDetailsLocation, type RuleAlert } from "./alertBuilder";
import type { AlertRuleRegistry } from "./alertRuleStore";
import type { RuleSpec, StoredAlertRule } from "./alertRuleTypes";
import { correlate, type MergeDirection } from "./correlation";
import { MINUTE_MS } from "./durations";
import type { IncidentGrouper } from "./incidentGrouping";
import type { IngestedRow, IngestionTables } from "./ingestionTables";
import { applySteps, planQuery, type QueryPlan } from "./kqlLite";

/**
 * How long after its scheduled time an emulated Scheduled rule runs, 5 minutes in ms (Sentinel's ingestion delay for
 * scheduled queries).
 */
export const SCHEDULED_DELAY_MS = 5 * MINUTE_MS;
/** How long after its scheduled time an emulated NRT rule runs, 2 minutes in ms. */
export const NRT_DELAY_MS = 2 * MINUTE_MS;
/** How often an emulated NRT rule runs, every minute (60,000 ms). */
export const NRT_FREQUENCY_MS = MINUTE_MS;

/** One run of one rule, as `emu.unified.runs()` reports it. */
export interface RuleRunRecord {
  runId: number;
  workspaceName: string;
  ruleId: string;
  ruleDisplayName: string;
  kind: "Scheduled" | "NRT";
  /** When the run executed (ISO): its scheduled time plus the delay (5 minutes Scheduled, 2 NRT). */
  runAt: string;
  /** The scheduled time the run stands for (ISO). */
  scheduledAt: string;
  /** The rows the run could see: `TimeGenerated` (Scheduled) or ingestion time (NRT) in [start, end). */
  window: { start: string; end: string; on: "TimeGenerated" | "ingestionTime" };
  table: string | undefined;
  /** Rows of the table inside the window, before the query's own operators. */
  rowsInWindow: number;
  /** Query results (after `where`/`take`/… as interpreted). */
  results: number;
  triggered: boolean;
  /** Results were there, but the rule's suppression window was still open. */
  suppressed: boolean;
  alertIds: string[];
  /** Results folded into the run's summary alert (beyond the per-run cap). */
  summarizedResults: number;
  /** Incidents the alerts went to (none with `createIncident: false`). */
  incidentIds: string[];
  createdIncidentIds: string[];
  merges: { sourceId: string; targetId: string }[];
  /** Parts of the query the emulator did not interpret. */
  notes: string[];
}

/** One alert a rule raised (also those that made no incident and so are not in Graph). */
export interface RuleAlertRecord {
  alert: RuleAlert;
  ruleId: string;
  workspaceName: string;
  runId: number;
  tenantId: string;
  incidentId: string | undefined;
  summary: boolean;
  /** Result rows the alert stands for. */
  resultCount: number;
  excludedFromCorrelation: boolean;
}

/** What `ago()` in a rule query counts from. */
export type AgoReference = "executionTime" | "scheduledTime";

export interface RunnerSettings {
  agoReference: AgoReference;
  customDetailsIn: CustomDetailsLocation;
  excludeByDefault: boolean;
  correlation: boolean;
  mergeDirection: MergeDirection;
  maxRecordedRuns: number;
}

export interface RunnerDeps {
  rules: AlertRuleRegistry;
  tables: IngestionTables;
  grouper: IncidentGrouper;
  clock: EmulatorClock;
  /** The tenant whose Defender portal shows the workspace's incidents. */
  tenantFor(workspaceKey: string): DefenderTenant | undefined;
  workspaceName(workspaceKey: string): string;
  settings: RunnerSettings;
  rng(): Rng;
}

interface Window {
  startMs: number;
  endMs: number;
  on: "TimeGenerated" | "ingestionTime";
  /** The scheduled time the run stands for (its execution is the delay later). */
  scheduledMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function triggered(spec: RuleSpec, count: number): boolean {
  const t = spec.triggerThreshold;
  switch (spec.triggerOperator) {
    case "GreaterThan":
      return count > t;
    case "LessThan":
      return count < t;
    case "Equal":
      return count === t;
    case "NotEqual":
      return count !== t;
  }
}

export class RuleRunner {
  private runs: RuleRunRecord[] = [];
  private alerts: RuleAlertRecord[] = [];
  private readonly excluded = new Set<string>();
  private readonly plans = new Map<string, QueryPlan>();
  private nextRunId = 1;

  constructor(private readonly deps: RunnerDeps) {}

  clear(): void {
    this.runs = [];
    this.alerts = [];
    this.excluded.clear();
    this.plans.clear();
    this.nextRunId = 1;
  }

  recordedRuns(): readonly RuleRunRecord[] {
    return this.runs;
  }

  raisedAlerts(): readonly RuleAlertRecord[] {
    return this.alerts;
  }

  /** When the rule's next run executes (ms, its scheduled time plus the delay); undefined when it does not run. */
  nextDueMs(rule: StoredAlertRule): number | undefined {
    const spec = rule.spec;
    if (!spec?.enabled) return undefined;
    if (spec.kind === "NRT")
      return rule.scheduledFromMs + (rule.runsDone + 1) * NRT_FREQUENCY_MS + NRT_DELAY_MS;
    return rule.scheduledFromMs + rule.runsDone * spec.frequencyMs + SCHEDULED_DELAY_MS;
  }

  /** Runs everything due by `nowMs`, oldest first; returns the runs made. */
  catchUp(nowMs: number): RuleRunRecord[] {
    const made: RuleRunRecord[] = [];
    for (;;) {
      let next: { workspaceKey: string; rule: StoredAlertRule; due: number } | undefined;
      for (const { workspaceKey, rule } of this.deps.rules.all()) {
        const due = this.nextDueMs(rule);
        if (due !== undefined && due <= nowMs && (!next || due < next.due))
          next = { workspaceKey, rule, due };
      }
      if (!next) return made;
      made.push(this.execute(next.workspaceKey, next.rule, next.due));
      next.rule.runsDone++;
    }
  }

  private planOf(rule: StoredAlertRule): QueryPlan {
    let plan = this.plans.get(rule.etag);
    if (!plan) {
      plan = planQuery(rule.spec!.query);
      this.plans.set(rule.etag, plan);
    }
    return plan;
  }

  private windowOf(rule: StoredAlertRule, runMs: number): Window {
    const spec = rule.spec!;
    if (spec.kind === "NRT") {
      const scheduledMs = runMs - NRT_DELAY_MS;
      return {
        startMs: rule.lastWindowEndMs ?? rule.scheduledFromMs,
        endMs: scheduledMs,
        on: "ingestionTime",
        scheduledMs,
      };
    }
    const scheduledMs = runMs - SCHEDULED_DELAY_MS;
    return { startMs: scheduledMs - spec.periodMs!, endMs: scheduledMs, on: "TimeGenerated", scheduledMs };
  }

  private rowsIn(workspaceKey: string, plan: QueryPlan, w: Window, runMs: number): IngestedRow[] {
    if (plan.table === undefined) return [];
    const now = this.deps.settings.agoReference === "scheduledTime" ? w.scheduledMs : runMs;
    return this.deps.tables.rows(workspaceKey, plan.table).filter((r) => {
      if (r.ingestionMs > runMs) return false;
      const t = w.on === "TimeGenerated" ? r.timeGeneratedMs : r.ingestionMs;
      if (t < w.startMs || t >= w.endMs) return false;
      return plan.timeFilters.every((f) => {
        const v = f.on === "ingestionTime" ? r.ingestionMs : r.timeGeneratedMs;
        const from = f.afterAgoMs === undefined ? undefined : now - f.afterAgoMs;
        const to = f.beforeAgoMs === undefined ? undefined : now - f.beforeAgoMs;
        return (
          (from === undefined || v > from || (f.afterInclusive === true && v === from)) &&
          (to === undefined || v < to || (f.beforeInclusive === true && v === to))
        );
      });
    });
  }

  private execute(workspaceKey: string, rule: StoredAlertRule, runMs: number): RuleRunRecord {
    const spec = rule.spec!;
    const plan = this.planOf(rule);
    const w = this.windowOf(rule, runMs);
    rule.lastWindowEndMs = w.endMs;
    const inWindow = this.rowsIn(workspaceKey, plan, w, runMs);
    const results = applySteps(
      plan,
      inWindow.map((r) => structuredClone(r.row)),
    );
    const fired = results.length > 0 && triggered(spec, results.length);
    const suppressed =
      fired &&
      spec.suppressionEnabled &&
      rule.lastAlertMs !== undefined &&
      runMs < rule.lastAlertMs + spec.suppressionMs;
    const record: RuleRunRecord = {
      runId: this.nextRunId++,
      workspaceName: this.deps.workspaceName(workspaceKey),
      ruleId: rule.name,
      ruleDisplayName: spec.displayName,
      kind: spec.kind,
      runAt: iso(runMs),
      scheduledAt: iso(w.scheduledMs),
      window: { start: iso(w.startMs), end: iso(w.endMs), on: w.on },
      table: plan.table,
      rowsInWindow: inWindow.length,
      results: results.length,
      triggered: fired,
      suppressed,
      alertIds: [],
      summarizedResults: 0,
      incidentIds: [],
      createdIncidentIds: [],
      merges: [],
      notes: [...plan.notes],
    };
    if (fired && !suppressed) this.raise(workspaceKey, rule, runMs, results, record);
    this.runs.push(record);
    if (this.runs.length > this.deps.settings.maxRecordedRuns)
      this.runs.splice(0, this.runs.length - this.deps.settings.maxRecordedRuns);
    return record;
  }

  private raise(
    workspaceKey: string,
    rule: StoredAlertRule,
    runMs: number,
    results: Record<string, unknown>[],
    record: RuleRunRecord,
  ): void {
    const tenant = this.deps.tenantFor(workspaceKey);
    if (!tenant) {
      record.notes.push("the workspace has no Defender tenant: no alerts");
      return;
    }
    const spec = rule.spec!;
    const { settings, clock } = this.deps;
    const built = buildRunAlerts(
      {
        rule,
        spec,
        tenantId: tenant.tenantId,
        createdDateTime: clock.stampAt(new Date(runMs)),
        customDetailsIn: settings.customDetailsIn,
        excludeByDefault: settings.excludeByDefault,
        newGuid: () => this.deps.rng().guid(),
      },
      results,
    );
    rule.lastAlertMs = runMs;
    for (const b of built) this.place(workspaceKey, rule, runMs, b, tenant, record);
  }

  private place(
    workspaceKey: string,
    rule: StoredAlertRule,
    runMs: number,
    b: BuiltAlert,
    tenant: DefenderTenant,
    record: RuleRunRecord,
  ): void {
    const spec = rule.spec!;
    if (b.excludedFromCorrelation) this.excluded.add(b.alert.id);
    record.alertIds.push(b.alert.id);
    if (b.summary) record.summarizedResults += b.rowCount;
    let incidentId: string | undefined;
    if (spec.createIncident) {
      const placed = this.deps.grouper.place({
        tenant,
        ruleKey: `${workspaceKey}|${rule.name.toLowerCase()}`,
        grouping: spec.grouping,
        built: b,
        runMs,
        stamp: () => this.deps.clock.stampAt(new Date(runMs)),
      });
      incidentId = placed.incident.id;
      if (placed.created) record.createdIncidentIds.push(incidentId);
      if (placed.created && this.deps.settings.correlation && !b.excludedFromCorrelation) {
        const merge = correlate({
          tenant,
          incident: placed.incident,
          excluded: this.excluded,
          direction: this.deps.settings.mergeDirection,
          rng: this.deps.rng(),
        });
        if (merge) {
          record.merges.push(merge);
          if (merge.sourceId === incidentId) incidentId = merge.targetId;
        }
      }
      if (!record.incidentIds.includes(incidentId)) record.incidentIds.push(incidentId);
    }
    this.alerts.push({
      alert: b.alert,
      ruleId: rule.name,
      workspaceName: this.deps.workspaceName(workspaceKey),
      runId: record.runId,
      tenantId: tenant.tenantId,
      incidentId,
      summary: b.summary,
      resultCount: b.rowCount,
      excludedFromCorrelation: b.excludedFromCorrelation,
    });
  }
}
