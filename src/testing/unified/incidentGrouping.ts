/**
 * Alert grouping of analytics rules as the unified Defender portal applies it
 * (`incidentConfiguration.groupingConfiguration`): an alert joins the newest open incident of the same rule
 * whose alerts matched on the selected entities / alert details / custom details, within the lookback
 * (counted from the incident's first grouped alert) and below the 150-alert cap; otherwise a new incident
 * is created. A closed incident is never reopened by grouping: the alert makes a new incident
 * (learn.microsoft.com/azure/sentinel/move-to-defender). An incident that was merged away forwards to the
 * incident it was merged into.
 */
import type { DefenderTenant } from "../defenderState";
import type { GraphIncident } from "../types";
import type { BuiltAlert } from "./alertBuilder";
import type { GroupingSpec } from "./alertRuleTypes";
import { entityKey } from "./entityEvidence";

/** Alerts one incident holds at most; more open a new incident with the same details. */
export const MAX_ALERTS_PER_INCIDENT = 150;

const OPEN = new Set(["active", "inProgress", "awaitingAction"]);
const RANK: Record<string, number> = { unknown: 0, informational: 1, low: 2, medium: 3, high: 4 };

interface Group {
  tenantId: string;
  incidentId: string;
  ruleKey: string;
  key: string;
  firstAlertMs: number;
  /** The name this module last gave the incident (an analyst's rename is kept). */
  autoName: string;
}

/** Grouping key of an alert under `grouping` (undefined: the alert is never grouped). */
export function groupKey(grouping: GroupingSpec | undefined, built: BuiltAlert): string | undefined {
  if (!grouping?.enabled) return undefined;
  if (grouping.matchingMethod === "AnyAlert") return "any";
  const entities = (types?: readonly string[]) =>
    built.entities
      .filter((e) => !types || types.includes(e.entityType))
      .map(entityKey)
      .sort();
  if (grouping.matchingMethod === "AllEntities") return JSON.stringify(entities());
  return JSON.stringify({
    entities: grouping.groupByEntities.length > 0 ? entities(grouping.groupByEntities) : [],
    details: grouping.groupByAlertDetails.map((d) =>
      d === "DisplayName" ? built.alert.title : built.alert.severity,
    ),
    custom: grouping.groupByCustomDetails.map((k) => built.details[k] ?? []),
  });
}

/** Defender names incidents itself: one alert title, or a multi-stage name over the alerts' categories. */
export function incidentName(incident: GraphIncident): string {
  const titles = [...new Set(incident.alerts.map((a) => a.title))];
  if (titles.length <= 1) return titles[0] ?? incident.displayName;
  const categories = [...new Set(incident.alerts.map((a) => a.category).filter(Boolean))];
  return categories.length > 0
    ? `Multi-stage incident involving ${categories.slice(0, 3).join(" & ")}`
    : `Multiple alerts (${incident.alerts.length})`;
}

export interface PlaceInput {
  tenant: DefenderTenant;
  /** Workspace + rule name: groups never span rules. */
  ruleKey: string;
  grouping: GroupingSpec | undefined;
  built: BuiltAlert;
  runMs: number;
  /** 7-digit stamp at the run time. */
  stamp: () => string;
}

export class IncidentGrouper {
  private groups: Group[] = [];

  clear(): void {
    this.groups = [];
  }

  /** Puts the alert into an incident; returns the incident and whether it is new. */
  place(input: PlaceInput): { incident: GraphIncident; created: boolean } {
    const key = groupKey(input.grouping, input.built);
    const joinable = key === undefined ? undefined : this.findOpen(input, key);
    if (joinable) {
      this.attach(joinable.incident, input, joinable.group);
      return { incident: joinable.incident, created: false };
    }
    const incident = this.create(input);
    if (key !== undefined) {
      this.groups.push({
        tenantId: input.tenant.tenantId,
        incidentId: incident.id,
        ruleKey: input.ruleKey,
        key,
        firstAlertMs: input.runMs,
        autoName: incident.displayName,
      });
    }
    return { incident, created: true };
  }

  private findOpen(input: PlaceInput, key: string): { incident: GraphIncident; group: Group } | undefined {
    const lookback = input.grouping!.lookbackMs;
    for (let i = this.groups.length - 1; i >= 0; i--) {
      const g = this.groups[i]!;
      if (g.ruleKey !== input.ruleKey || g.key !== key || g.tenantId !== input.tenant.tenantId) continue;
      if (input.runMs - g.firstAlertMs > lookback) continue;
      const incident = followRedirects(input.tenant, g.incidentId);
      if (!incident || !OPEN.has(incident.status) || incident.alerts.length >= MAX_ALERTS_PER_INCIDENT)
        continue;
      return { incident, group: g };
    }
    return undefined;
  }

  private create(input: PlaceInput): GraphIncident {
    const { alert } = input.built;
    const { id } = input.tenant.createIncident(
      {
        displayName: alert.title,
        severity: alert.severity,
        status: "active",
        classification: "unknown",
        determination: "unknown",
        assignedTo: null,
        customTags: [],
        systemTags: [],
        comments: [],
        description: null,
        summary: null,
        resolvingComment: null,
        lastModifiedBy: null,
        alerts: [],
      },
      { at: new Date(input.runMs) },
    );
    const incident = input.tenant.record(id)!;
    this.attach(incident, input, undefined);
    return incident;
  }

  private attach(incident: GraphIncident, input: PlaceInput, group: Group | undefined): void {
    const { alert } = input.built;
    alert.incidentId = incident.id;
    alert.incidentWebUrl = incident.incidentWebUrl;
    incident.alerts.push(alert);
    if ((RANK[alert.severity] ?? 0) > (RANK[incident.severity] ?? 0)) incident.severity = alert.severity;
    if (group && incident.displayName === group.autoName) {
      incident.displayName = incidentName(incident);
      group.autoName = incident.displayName;
    }
    incident.lastUpdateDateTime = input.stamp();
  }
}

/** The incident `id` stands for now: itself, or the incident it was merged into. */
export function followRedirects(tenant: DefenderTenant, id: string): GraphIncident | undefined {
  let incident = tenant.record(id);
  for (let hops = 0; incident?.status === "redirected" && incident.redirectIncidentId && hops < 20; hops++) {
    incident = tenant.record(incident.redirectIncidentId);
  }
  return incident;
}
