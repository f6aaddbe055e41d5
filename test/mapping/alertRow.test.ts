import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type DefenderAlert, defenderAlertSchema, defenderIncidentSchema } from "../../src/defender/models";
import {
  ALERT_ROW_COLUMNS,
  type AlertRow,
  alertKeyOf,
  alertRowId,
  alertRowSchema,
  buildAlertRow,
  clipUtf8,
  createAlertRowMapper,
  DEFAULT_ALERT_ROW_LIMITS,
  DEFAULT_ALERT_STREAM_NAME,
  DEFAULT_ALERT_TABLE_NAME,
  DEFAULT_MAPPING_LIMITS,
  DESCRIPTION_SEPARATOR,
  defaultAlertRowMapper,
  defenderToSentinel,
  LOGS_INGESTION_MAX_FIELD_BYTES,
  type MappingResult,
} from "../../src/mapping";
import { readJson, readJsonc } from "../helpers/fixtures";
import { realisticIncidentPayload } from "./builders";

const TEMPLATE_PATH = new URL("../../examples/arm/defender-alerts-table.json", import.meta.url);
const template = JSON.parse(readFileSync(TEMPLATE_PATH, "utf8")) as {
  resources: { type: string; properties: Record<string, any> }[];
};

function parseAlert(raw: unknown): DefenderAlert {
  return defenderAlertSchema.parse(raw);
}

function expectRow(result: MappingResult<AlertRow>): AlertRow {
  if (!result.ok) throw result.error;
  expect(alertRowSchema.safeParse(result.value).success).toBe(true);
  return result.value;
}

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

const fixtureAlerts: [string, unknown][] = [
  ["security-alert-get.1", readJson("graph/examples/security-alert-get.1.response.json")],
  ...readJson<{ value: unknown[] }>("graph/examples/security-list-alerts_v2.1.response.json").value.map(
    (a, i) => [`security-list-alerts_v2.1 #${i}`, a] as [string, unknown],
  ),
  ...readJsonc<{ value: { alerts?: unknown[] }[] }>("graph/examples/security-list-incidents.2.response.jsonc")
    .value.flatMap((incident) => incident.alerts ?? [])
    .map((a, i) => [`security-list-incidents.2 alert #${i}`, a] as [string, unknown]),
];

describe("table schema", () => {
  const names = ALERT_ROW_COLUMNS.map((c) => c.name);

  it("the zod schema has exactly the columns, in order", () => {
    expect(Object.keys(alertRowSchema.shape)).toEqual(names);
  });

  it("column names are valid Log Analytics names and avoid reserved ones", () => {
    const reserved = new Set([
      "id",
      "_resourceid",
      "_subscriptionid",
      "tenantid",
      "type",
      "uniqueid",
      "title",
    ]);
    for (const name of names) {
      expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,44}$/);
      expect(reserved.has(name.toLowerCase()), name).toBe(false);
    }
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    expect(names[0]).toBe("TimeGenerated");
  });

  it("the zod types agree with the column types", () => {
    const sample = expectRow(defaultAlertRowMapper(parseAlert(fixtureAlerts[0]![1])));
    for (const column of ALERT_ROW_COLUMNS) {
      const value = (sample as Record<string, unknown>)[column.name];
      switch (column.type) {
        case "string":
          expect(typeof value, column.name).toBe("string");
          break;
        case "datetime":
          expect(value === null || typeof value === "string", column.name).toBe(true);
          break;
        case "dynamic":
          expect(Array.isArray(value), column.name).toBe(true);
          break;
        case "boolean":
          expect(typeof value, column.name).toBe("boolean");
          break;
        case "int":
          expect(Number.isInteger(value), column.name).toBe(true);
          break;
      }
    }
  });

  it("the ARM template's table and DCR stream declare the same columns and types", () => {
    const table = template.resources.find(
      (r) => r.type === "Microsoft.OperationalInsights/workspaces/tables",
    )!;
    const dcr = template.resources.find((r) => r.type === "Microsoft.Insights/dataCollectionRules")!;
    const tableColumns = table.properties.schema.columns as { name: string; type: string }[];
    const stream = dcr.properties.streamDeclarations[DEFAULT_ALERT_STREAM_NAME].columns as {
      name: string;
      type: string;
    }[];
    const expected = ALERT_ROW_COLUMNS.map((c) => ({ name: c.name, type: c.type }));
    expect(stream.map((c) => ({ name: c.name, type: c.type }))).toEqual(expected);
    // Tables spell the date-time type "dateTime", stream declarations "datetime".
    expect(
      tableColumns.map((c) => ({ name: c.name, type: c.type === "dateTime" ? "datetime" : c.type })),
    ).toEqual(expected);
    expect(Object.keys(alertRowSchema.shape)).toEqual(stream.map((c) => c.name));
    const flow = dcr.properties.dataFlows[0];
    expect(flow.streams).toEqual([DEFAULT_ALERT_STREAM_NAME]);
    expect(table).toBeDefined();
    expect(JSON.stringify(template)).toContain(DEFAULT_ALERT_TABLE_NAME);
  });
});

