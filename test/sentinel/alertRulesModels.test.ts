import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors";
import {
  type AlertRule,
  alertRuleSchema,
  isNrtAlertRule,
  isScheduledAlertRule,
  parseIsoDuration,
  scheduledTimingIssues,
  validateAlertRule,
} from "../../src/sentinel/alertRuleModels";
import { listFixtures, readJson } from "../helpers/fixtures";
import { ALERT_RULES_SPEC_PATH, validateSentinelDefinition } from "../helpers/openapi";

interface Example {
  parameters: { alertRule?: Record<string, unknown> };
  responses: Record<string, { body?: unknown }>;
}

const EXAMPLE_FILES = listFixtures("sentinel/examples/alertRules", ".json");
const createExample = readJson<Example>("sentinel/examples/alertRules/CreateScheduledAlertRule.json");
const getExample = readJson<Example>("sentinel/examples/alertRules/GetScheduledAlertRule.json");
const exampleRule = createExample.parameters.alertRule as {
  kind: "Scheduled";
  properties: Record<string, any>;
};

/** Every rule body in the examples' responses (list pages are split into their rules). */
function exampleResponseRules(): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const file of EXAMPLE_FILES) {
    for (const [status, response] of Object.entries(readJson<Example>(file).responses)) {
      const body = response.body as { value?: unknown[] } | undefined;
      if (body === undefined) continue;
      const rules = Array.isArray(body.value) ? body.value : [body];
      for (const [i, rule] of rules.entries()) out.push([`${file} ${status} #${i}`, rule]);
    }
  }
  return out;
}

function withoutNulls(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (v === null ? undefined : v)));
}

function scheduled(overrides: Record<string, unknown> = {}) {
  return {
    kind: "Scheduled" as const,
    properties: { ...structuredClone(exampleRule.properties), ...overrides },
  };
}

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as InvalidArgumentError).issues;
  }
  throw new Error("expected an InvalidArgumentError");
}

