import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors";
import type { DefenderAlert } from "../../src/defender/models";
import {
  ALERT_RULE_LIMITS,
  alertDetailsParameters,
  NRT_ALERT_RULE_API_VERSION,
  parseIsoDuration,
} from "../../src/sentinel/alertRuleModels";
import { uuidV5 } from "../../src/sync/deterministicName";
import { buildRelayRow, RELAY_ROW_COLUMNS } from "../../src/targets/relayRow";
import {
  buildRelayRule,
  DONT_CORRELATE_TAG,
  RELAY_MAX_ROWS_PER_RUN,
  RELAY_RULE_NAMESPACE,
  relayRuleId,
} from "../../src/targets/relayRule";
import { RELAY_DETAIL_KEYS, sourceKeyOfAlert } from "../../src/targets/sourceKeys";
import { ALERT_RULES_SPEC_PATH, validateSentinelDefinition } from "../helpers/openapi";

const COLUMNS = new Set<string>(RELAY_ROW_COLUMNS.map((c) => c.name));

function invalid(fn: () => unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as Error).message).toMatch(pattern);
}

describe("the default relay rule", () => {
  const def = buildRelayRule();
  const p = def.rule.properties;

  it("is a Scheduled rule whose PUT body validates against AlertRules.json (ScheduledAlertRule)", () => {
    expect(def.rule.kind).toBe("Scheduled");
    expect(def.apiVersion).toBe("2025-09-01");
    const body = { kind: def.rule.kind, properties: def.rule.properties };
    expect(validateSentinelDefinition(ALERT_RULES_SPEC_PATH, "ScheduledAlertRule", body).errors).toEqual([]);
  });

  it("has a deterministic id: UUID v5 of the table name in the relay namespace", () => {
    expect(def.ruleId).toBe(uuidV5("relay-rule:defenderrelay_cl", RELAY_RULE_NAMESPACE));
    expect(def.ruleId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(buildRelayRule()).toEqual(def);
    expect(relayRuleId("defenderrelay_CL")).toBe(def.ruleId);
    expect(relayRuleId("Other_CL")).not.toBe(def.ruleId);
    expect(relayRuleId(undefined, "5b1f0577-0000-4000-8000-000000000000")).not.toBe(def.ruleId);
  });

  it("picks rows by ingestion time over the last frequency and keeps one result per row version", () => {
    expect(p.query).toBe(
      "DefenderRelay_CL\n| where ingestion_time() between (ago(10m) .. ago(5m))\n| summarize arg_max(TimeGenerated, *) by RelayRowId",
    );
    expect(p.query).not.toMatch(/where\s+TimeGenerated/);
    const schedule = p as Record<string, unknown>;
    expect([schedule.queryFrequency, schedule.queryPeriod]).toEqual(["PT5M", "P2D"]);
    expect([schedule.triggerOperator, schedule.triggerThreshold]).toEqual(["GreaterThan", 0]);
  });

  it("raises one alert per row, grouped into one incident per source incident, outside Defender's correlation", () => {
    expect(p.eventGroupingSettings).toEqual({ aggregationKind: "AlertPerResult" });
    expect(p.description!.startsWith(`${DONT_CORRELATE_TAG} `)).toBe(true);
    expect(p.customDetails).toEqual({
      SourceTenantId: "SourceTenantId",
      SourceIncidentId: "SourceIncidentId",
      SourceAlertId: "SourceAlertId",
    });
    expect(p.incidentConfiguration).toEqual({
      createIncident: true,
      groupingConfiguration: {
        enabled: true,
        matchingMethod: "Selected",
        groupByCustomDetails: ["SourceTenantId", "SourceIncidentId"],
        lookbackDuration: "P7D",
        reopenClosedIncident: false,
      },
    });
    expect(parseIsoDuration(p.incidentConfiguration!.groupingConfiguration!.lookbackDuration)).toBe(
      ALERT_RULE_LIMITS.maxGroupingLookbackMs,
    );
  });

  it("takes the alert's name, description, severity, tactics and techniques from the row", () => {
    const o = p.alertDetailsOverride!;
    expect(alertDetailsParameters(o.alertDisplayNameFormat!)).toEqual(["IncidentTitle", "AlertTitle"]);
    expect(alertDetailsParameters(o.alertDescriptionFormat!)).toEqual(["AlertDescription"]);
    expect([o.alertSeverityColumnName, o.alertTacticsColumnName]).toEqual(["AlertSeverity", "Tactics"]);
    expect(o.alertDynamicProperties).toContainEqual({ alertProperty: "Techniques", value: "Techniques" });
  });

  it("maps entities from the entity columns within the service's limits", () => {
    const mappings = p.entityMappings!;
    expect(mappings.length).toBeLessThanOrEqual(ALERT_RULE_LIMITS.maxEntityMappings);
    for (const m of mappings) expect(m.fieldMappings.length).toBeLessThanOrEqual(3);
    expect(mappings.map((m) => m.entityType)).toEqual([
      "Account",
      "Host",
      "IP",
      "URL",
      "File",
      "FileHash",
      "Mailbox",
    ]);
  });

  it("names only columns of the relay table, and lists them all in `columns`", () => {
    const o = p.alertDetailsOverride!;
    const named = [
      ...Object.values(p.customDetails!),
      ...p.entityMappings!.flatMap((m) => m.fieldMappings.map((f) => f.columnName)),
      ...alertDetailsParameters(`${o.alertDisplayNameFormat} ${o.alertDescriptionFormat}`),
      o.alertSeverityColumnName!,
      o.alertTacticsColumnName!,
      ...o.alertDynamicProperties!.map((d) => d.value),
    ];
    for (const column of [...named, ...def.columns]) expect(COLUMNS.has(column), column).toBe(true);
    expect(new Set(def.columns)).toEqual(new Set([...named, "TimeGenerated", "RelayRowId"]));
  });

  it("its custom details carry what sourceKeyOfAlert reads back from the target's alert", () => {
    const incident = { id: "42", displayName: "x", alerts: [] } as never;
    const alert = {
      id: "da-1",
      lastUpdateDateTime: "2021-08-13T09:00:00Z",
      evidence: [],
    } as unknown as DefenderAlert;
    const result = buildRelayRow(incident, alert, {
      sourceTenantId: "tenant-a",
      now: new Date("2021-08-13T10:00:00Z"),
    });
    if (!result.ok) throw result.error;
    const row = result.value as Record<string, unknown>;
    // A rule's custom details arrive as one string array per key.
    const customDetails = Object.fromEntries(
      Object.entries(p.customDetails!).map(([k, col]) => [k, [row[col]]]),
    );
    expect(sourceKeyOfAlert({ id: "t", customDetails } as unknown as DefenderAlert)).toEqual({
      tenantId: "tenant-a",
      incidentId: "42",
      alertId: "da-1",
    });
    expect(Object.keys(p.customDetails!)).toEqual(Object.values(RELAY_DETAIL_KEYS));
  });
});

describe("options", () => {
  it("turns the frequency into the ingestion window", () => {
    const rule = (queryFrequency: string, queryPeriod?: string) =>
      buildRelayRule({ queryFrequency, ...(queryPeriod ? { queryPeriod } : {}) }).rule.properties.query;
    expect(rule("PT15M")).toContain("between (ago(20m) .. ago(5m))");
    expect(rule("PT1H30M")).toContain("between (ago(95m) .. ago(5m))");
    expect(rule("PT2H")).toContain("between (ago(125m) .. ago(5m))");
    expect(rule("P1D", "P3D")).toContain("between (ago(1445m) .. ago(5m))");
  });

  it.each([
    [{ queryFrequency: "PT4M" }, /5 minutes/],
    [{ queryFrequency: "PT1H", queryPeriod: "P15D" }, /14 days/],
    [{ queryFrequency: "PT2H", queryPeriod: "PT1H" }, /longer than queryPeriod/],
    [{ queryFrequency: "PT30M", queryPeriod: "P3D" }, /at least 1 hour/],
    [{ queryFrequency: "5m" }, /ISO 8601/],
    [{ nrt: true, queryFrequency: "PT5M" }, /NRT rules run every minute/],
  ])("refuses %j", (options, pattern) => {
    invalid(() => buildRelayRule(options), pattern);
  });

  it("accepts the edges of the schedule rules", () => {
    expect(() => buildRelayRule({ queryFrequency: "PT5M", queryPeriod: "PT5M" })).not.toThrow();
    expect(() => buildRelayRule({ queryFrequency: "PT1H", queryPeriod: "P14D" })).not.toThrow();
  });

  it("builds an NRT rule for the preview api-version, without schedule or time filter", () => {
    const def = buildRelayRule({ nrt: true });
    expect(def.rule.kind).toBe("NRT");
    expect(def.apiVersion).toBe(NRT_ALERT_RULE_API_VERSION);
    expect(def.rule.properties).not.toHaveProperty("queryFrequency");
    expect(def.rule.properties).not.toHaveProperty("triggerThreshold");
    expect(def.rule.properties.query).toBe(
      "DefenderRelay_CL\n| summarize arg_max(TimeGenerated, *) by RelayRowId",
    );
    expect(def.ruleId).toBe(buildRelayRule().ruleId);
    // The stable spec has no NRT kind; its shared properties still validate.
    expect(
      validateSentinelDefinition(
        ALERT_RULES_SPEC_PATH,
        "ScheduledAlertRuleCommonProperties",
        def.rule.properties,
      ).errors,
    ).toEqual([]);
    expect(RELAY_MAX_ROWS_PER_RUN).toEqual({ Scheduled: 149, NRT: 29 });
  });

  it("takes the table from tableName or streamName, and refuses names that are not plain custom tables", () => {
    expect(buildRelayRule({ streamName: "Custom-Mssp_CL" }).rule.properties.query).toMatch(/^Mssp_CL\n/);
    expect(buildRelayRule({ tableName: "Mssp_CL" }).tableName).toBe("Mssp_CL");
    invalid(() => buildRelayRule({ tableName: "Heartbeat" }), /custom table/);
    invalid(() => buildRelayRule({ tableName: "X_CL | union *" }), /custom table/);
    invalid(() => buildRelayRule({ streamName: "Microsoft-Syslog" }), /Custom-/);
    invalid(() => buildRelayRule({ tableName: "A_CL", streamName: "Custom-B_CL" }), /Custom-A_CL/);
    invalid(() => buildRelayRule({ namespace: "not-a-guid" }), /GUID/);
  });

  it("checks custom alert name and description formats against the table and the 3-parameter limit", () => {
    const rule = buildRelayRule({
      alertDisplayNameFormat: "{{AlertTitle}} on {{HostName}}",
      displayName: "Relay",
      severity: "High",
      enabled: false,
      description: "Owned by the SOC.",
    });
    const p = rule.rule.properties;
    expect(p.alertDetailsOverride!.alertDisplayNameFormat).toBe("{{AlertTitle}} on {{HostName}}");
    expect([p.displayName, p.severity, p.enabled]).toEqual(["Relay", "High", false]);
    expect(p.description).toMatch(/^#DONT_CORR# .* Owned by the SOC\.$/);
    invalid(() => buildRelayRule({ alertDisplayNameFormat: "{{Nope}}" }), /Nope.*not a relay table column/);
    invalid(
      () => buildRelayRule({ alertDescriptionFormat: "{{AlertTitle}}{{HostName}}{{Url}}{{IPAddress}}" }),
      /at most 3/,
    );
  });
});