describe("fixtures", () => {
  it.each(fixtureAlerts)("%s maps to a valid row", (_name, raw) => {
    const alert = parseAlert(raw);
    const row = expectRow(defaultAlertRowMapper(alert));
    expect(row.AlertId).toBe(alert.id);
    expect(row.TimeGenerated).toBe(alert.lastUpdateDateTime);
    expect(row.RowId).toBe(alertRowId(alertKeyOf(alert)));
    expect(row.EvidenceCount).toBe(alert.evidence.length);
    expect(row.Evidence).toHaveLength(alert.evidence.length);
    expect(row.EvidenceTruncated).toBe(false);
  });

  it("reads the documented alert into the expected columns", () => {
    const alert = parseAlert(readJson("graph/examples/security-alert-get.1.response.json"));
    const row = expectRow(defaultAlertRowMapper(alert));
    expect(row).toMatchObject({
      AlertId: "da637578995287051192_756343937",
      IncidentId: "28282",
      DefenderTenantId: "b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c",
      AlertTitle: "Suspicious execution of hidden file",
      Severity: "low",
      Status: "new",
      Category: "DefenseEvasion",
      MitreTechniques: ["T1564.001"],
      ServiceSource: "microsoftDefenderForEndpoint",
      DetectionSource: "antivirus",
      Classification: "unknown",
      Determination: "unknown",
      CreatedDateTime: "2021-04-27T12:19:27.7211305Z",
      LastUpdateDateTime: "2021-05-02T14:19:01.3266667Z",
      ResolvedDateTime: null,
      IncidentWebUrl:
        "https://security.microsoft.com/incidents/28282?tid=b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c",
      Hosts: ["tempDns"],
      SchemaVersion: 1,
    });
    expect(row.FileHashes).toContain("8963a19fb992ad9a76576c5638fd68292cffb9aaac29eb8285f9abf6196a7dec");
    expect(row.Evidence.map((e) => e["@odata.type"])).toEqual(alert.evidence.map((e) => e["@odata.type"]));
    // Nulls are dropped from the evidence objects: absence means null in KQL too.
    expect(JSON.stringify(row.Evidence)).not.toContain("null");
  });
});