describe("reading alert rules", () => {
  it("finds the copied examples (create, get, list, delete)", () => {
    expect(EXAMPLE_FILES.map((f) => f.split("/").pop())).toEqual([
      "CreateScheduledAlertRule.json",
      "DeleteAlertRule.json",
      "GetAllAlertRules.json",
      "GetScheduledAlertRule.json",
    ]);
  });

  it.each(exampleResponseRules())("%s parses and keeps every field", (_name, raw) => {
    const rule = alertRuleSchema.parse(raw);
    expect(rule).toEqual(raw);
  });

  it("the example responses validate against the spec except for their nulls (why reads accept null)", () => {
    const rules = exampleResponseRules().filter(([, r]) => (r as { kind: string }).kind === "Scheduled");
    expect(rules.length).toBe(4);
    const spec = (body: unknown) =>
      validateSentinelDefinition(ALERT_RULES_SPEC_PATH, "ScheduledAlertRule", body, "response");
    for (const [name, raw] of rules) {
      // The service writes `null` for unset strings, which the spec (no x-nullable) does not allow.
      for (const error of spec(raw).errors) expect(error, name).toMatch(/ must be string$/);
      expect(spec(withoutNulls(raw)).errors, name).toEqual([]);
    }
    expect(spec({ ...(rules[0]![1] as object), properties: { triggerThreshold: "zero" } }).valid).toBe(false);
  });

  it("narrows by kind and keeps other kinds whole", () => {
    const list = readJson<Example>("sentinel/examples/alertRules/GetAllAlertRules.json").responses["200"]!
      .body as { value: unknown[] };
    const rules = list.value.map((r) => alertRuleSchema.parse(r));
    expect(rules.map((r) => r.kind)).toEqual(["Scheduled", "MicrosoftSecurityIncidentCreation", "Fusion"]);
    const first = rules[0]!;
    if (!isScheduledAlertRule(first)) throw new Error("not scheduled");
    expect(first.properties.queryPeriod).toBe("P2DT1H30M");
    expect(rules[1]!.properties).toMatchObject({ productFilter: "Microsoft Cloud App Security" });
    expect(rules.filter(isNrtAlertRule)).toEqual([]);
  });

  it("tolerates unknown kinds and fields, and normalizes the spelling of known kinds", () => {
    const ti = alertRuleSchema.parse({
      name: "ti",
      kind: "ThreatIntelligence",
      properties: { enabled: true, x: 1 },
    });
    expect(ti).toMatchObject({ kind: "ThreatIntelligence", properties: { enabled: true, x: 1 } });
    const lower = alertRuleSchema.parse({
      ...(getExample.responses["200"]!.body as object),
      kind: "scheduled",
      futureField: { a: 1 },
    }) as AlertRule;
    expect(lower.kind).toBe("Scheduled");
    expect(isScheduledAlertRule(lower)).toBe(true);
    expect((lower as Record<string, unknown>).futureField).toEqual({ a: 1 });
    const nrt = alertRuleSchema.parse({
      name: "n",
      kind: "NRT",
      properties: { query: "T", subTechniques: ["T1.1"] },
    });
    expect(isNrtAlertRule(nrt) && nrt.properties.subTechniques).toEqual(["T1.1"]);
  });

  it("a malformed Scheduled rule is refused, not passed off as an unknown kind", () => {
    const result = alertRuleSchema.safeParse({ kind: "Scheduled", properties: { query: 42 } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(["properties", "query"]);
    expect(alertRuleSchema.safeParse({ kind: "Scheduled" }).success).toBe(false);
  });
});

describe("ISO 8601 durations", () => {
  it.each([
    ["PT5M", 300_000],
    ["PT1H", 3_600_000],
    ["P1D", 86_400_000],
    ["P2DT1H30M", 2 * 86_400_000 + 5_400_000],
    ["P1W", 7 * 86_400_000],
    ["PT1.5S", 1500],
  ])("%s is %d ms", (text, ms) => {
    expect(parseIsoDuration(text)).toBe(ms);
  });

  it.each(["", "P", "PT", "5m", "P1M", "P1Y", "PT-5M", "P1DT", "pt5m"])("%j is refused", (text) => {
    expect(parseIsoDuration(text)).toBeUndefined();
  });
});

describe("writing alert rules", () => {
  it("the official create example passes, and the body validates against ScheduledAlertRule", () => {
    const body = validateAlertRule(exampleRule);
    expect(body.kind).toBe("Scheduled");
    expect(body.properties).toEqual(exampleRule.properties);
    expect(validateSentinelDefinition(ALERT_RULES_SPEC_PATH, "ScheduledAlertRule", body).errors).toEqual([]);
  });

  it("a rule read with GET can be sent back: nulls and read-only lastModifiedUtc are dropped", () => {
    const read = alertRuleSchema.parse(getExample.responses["200"]!.body);
    const asRead = validateSentinelDefinition(ALERT_RULES_SPEC_PATH, "ScheduledAlertRule", read);
    expect(asRead.valid).toBe(false); // id, name, lastModifiedUtc … are read-only in a request
    const body = validateAlertRule(read);
    expect(body.properties).not.toHaveProperty("lastModifiedUtc");
    expect(body.properties).not.toHaveProperty("alertRuleTemplateName");
    expect(body.properties.alertDetailsOverride).toEqual({
      alertDisplayNameFormat: "Alert from {{Computer}}",
      alertDescriptionFormat: "Suspicious activity was made by {{ComputerIP}}",
    });
    expect(validateSentinelDefinition(ALERT_RULES_SPEC_PATH, "ScheduledAlertRule", body).errors).toEqual([]);
  });

  it("the spec validator notices what validateAlertRule refuses", () => {
    const bad = { kind: "Scheduled", properties: { ...exampleRule.properties, severity: "Critical" } };
    expect(validateSentinelDefinition(ALERT_RULES_SPEC_PATH, "ScheduledAlertRule", bad).valid).toBe(false);
    expect(issuesOf(() => validateAlertRule(bad))).toEqual([
      expect.objectContaining({ path: "properties.severity" }),
    ]);
  });

  it.each([
    ["PT4M", "PT1H", "properties.queryFrequency", /5 minutes/],
    ["PT1H", "P15D", "properties.queryPeriod", /14 days/],
    ["PT2H", "PT1H", "properties.queryFrequency", /longer than queryPeriod/],
    ["PT30M", "P2DT1M", "properties.queryFrequency", /at least 1 hour/],
    ["P1M", "PT1H", "properties.queryFrequency", /ISO 8601/],
  ])("frequency %s with period %s is refused", (queryFrequency, queryPeriod, path, message) => {
    const issues = issuesOf(() => validateAlertRule(scheduled({ queryFrequency, queryPeriod })));
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it("accepts the boundaries of the schedule rules", () => {
    expect(scheduledTimingIssues("PT5M", "PT5M")).toEqual([]);
    expect(scheduledTimingIssues("PT5M", "P2D")).toEqual([]);
    expect(scheduledTimingIssues("PT1H", "P14D")).toEqual([]);
    expect(scheduledTimingIssues("P14D", "P14D")).toEqual([]);
  });

  it("enforces grouping, custom-detail, entity-mapping and alert-details limits", () => {
    const grouping = (g: Record<string, unknown>) =>
      scheduled({
        incidentConfiguration: {
          createIncident: true,
          groupingConfiguration: {
            ...exampleRule.properties.incidentConfiguration.groupingConfiguration,
            ...g,
          },
        },
      });
    expect(issuesOf(() => validateAlertRule(grouping({ lookbackDuration: "P8D" })))[0]!.message).toMatch(
      /7 days/,
    );
    expect(
      issuesOf(() =>
        validateAlertRule(
          grouping({ groupByEntities: [], groupByAlertDetails: [], groupByCustomDetails: [] }),
        ),
      )[0]!.message,
    ).toMatch(/Selected needs/);
    expect(
      issuesOf(() => validateAlertRule(grouping({ groupByCustomDetails: ["Nope"] })))[0]!.message,
    ).toMatch(/Nope is not a custom detail/);
    expect(issuesOf(() => validateAlertRule(grouping({ groupByEntities: ["URL"] })))[0]!.message).toMatch(
      /URL is not mapped/,
    );
    const details = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`K${i}`, `C${i}`]));
    expect(issuesOf(() => validateAlertRule(scheduled({ customDetails: details })))).toContainEqual({
      path: "properties.customDetails",
      message: "may have at most 20 entries",
    });
    const mapping = { entityType: "IP", fieldMappings: [{ identifier: "Address", columnName: "IP" }] };
    expect(
      issuesOf(() => validateAlertRule(scheduled({ entityMappings: Array(11).fill(mapping) })))[0]!.path,
    ).toBe("properties.entityMappings");
    const fourIds = { ...mapping, fieldMappings: Array(4).fill(mapping.fieldMappings[0]) };
    expect(issuesOf(() => validateAlertRule(scheduled({ entityMappings: [fourIds] })))[0]!.path).toBe(
      "properties.entityMappings.0.fieldMappings",
    );
    const override = { alertDisplayNameFormat: "{{A}} {{B}} {{C}} {{D}}" };
    expect(issuesOf(() => validateAlertRule(scheduled({ alertDetailsOverride: override })))).toEqual([
      {
        path: "properties.alertDetailsOverride.alertDisplayNameFormat",
        message: expect.stringMatching(/at most 3/),
      },
    ]);
  });

  it("refuses unknown properties, unknown kinds and non-objects", () => {
    expect(issuesOf(() => validateAlertRule(scheduled({ querryPeriod: "PT1H" })))[0]!.message).toMatch(
      /querryPeriod/,
    );
    expect(() => validateAlertRule({ kind: "Fusion", properties: {} })).toThrow(/use Scheduled or NRT/);
    expect(() => validateAlertRule({ kind: "Scheduled", properties: [] })).toThrow(InvalidArgumentError);
    expect(() => validateAlertRule(null)).toThrow(InvalidArgumentError);
  });

  it("NRT rules have no schedule", () => {
    const { queryFrequency, queryPeriod, triggerOperator, triggerThreshold, ...rest } =
      exampleRule.properties;
    expect([queryFrequency, queryPeriod, triggerOperator, triggerThreshold]).toEqual([
      "PT1H",
      "P2DT1H30M",
      "GreaterThan",
      0,
    ]);
    const body = validateAlertRule({ kind: "NRT", properties: rest });
    expect(body).toEqual({ kind: "NRT", properties: rest });
    expect(
      issuesOf(() => validateAlertRule({ kind: "NRT", properties: { ...rest, queryFrequency } }))[0]!.message,
    ).toMatch(/queryFrequency/);
  });
});
