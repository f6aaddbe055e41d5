import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { alertDetailsParameters } from "../../src/sentinel/alertRuleModels";
import {
  DEFAULT_RELAY_STREAM_NAME,
  DEFAULT_RELAY_TABLE_NAME,
  RELAY_ROW_COLUMNS,
} from "../../src/targets/relayRow";
import { buildRelayRule, relayRuleId } from "../../src/targets/relayRule";
import { ALERT_RULES_SPEC_PATH, validateSentinelDefinition } from "../helpers/openapi";

const TEMPLATE_PATH = new URL("../../examples/arm/unified-relay.json", import.meta.url);
const text = readFileSync(TEMPLATE_PATH, "utf8");
const template = JSON.parse(text) as {
  parameters: Record<string, unknown>;
  variables: Record<string, string>;
  resources: {
    type: string;
    name: string;
    kind?: string;
    apiVersion: string;
    scope?: string;
    dependsOn?: string[];
    properties: Record<string, any>;
  }[];
};
const resource = (type: string) => {
  const found = template.resources.find((r) => r.type === type);
  if (!found) throw new Error(`no ${type} in the template`);
  return found;
};
const table = resource("Microsoft.OperationalInsights/workspaces/tables");
const dcr = resource("Microsoft.Insights/dataCollectionRules");
const rule = resource("Microsoft.SecurityInsights/alertRules");

const tableColumns = table.properties.schema.columns as { name: string; type: string; description: string }[];
const TABLE_COLUMN_NAMES = new Set(tableColumns.map((c) => c.name));

/** Identifiers a KQL text names that look like columns (PascalCase words outside string literals). */
function kqlIdentifiers(kql: string): string[] {
  const code = kql.replace(/"(?:[^"\\]|\\.)*"/g, "").replace(/\/\/.*$/gm, "");
  return [...new Set(code.match(/\b[A-Z][A-Za-z0-9_]*\b/g) ?? [])];
}

describe("examples/arm/unified-relay.json", () => {
  const expected = RELAY_ROW_COLUMNS.map((c) => ({ name: c.name, type: c.type }));

  it("the table and the DCR stream have exactly the row schema's columns and types", () => {
    // Tables spell the date-time type "dateTime", stream declarations "datetime".
    expect(
      tableColumns.map((c) => ({ name: c.name, type: c.type === "dateTime" ? "datetime" : c.type })),
    ).toEqual(expected);
    expect(tableColumns.map((c) => c.description)).toEqual(RELAY_ROW_COLUMNS.map((c) => c.description));
    const stream = dcr.properties.streamDeclarations[DEFAULT_RELAY_STREAM_NAME].columns;
    expect(stream).toEqual(expected);
    expect(template.variables.tableName).toBe(DEFAULT_RELAY_TABLE_NAME);
    expect(template.variables.streamName).toBe(DEFAULT_RELAY_STREAM_NAME);
  });

  it("the DCR routes the stream into the table and its transform names only table columns", () => {
    const [flow] = dcr.properties.dataFlows;
    expect(flow.streams).toEqual([DEFAULT_RELAY_STREAM_NAME]);
    expect(flow.outputStream).toBe("[format('Custom-{0}', variables('tableName'))]");
    expect(flow.transformKql).toMatch(/^source\b/);
    for (const id of kqlIdentifiers(flow.transformKql)) expect(TABLE_COLUMN_NAMES.has(id), id).toBe(true);
  });

  it("installs the same Scheduled rule as buildRelayRule, as an extension resource of the workspace", () => {
    const def = buildRelayRule();
    expect(rule.apiVersion).toBe(def.apiVersion);
    expect(rule.kind).toBe(def.rule.kind);
    expect(rule.scope).toBe(
      "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspaceName'))]",
    );
    expect(rule.name).toBe("[variables('ruleId')]");
    expect(template.variables.ruleId).toBe(relayRuleId(DEFAULT_RELAY_TABLE_NAME));
    expect(rule.dependsOn).toContain("[variables('tableId')]");
    const { enabled, ...rest } = rule.properties;
    expect(enabled).toBe("[parameters('ruleEnabled')]");
    const { enabled: _e, ...built } = def.rule.properties;
    expect(rest).toEqual(built);
    const body = { kind: rule.kind, properties: { ...rule.properties, enabled: true } };
    expect(validateSentinelDefinition(ALERT_RULES_SPEC_PATH, "ScheduledAlertRule", body).errors).toEqual([]);
  });

  it("every column the rule names exists in the table", () => {
    const p = rule.properties;
    const o = p.alertDetailsOverride;
    const fromQuery = kqlIdentifiers(p.query).filter((id) => id !== template.variables.tableName);
    expect(fromQuery).toEqual(["TimeGenerated", "RelayRowId"]);
    const named: string[] = [
      ...fromQuery,
      ...(Object.values(p.customDetails) as string[]),
      ...p.entityMappings.flatMap((m: { fieldMappings: { columnName: string }[] }) =>
        m.fieldMappings.map((f) => f.columnName),
      ),
      ...alertDetailsParameters(o.alertDisplayNameFormat),
      ...alertDetailsParameters(o.alertDescriptionFormat),
      o.alertSeverityColumnName,
      o.alertTacticsColumnName,
      ...o.alertDynamicProperties.map((d: { value: string }) => d.value),
    ];
    expect(named.length).toBeGreaterThan(20);
    for (const column of named) expect(TABLE_COLUMN_NAMES.has(column), column).toBe(true);
  });

  it("every parameter and variable the template uses is declared", () => {
    const used = (kind: string) =>
      [...text.matchAll(new RegExp(`${kind}\\('([^']+)'\\)`, "g"))].map((m) => m[1]!);
    for (const name of used("parameters")) expect(template.parameters, name).toHaveProperty(name);
    for (const name of used("variables")) expect(template.variables, name).toHaveProperty(name);
    expect(used("parameters")).toContain("principalId");
  });
});