describe("key entities", () => {
  const alert = parseAlert({
    id: "a1",
    lastUpdateDateTime: "2024-05-02T14:19:01.3266667Z",
    evidence: [
      {
        "@odata.type": "#microsoft.graph.security.deviceEvidence",
        deviceDnsName: "host1.contoso.com",
        loggedOnUsers: [{ accountName: "kai", domainName: "CONTOSO" }],
      },
      { "@odata.type": "#microsoft.graph.security.deviceEvidence", hostName: "HOST1.contoso.com" },
      {
        "@odata.type": "#microsoft.graph.security.userEvidence",
        userAccount: { userPrincipalName: "kai@contoso.com", accountName: "kai" },
      },
      { "@odata.type": "#microsoft.graph.security.ipEvidence", ipAddress: "203.0.113.7" },
      { "@odata.type": "#microsoft.graph.security.urlEvidence", url: "https://evil.example/x" },
      {
        "@odata.type": "#microsoft.graph.security.fileEvidence",
        fileDetails: { sha256: "AB".repeat(32), sha1: "cd".repeat(20), md5: "not-a-hash" },
      },
      {
        "@odata.type": "#microsoft.graph.security.processEvidence",
        imageFile: { sha1: "ef".repeat(20) },
        userAccount: { accountName: "svc", domainName: "CONTOSO" },
      },
      {
        "@odata.type": "#microsoft.graph.security.mailboxEvidence",
        primaryAddress: "kai@contoso.com",
        userAccount: { userPrincipalName: "kai@contoso.com" },
      },
      {
        "@odata.type": "#microsoft.graph.security.analyzedMessageEvidence",
        recipientEmailAddress: "lee@contoso.com",
        senderIp: "198.51.100.1",
        p1Sender: { emailAddress: "attacker@evil.example" },
        urls: ["https://evil.example/x", "https://evil.example/y"],
      },
      {
        "@odata.type": "#microsoft.graph.security.fileHashEvidence",
        algorithm: "sha256",
        value: "12".repeat(32),
      },
      { "@odata.type": "#microsoft.graph.security.somethingNewEvidence", ipAddress: "10.0.0.1" },
    ],
  });
  const row = expectRow(defaultAlertRowMapper(alert));

  it("flattens accounts, hosts, IPs, URLs, file hashes and mailboxes (deduplicated)", () => {
    expect(row.Accounts).toEqual(["CONTOSO\\kai", "kai@contoso.com", "CONTOSO\\svc"]);
    expect(row.Hosts).toEqual(["host1.contoso.com"]);
    expect(row.IPs).toEqual(["203.0.113.7", "198.51.100.1"]);
    expect(row.Urls).toEqual(["https://evil.example/x", "https://evil.example/y"]);
    expect(row.FileHashes).toEqual(["ab".repeat(32), "cd".repeat(20), "ef".repeat(20), "12".repeat(32)]);
    expect(row.Mailboxes).toEqual(["kai@contoso.com", "lee@contoso.com", "attacker@evil.example"]);
  });

  it("keeps unknown evidence types in Evidence", () => {
    expect(row.Evidence.at(-1)).toEqual({
      "@odata.type": "#microsoft.graph.security.somethingNewEvidence",
      ipAddress: "10.0.0.1",
      roles: [],
      detailedRoles: [],
      tags: [],
    });
  });
});

describe("keys and RowId", () => {
  it("RowId is stable, 22 characters, and changes with the version", () => {
    const a = alertKeyOf({ id: "x", lastUpdateDateTime: "2024-05-02T14:19:01.3266667Z" });
    const b = alertKeyOf({ id: "x", lastUpdateDateTime: "2024-05-02T14:19:01.3266668Z" });
    expect(alertRowId(a)).toBe(alertRowId({ ...a }));
    expect(alertRowId(a)).toHaveLength(22);
    expect(alertRowId(a)).not.toBe(alertRowId(b));
    expect(alertRowId(a)).not.toBe(alertRowId({ alertId: "y", lastUpdateDateTime: a.lastUpdateDateTime }));
  });

  it("normalizes the version, so equal instants give equal keys", () => {
    expect(alertKeyOf({ id: "x", lastUpdateDateTime: "2024-05-02T14:19:01.12Z" })).toEqual(
      alertKeyOf({ id: "x", lastUpdateDateTime: "2024-05-02T14:19:01.1200000Z" }),
    );
  });
});

describe("TimeGenerated", () => {
  const alert = parseAlert({ id: "t", lastUpdateDateTime: "2024-05-02T14:19:01.3266667Z" });

  it("is the alert's lastUpdateDateTime", () => {
    const row = expectRow(defaultAlertRowMapper(alert, { receivedAt: new Date("2024-05-02T15:00:00Z") }));
    expect(row.TimeGenerated).toBe("2024-05-02T14:19:01.3266667Z");
  });

  it("becomes the upload time when older than 2 days (LastUpdateDateTime keeps the real time)", () => {
    const result = defaultAlertRowMapper(alert, { receivedAt: new Date("2024-06-01T00:00:00Z") });
    const row = expectRow(result);
    expect(row.TimeGenerated).toBe("2024-06-01T00:00:00.000Z");
    expect(row.LastUpdateDateTime).toBe("2024-05-02T14:19:01.3266667Z");
    expect(result.ok && result.warnings.some((w) => w.field === "TimeGenerated")).toBe(true);
  });

  it("falls back to createdDateTime, and is a typed error without any timestamp", () => {
    const created = expectRow(
      defaultAlertRowMapper(
        parseAlert({ id: "c", lastUpdateDateTime: "soon", createdDateTime: "2024-01-01T00:00:00Z" }),
      ),
    );
    expect(created.TimeGenerated).toBe("2024-01-01T00:00:00Z");
    expect(created.LastUpdateDateTime).toBeNull();
    const none = defaultAlertRowMapper(parseAlert({ id: "n" }));
    expect(none.ok).toBe(false);
    expect(!none.ok && none.error.name).toBe("MappingError");
    expect(!none.ok && none.error.field).toBe("TimeGenerated");
  });
});

