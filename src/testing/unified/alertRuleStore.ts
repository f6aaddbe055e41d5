/**
 * The analytics rules of every workspace, with the service's write rules: etag concurrency (a stale etag →
 * 409), a kind that cannot change, and the limits on enabled rules per workspace.
 */
import type { RuleSpec, StoredAlertRule } from "./alertRuleTypes";
import { ALERT_RULE_SERVICE_LIMITS, AlertRuleRequestError } from "./alertRuleValidation";

export interface RulePut {
  workspaceKey: string;
  /** `/subscriptions/…/providers/Microsoft.SecurityInsights` of the workspace. */
  resourcePrefix: string;
  name: string;
  kind: string;
  /** The kind's properties as sent (unknown ones already dropped). */
  properties: Record<string, unknown>;
  spec: RuleSpec | undefined;
  etag: string | undefined;
  nowMs: number;
  newEtag: () => string;
}

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );

export class AlertRuleRegistry {
  private readonly byWorkspace = new Map<string, Map<string, StoredAlertRule>>();

  /** Rules of one workspace, oldest first. */
  rules(workspaceKey: string): StoredAlertRule[] {
    return [...(this.byWorkspace.get(workspaceKey)?.values() ?? [])];
  }

  /** Every rule with its workspace key. */
  all(): { workspaceKey: string; rule: StoredAlertRule }[] {
    return [...this.byWorkspace].flatMap(([workspaceKey, m]) =>
      [...m.values()].map((rule) => ({ workspaceKey, rule })),
    );
  }

  get(workspaceKey: string, name: string): StoredAlertRule | undefined {
    return this.byWorkspace.get(workspaceKey)?.get(name.toLowerCase());
  }

  delete(workspaceKey: string, name: string): boolean {
    return this.byWorkspace.get(workspaceKey)?.delete(name.toLowerCase()) ?? false;
  }

  clear(): void {
    this.byWorkspace.clear();
  }

  /**
   * Creates or replaces a rule; `created` tells which. A changed rule gets a new etag and its schedule starts
   * again from now (an edit or a re-enable restarts it); an unchanged body keeps etag and schedule, so an
   * idempotent PUT on every cycle does not keep a rule from ever running.
   */
  put(input: RulePut): { created: boolean; rule: StoredAlertRule } {
    const rules = this.byWorkspace.get(input.workspaceKey) ?? new Map<string, StoredAlertRule>();
    this.byWorkspace.set(input.workspaceKey, rules);
    const existing = rules.get(input.name.toLowerCase());
    if (existing && input.etag !== undefined && input.etag !== existing.etag) {
      throw new AlertRuleRequestError(
        409,
        "Conflict",
        `Newer version of resource '${input.name}' exists. Data was not saved`,
      );
    }
    if (existing && existing.kind !== input.kind) {
      throw new AlertRuleRequestError(
        400,
        "BadRequest",
        `The kind of alert rule '${input.name}' cannot be changed from '${existing.kind}' to '${input.kind}'.`,
      );
    }
    this.checkEnabledLimit(rules, input);
    const { lastModifiedUtc: _ignored, ...before } = (existing?.resource.properties ?? {}) as Record<
      string,
      unknown
    >;
    if (existing && stable(before) === stable(this.echo(input))) return { created: false, rule: existing };
    const rule: StoredAlertRule = {
      name: existing?.name ?? input.name,
      kind: input.kind,
      etag: input.newEtag(),
      resource: {},
      spec: input.spec,
      scheduledFromMs: input.nowMs,
      runsDone: 0,
      lastWindowEndMs: undefined,
      lastAlertMs: existing?.lastAlertMs,
    };
    rule.resource = {
      id: `${input.resourcePrefix}/alertRules/${rule.name}`,
      name: rule.name,
      type: "Microsoft.SecurityInsights/alertRules",
      kind: input.kind,
      etag: rule.etag,
      properties: {
        ...this.echo(input),
        lastModifiedUtc: new Date(input.nowMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
      },
    };
    rules.set(rule.name.toLowerCase(), rule);
    return { created: !existing, rule };
  }

  private echo(input: RulePut): Record<string, unknown> {
    const p = input.properties;
    if (input.kind === "Scheduled" || input.kind === "NRT") return { alertRuleTemplateName: null, ...p };
    return { ...p };
  }

  private checkEnabledLimit(rules: Map<string, StoredAlertRule>, input: RulePut): void {
    if (!input.spec?.enabled) return;
    const limit =
      input.kind === "NRT"
        ? ALERT_RULE_SERVICE_LIMITS.maxEnabledNrt
        : ALERT_RULE_SERVICE_LIMITS.maxEnabledScheduled;
    const enabled = [...rules.values()].filter(
      (r) => r.kind === input.kind && r.spec?.enabled && r.name.toLowerCase() !== input.name.toLowerCase(),
    ).length;
    if (enabled >= limit)
      throw new AlertRuleRequestError(
        400,
        "BadRequest",
        `The workspace already has the maximum of ${limit} enabled ${input.kind} rules.`,
      );
  }
}