describe("hostile alerts", () => {
  const base = { id: "h1", lastUpdateDateTime: "2024-05-02T14:19:01.3266667Z" };

  it("huge evidence is trimmed to the limit, with EvidenceTruncated and the entities kept", () => {
    const evidence = Array.from({ length: 2_000 }, (_, i) => ({
      "@odata.type": "#microsoft.graph.security.processEvidence",
      processCommandLine: "x".repeat(100_000),
      imageFile: { fileName: `f${i}.exe`, sha256: i.toString(16).padStart(64, "0") },
      userAccount: { userPrincipalName: `user${i}@contoso.com` },
    }));
    const result = defaultAlertRowMapper(parseAlert({ ...base, evidence }));
    const row = expectRow(result);
    expect(row.EvidenceTruncated).toBe(true);
    expect(row.EvidenceCount).toBe(2_000);
    expect(bytes(row.Evidence)).toBeLessThanOrEqual(DEFAULT_ALERT_ROW_LIMITS.evidenceMaxBytes);
    expect(row.Evidence.length).toBeGreaterThan(0);
    expect(row.FileHashes).toHaveLength(DEFAULT_ALERT_ROW_LIMITS.listMaxItems);
    expect(row.Accounts).toHaveLength(DEFAULT_ALERT_ROW_LIMITS.listMaxItems);
    expect(bytes(row)).toBeLessThan(200_000);
    expect(result.ok && result.warnings.map((w) => w.field)).toEqual(
      expect.arrayContaining(["Evidence", "FileHashes", "Accounts"]),
    );
  });

  it("a single evidence item bigger than the budget is reduced, not dropped", () => {
    const evidence = [
      {
        "@odata.type": "#microsoft.graph.security.urlEvidence",
        url: "https://example.com/",
        ...Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`k${i}`, "v".repeat(2_000)])),
      },
    ];
    const row = expectRow(defaultAlertRowMapper(parseAlert({ ...base, evidence })));
    expect(row.Evidence).toHaveLength(1);
    expect(row.Evidence[0]!["@odata.type"]).toBe("#microsoft.graph.security.urlEvidence");
    expect(row.EvidenceTruncated).toBe(true);
    expect(row.Urls).toEqual(["https://example.com/"]);
  });

  it("odd types: numbers, objects and arrays where strings belong; evidence that is not an array", () => {
    const raw = {
      id: 12345,
      lastUpdateDateTime: "2024-05-02T14:19:01Z",
      title: { nested: true },
      severity: 3,
      mitreTechniques: ["T1059", 42, null, { x: 1 }],
      evidence: "not an array",
      tenantId: ["a"],
    } as unknown as DefenderAlert;
    const result = defaultAlertRowMapper(raw, { tenantId: "fallback-tenant" });
    const row = expectRow(result);
    expect(row.AlertId).toBe("12345");
    expect(row.AlertTitle).toBe("");
    expect(row.Severity).toBe("3");
    expect(row.MitreTechniques).toEqual(["T1059", "42"]);
    expect(row.Evidence).toEqual([]);
    expect(row.DefenderTenantId).toBe("fallback-tenant");
    expect(result.ok && result.warnings.map((w) => w.field)).toEqual(
      expect.arrayContaining(["AlertTitle", "Evidence", "DefenderTenantId"]),
    );
  });

  it("evidence items of odd shapes, deep nesting, cycles, __proto__ keys and non-JSON values", () => {
    let deep: Record<string, unknown> = { leaf: "x" };
    for (let i = 0; i < 50; i++) deep = { next: deep };
    const cyclic: Record<string, unknown> = { "@odata.type": "#microsoft.graph.security.ipEvidence" };
    cyclic.self = cyclic;
    const proto = JSON.parse(
      '{"@odata.type":"#microsoft.graph.security.urlEvidence","__proto__":{"polluted":1}}',
    );
    const raw = {
      ...base,
      evidence: [
        null,
        "string",
        42,
        [1, 2],
        { noType: true, value: Number.NaN, big: 10n, fn: () => 1, sym: Symbol("s") },
        { "@odata.type": 7, deep },
        cyclic,
        proto,
        {
          "@odata.type": "#microsoft.graph.security.userEvidence",
          userAccount: { accountName: "a\u0000\ud800b" },
        },
      ],
    } as unknown as DefenderAlert;
    const row = expectRow(defaultAlertRowMapper(raw));
    expect(row.EvidenceTruncated).toBe(true);
    expect(row.EvidenceCount).toBe(9);
    for (const item of row.Evidence) expect(typeof item["@odata.type"]).toBe("string");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const urlItem = row.Evidence.find((e) => e["@odata.type"].endsWith("urlEvidence"))!;
    expect(Object.hasOwn(urlItem, "__proto__")).toBe(false);
    expect(Object.getPrototypeOf(urlItem)).toBe(Object.prototype);
    expect((urlItem as Record<string, unknown>).polluted).toBeUndefined();
    expect(row.Accounts).toEqual(["a\ufffdb"]);
    expect(() => JSON.stringify(row)).not.toThrow();
  });

  it("an alert without an id is a typed error", () => {
    const result = defaultAlertRowMapper({
      lastUpdateDateTime: base.lastUpdateDateTime,
    } as unknown as DefenderAlert);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.name).toBe("MappingError");
  });

  it("long text is cut to the byte limit without splitting a character", () => {
    const row = expectRow(defaultAlertRowMapper(parseAlert({ ...base, description: "😀".repeat(10_000) })));
    expect(Buffer.byteLength(row.Description)).toBeLessThanOrEqual(
      DEFAULT_ALERT_ROW_LIMITS.descriptionMaxBytes,
    );
    expect(row.Description.endsWith("…")).toBe(true);
    expect(row.Description).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(clipUtf8("abcdef", 5)).toBe("ab…");
    expect(clipUtf8("ab", 5)).toBe("ab");
  });

  it("property: any JSON alert maps to a valid row or a typed error, within the limits", () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    const evidenceItem = fc.oneof(
      json,
      fc.record({
        "@odata.type": fc.constantFrom(
          "#microsoft.graph.security.deviceEvidence",
          "#microsoft.graph.security.userEvidence",
          "#microsoft.graph.security.ipEvidence",
          "#microsoft.graph.security.fileEvidence",
          "#microsoft.graph.security.processEvidence",
          "#microsoft.graph.security.mailboxEvidence",
          "#microsoft.graph.security.analyzedMessageEvidence",
          "#microsoft.graph.security.unknownNewEvidence",
        ),
        deviceDnsName: json,
        userAccount: json,
        ipAddress: json,
        fileDetails: json,
        imageFile: json,
        urls: json,
        primaryAddress: json,
      }),
    );
    const alertArb = fc.record(
      {
        id: fc.oneof(fc.string(), fc.integer(), json),
        lastUpdateDateTime: fc.oneof(
          fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString()),
          fc.string(),
          json,
        ),
        createdDateTime: fc.oneof(fc.constant("2024-01-01T00:00:00Z"), json),
        title: json,
        description: fc.oneof(fc.string({ maxLength: 20_000 }), json),
        mitreTechniques: json,
        evidence: fc.oneof(fc.array(evidenceItem, { maxLength: 30 }), json),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(alertArb, (raw) => {
        const result = defaultAlertRowMapper(raw as unknown as DefenderAlert);
        if (!result.ok) {
          expect(result.error.name).toBe("MappingError");
          return;
        }
        expect(alertRowSchema.safeParse(result.value).success).toBe(true);
        expect(bytes(result.value.Evidence)).toBeLessThanOrEqual(DEFAULT_ALERT_ROW_LIMITS.evidenceMaxBytes);
        for (const column of ALERT_ROW_COLUMNS) {
          expect(bytes((result.value as Record<string, unknown>)[column.name])).toBeLessThanOrEqual(
            LOGS_INGESTION_MAX_FIELD_BYTES,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("overrides", () => {
  const alert = parseAlert({ id: "o1", severity: "high", lastUpdateDateTime: "2024-05-02T14:19:01Z" });

  it("a build override can wrap the default and add a column", () => {
    const mapper = createAlertRowMapper({
      build: (a, ctx, next) => ({ ...next(a, ctx), Severity: "High", Environment_s: "prod" }) as AlertRow,
    });
    const result = mapper(alert);
    expect(result.ok && result.value).toMatchObject({
      Severity: "High",
      Environment_s: "prod",
      AlertId: "o1",
    });
  });

  it("the known columns are still validated, and a custom schema can be strict", () => {
    const broken = createAlertRowMapper({
      build: (a, ctx, next) => ({ ...next(a, ctx), TimeGenerated: "yesterday" }),
    });
    const bad = broken(alert);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.issues.map((i) => i.path)).toEqual(["TimeGenerated"]);

    const strict = createAlertRowMapper({
      build: (a, ctx, next) => ({ ...next(a, ctx), Extra: 1 }) as AlertRow,
      schema: alertRowSchema as z.ZodType<AlertRow>,
    });
    expect(strict(alert).ok).toBe(false);
    const extended = createAlertRowMapper({
      build: (a, ctx, next) => ({ ...next(a, ctx), Extra: 1 }) as AlertRow,
      schema: alertRowSchema.extend({ Extra: z.number() }) as unknown as z.ZodType<AlertRow>,
    });
    expect(extended(alert).ok).toBe(true);
  });

  it("a throwing override becomes a typed error", () => {
    const mapper = createAlertRowMapper({
      build: () => {
        throw new Error("boom");
      },
    });
    const result = mapper(alert);
    expect(!result.ok && result.error.name).toBe("MappingError");
    expect(!result.ok && result.error.message).toContain("boom");
  });

  it("limits are configurable and checked", () => {
    const small = createAlertRowMapper({ limits: { evidenceMaxBytes: 200 } });
    const payload = realisticIncidentPayload(1, 5) as { alerts: unknown[] };
    const row = expectRow(small(parseAlert(payload.alerts[0])));
    expect(bytes(row.Evidence)).toBeLessThanOrEqual(200);
    expect(row.EvidenceTruncated).toBe(true);
    expect(() => createAlertRowMapper({ limits: { evidenceMaxBytes: 100_000 } })).toThrow(RangeError);
    expect(() => createAlertRowMapper({ limits: { stringMaxBytes: 0 } })).toThrow(RangeError);
  });

  it("buildAlertRow is exported for reuse", () => {
    const warnings: unknown[] = [];
    const row = buildAlertRow(alert, {
      tenantId: undefined,
      receivedAt: undefined,
      limits: DEFAULT_ALERT_ROW_LIMITS,
      warn: (w) => warnings.push(w),
    });
    expect(row.AlertId).toBe("o1");
  });
});

describe("Sentinel incident description (verification of the existing alert summary)", () => {
  it("carries the Defender link and one line per alert with severity, title, product and key entities", () => {
    const incident = defenderIncidentSchema.parse(realisticIncidentPayload(60, 5));
    const result = defenderToSentinel(incident);
    if (!result.ok) throw result.error;
    const description = result.value.description ?? "";
    expect(description.length).toBeLessThanOrEqual(DEFAULT_MAPPING_LIMITS.descriptionMaxLength);
    expect(description).toContain(DESCRIPTION_SEPARATOR);
    expect(description).toContain(`Defender XDR incident 2972395: ${incident.incidentWebUrl}`);
    expect(description).toContain("Alerts (60):");
    expect(description).toMatch(
      /• \[High\] Suspicious execution of hidden file #\d+ · Microsoft Defender for Endpoint · \w+/,
    );
    expect(description).toMatch(/device |user |ip |file /);
  });
});
