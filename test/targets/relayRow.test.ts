import { describe, expect, it } from "vitest";
import { InvalidArgumentError, isMappingError } from "../../src/core/errors";
import { type DefenderIncident, defenderIncidentSchema } from "../../src/defender/models";
import {
  buildRelayRow,
  buildRelayRows,
  cutRelayText,
  DEFAULT_RELAY_ROW_LIMITS,
  RELAY_ENTITIES_TRUNCATED_TYPE,
  RELAY_ROW_COLUMNS,
  RELAY_TRUNCATION_MARKER,
  type RelayRow,
  relayRowIdOf,
  relayRowSchema,
} from "../../src/targets/relayRow";
import { readJsonc } from "../helpers/fixtures";

const TENANT = "b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c";
const NOW = new Date("2021-08-13T10:00:00Z");
const EV = "#microsoft.graph.security.";

const fixtureIncidents = readJsonc<{ value: unknown[] }>(
  "graph/examples/security-list-incidents.2.response.jsonc",
).value.map((raw) => defenderIncidentSchema.parse(raw));
const fixture = fixtureIncidents[0]!;

const bytes = (s: string) => Buffer.byteLength(s);
const json = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

/** A source incident as plain data (not parsed: the relay must cope with whatever it is handed). */
function incident(alerts: Record<string, unknown>[], extra: Record<string, unknown> = {}): DefenderIncident {
  return {
    id: "42",
    displayName: "Ransomware on two hosts",
    severity: "high",
    alerts: alerts.map((a, i) => ({ id: `alert-${i}`, lastUpdateDateTime: "2021-08-13T09:00:00Z", ...a })),
    ...extra,
  } as unknown as DefenderIncident;
}

function row(inc: DefenderIncident, alert = inc.alerts![0]!, now = NOW): RelayRow {
  const result = buildRelayRow(inc, alert, { sourceTenantId: TENANT, now });
  if (!result.ok) throw result.error;
  expect(relayRowSchema.safeParse(result.value).success).toBe(true);
  return result.value;
}

function warningsOf(inc: DefenderIncident, alert = inc.alerts![0]!) {
  const result = buildRelayRow(inc, alert, { sourceTenantId: TENANT, now: NOW });
  if (!result.ok) throw result.error;
  return result.warnings;
}

describe("table schema", () => {
  const names = RELAY_ROW_COLUMNS.map((c) => c.name);

  it("the zod schema has exactly the columns, in order", () => {
    expect(Object.keys(relayRowSchema.shape)).toEqual(names);
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

  it("the values of a row have the column types", () => {
    const sample = row(fixture) as Record<string, unknown>;
    for (const column of RELAY_ROW_COLUMNS) {
      const value = sample[column.name];
      const expected = { string: "string", datetime: "string", dynamic: "object", int: "number" }[
        column.type
      ];
      expect(typeof value, column.name).toBe(expected);
    }
    expect(Array.isArray(sample.Entities)).toBe(true);
  });
});

describe("rows from the Graph example incident", () => {
  it("one valid row per alert, with the source keys and Sentinel-cased severities", () => {
    const rows = buildRelayRows(fixture, undefined, { sourceTenantId: TENANT, now: NOW });
    expect(rows).toHaveLength(fixture.alerts!.length);
    for (const [i, r] of rows.entries()) {
      expect(relayRowSchema.safeParse(r).success).toBe(true);
      expect(r).toMatchObject({
        SourceTenantId: TENANT,
        SourceIncidentId: fixture.id,
        SourceAlertId: fixture.alerts![i]!.id,
      });
      expect(["High", "Medium", "Low", "Informational"]).toContain(r.AlertSeverity);
    }
    const first = rows[0]!;
    expect(first.IncidentSeverity).toBe("Medium");
    expect(first.AlertSeverity).toBe("Low");
    expect(first.AlertTitle).toBe("Suspicious execution of hidden file");
    expect(first.Tactics).toBe("DefenseEvasion");
    expect(first.Techniques).toBe("T1564.001");
    expect(first.SourceAlertWebUrl).toMatch(/^https:\/\/security\.microsoft\.com\/alerts\//);
  });

  it("flattens the first account, host and file, and keeps all evidence in Entities", () => {
    const r = row(fixture);
    expect(r).toMatchObject({
      AccountName: "SYSTEM",
      AccountNTDomain: "NT AUTHORITY",
      AccountUpn: "",
      HostName: "tempDns",
      HostMdeDeviceId: "73e7e2de709dff64ef64b1d0c30e67fab63279db",
      FileName: "MsSense.exe",
      FileDirectory: "C:\\Program Files\\temp",
      FileSha256: "8963a19fb992ad9a76576c5638fd68292cffb9aaac29eb8285f9abf6196a7dec",
      FileHashAlgorithm: "SHA256",
    });
    expect(r.Entities.map((e) => e["@odata.type"])).toEqual(
      fixture.alerts![0]!.evidence.map((e) => e["@odata.type"]),
    );
  });
});

describe("entity columns", () => {
  const alert: Record<string, unknown> = {
    evidence: [
      { "@odata.type": `${EV}ipEvidence`, ipAddress: "203.0.113.7" },
      {
        "@odata.type": `${EV}userEvidence`,
        userAccount: {
          userPrincipalName: "kai@contoso.com",
          accountName: "kai",
          domainName: "CONTOSO",
          azureAdUserId: "6f1c6d3e-0000-4a3b-9d7e-2b9f0c4e7a11",
        },
      },
      {
        "@odata.type": `${EV}deviceEvidence`,
        deviceDnsName: "web01.corp.contoso.com",
        ntDomain: "CORP",
        mdeDeviceId: "abc123",
        loggedOnUsers: [{ accountName: "other", domainName: "X" }],
      },
      { "@odata.type": `${EV}urlEvidence`, url: "https://evil.example/x" },
      { "@odata.type": `${EV}mailboxEvidence`, primaryAddress: "kai@contoso.com" },
      { "@odata.type": `${EV}fileHashEvidence`, algorithm: "sha256", value: "A".repeat(64) },
    ] as never,
  };

  it("splits UPN, host FQDN and picks the first of each kind", () => {
    expect(row(incident([alert]))).toMatchObject({
      AccountUpn: "kai@contoso.com",
      AccountName: "kai",
      AccountUPNSuffix: "contoso.com",
      AccountNTDomain: "CONTOSO",
      AccountAadUserId: "6f1c6d3e-0000-4a3b-9d7e-2b9f0c4e7a11",
      HostName: "web01",
      HostDnsDomain: "corp.contoso.com",
      HostNTDomain: "CORP",
      HostMdeDeviceId: "abc123",
      IPAddress: "203.0.113.7",
      Url: "https://evil.example/x",
      MailboxPrimaryAddress: "kai@contoso.com",
      // A bare hash evidence when no file is named: lower-cased, no file name attached.
      FileSha256: "a".repeat(64),
      FileHashAlgorithm: "SHA256",
      FileName: "",
    });
  });

  it("a file with a SHA-256 wins over an earlier one without; a hash is never paired with another file", () => {
    const files = incident([
      {
        evidence: [
          { "@odata.type": `${EV}fileEvidence`, fileDetails: { fileName: "a.txt" } },
          { "@odata.type": `${EV}fileHashEvidence`, algorithm: "sha256", value: "b".repeat(64) },
          { "@odata.type": `${EV}processEvidence`, imageFile: { fileName: "p.exe", sha256: "C".repeat(64) } },
        ] as never,
      },
      {
        evidence: [
          { "@odata.type": `${EV}fileEvidence`, fileDetails: { fileName: "only.txt", sha256: "nothex" } },
        ] as never,
      },
    ]);
    expect(row(files)).toMatchObject({ FileName: "p.exe", FileSha256: "c".repeat(64) });
    expect(row(files, files.alerts![1]!)).toMatchObject({
      FileName: "only.txt",
      FileSha256: "",
      FileHashAlgorithm: "",
    });
  });

  it("an alert without evidence has empty entity columns and an empty Entities array", () => {
    const r = row(incident([{ evidence: [] }]));
    for (const column of [
      "AccountName",
      "HostName",
      "IPAddress",
      "Url",
      "FileSha256",
      "MailboxPrimaryAddress",
    ])
      expect((r as Record<string, unknown>)[column], column).toBe("");
    expect(r.Entities).toEqual([]);
  });
});

describe("limits", () => {
  it("cuts text to its byte budget with a visible marker, never inside a surrogate pair", () => {
    const cut = cutRelayText("😀".repeat(5000), 5000);
    expect(bytes(cut)).toBeLessThanOrEqual(5000);
    expect(cut.endsWith(RELAY_TRUNCATION_MARKER)).toBe(true);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(cutRelayText("short", 5000)).toBe("short");
  });

  it("titles fit the 256-byte alert name and the description fits 5 KB", () => {
    const inc = incident([{ title: "T".repeat(1000), description: "é".repeat(100_000) }], {
      displayName: "I".repeat(1000),
    });
    const r = row(inc);
    expect(bytes(r.IncidentTitle)).toBeLessThanOrEqual(DEFAULT_RELAY_ROW_LIMITS.incidentTitleMaxBytes);
    expect(bytes(r.AlertTitle)).toBeLessThanOrEqual(DEFAULT_RELAY_ROW_LIMITS.alertTitleMaxBytes);
    expect(bytes(`${r.IncidentTitle} | ${r.AlertTitle}`)).toBeLessThanOrEqual(256);
    expect(bytes(r.AlertDescription)).toBeLessThanOrEqual(5000);
    for (const text of [r.IncidentTitle, r.AlertTitle, r.AlertDescription])
      expect(text.endsWith(RELAY_TRUNCATION_MARKER)).toBe(true);
    expect(
      warningsOf(inc)
        .filter((w) => w.kind === "truncated")
        .map((w) => w.field)
        .sort(),
    ).toEqual(["AlertDescription", "AlertTitle", "IncidentTitle"]);
  });

  it("Entities stays valid JSON within its budget and ends with a marker when evidence was left out", () => {
    const evidence = Array.from({ length: 400 }, (_, i) => ({
      "@odata.type": `${EV}processEvidence`,
      processCommandLine: `cmd ${i} ${"x".repeat(1500)}`,
      imageFile: { fileName: `p${i}.exe` },
    }));
    const inc = incident([{ evidence: evidence as never }]);
    const r = row(inc);
    expect(json(r.Entities)).toBeLessThanOrEqual(DEFAULT_RELAY_ROW_LIMITS.entitiesMaxBytes);
    expect(r.Entities.at(-1)).toEqual({
      "@odata.type": RELAY_ENTITIES_TRUNCATED_TYPE,
      kept: r.Entities.length - 1,
      total: 400,
    });
    expect(r.Entities.length).toBeGreaterThan(10);
    expect(warningsOf(inc).some((w) => w.field === "Entities" && w.kind === "truncated")).toBe(true);
    const big = buildRelayRow(inc, inc.alerts![0]!, {
      sourceTenantId: TENANT,
      now: NOW,
      limits: { entitiesMaxBytes: 65_536 },
    });
    expect(big.ok && json(big.value.Entities)).toBeLessThanOrEqual(65_536);
    expect(big.ok && big.value.Entities.length).toBeGreaterThan(r.Entities.length);
  });

  it("refuses limits above the service's 64 KB field limit", () => {
    const inc = incident([{}]);
    const build = (limits: Record<string, number>) =>
      buildRelayRow(inc, inc.alerts![0]!, { sourceTenantId: TENANT, limits });
    expect(() => build({ entitiesMaxBytes: 65_537 })).toThrow(InvalidArgumentError);
    expect(() => build({ descriptionMaxBytes: 10 })).toThrow(/descriptionMaxBytes/);
  });
});

describe("values", () => {
  it("maps severities to Sentinel casing (unknown and missing become Informational)", () => {
    const inc = incident(
      [{ severity: "high" }, { severity: "unknown" }, { severity: "somethingNew" as never }, {}],
      { severity: "informational" },
    );
    expect(inc.alerts!.map((a) => row(inc, a).AlertSeverity)).toEqual([
      "High",
      "Informational",
      "Informational",
      "Informational",
    ]);
    expect(row(inc).IncidentSeverity).toBe("Informational");
  });

  it("keeps only ATT&CK tactics and technique ids", () => {
    const inc = incident([
      { category: "CommandAndControl", mitreTechniques: ["t1071", "bogus", "T1059.001"] },
      { category: "Malware", mitreTechniques: [] },
      { category: "Lateral Movement" },
    ]);
    expect(inc.alerts!.map((a) => [row(inc, a).Tactics, row(inc, a).Techniques])).toEqual([
      ["CommandAndControl", "T1071,T1059.001"],
      ["", ""],
      ["LateralMovement", ""],
    ]);
  });

  it("TimeGenerated is the alert version's time, or the upload time when it is too old, in the future or missing", () => {
    const inc = incident([
      { lastUpdateDateTime: "2021-08-13T09:00:00Z" },
      { lastUpdateDateTime: "2021-08-10T09:00:00Z" },
      { lastUpdateDateTime: "2021-08-14T09:00:00Z" },
      { lastUpdateDateTime: null, createdDateTime: "2021-08-13T08:00:00Z" },
      { lastUpdateDateTime: "yesterday" },
    ]);
    expect(inc.alerts!.map((a) => row(inc, a).TimeGenerated)).toEqual([
      "2021-08-13T09:00:00Z",
      NOW.toISOString(),
      NOW.toISOString(),
      "2021-08-13T08:00:00Z",
      NOW.toISOString(),
    ]);
    expect(warningsOf(inc, inc.alerts![1]!)).toContainEqual(
      expect.objectContaining({ field: "TimeGenerated" }),
    );
  });

  it("RelayRowId is stable per tenant, alert and version", () => {
    const a = { id: "da1", lastUpdateDateTime: "2021-08-13T09:00:00Z" };
    const id = relayRowIdOf(TENANT, a);
    expect(relayRowIdOf(TENANT.toUpperCase(), { ...a, lastUpdateDateTime: "2021-08-13T09:00:00.000Z" })).toBe(
      id,
    );
    expect(relayRowIdOf(TENANT, { ...a, lastUpdateDateTime: "2021-08-13T09:00:01Z" })).not.toBe(id);
    expect(relayRowIdOf("other-tenant", a)).not.toBe(id);
    expect(relayRowIdOf(TENANT, { ...a, id: "da2" })).not.toBe(id);
    const inc = incident([a]);
    expect(row(inc).RelayRowId).toBe(id);
    expect(row(inc, inc.alerts![0]!, new Date("2021-08-13T11:00:00Z")).RelayRowId).toBe(id);
  });
});

describe("bad input", () => {
  it("hostile field values still give a valid row", () => {
    const hostile = JSON.parse(
      '{"id":"h1","title":42,"description":{"x":1},"severity":7,"category":["x"],"alertWebUrl":"\\u0000http://x","evidence":{"not":"array"},"__proto__":{"polluted":true}}',
    );
    const inc = { id: "9", displayName: null, alerts: [hostile] } as unknown as DefenderIncident;
    const r = row(inc, hostile);
    // Scalars are printed, as in the alert sink's rows; objects are dropped.
    expect(r).toMatchObject({
      AlertTitle: "42",
      AlertDescription: "",
      AlertSeverity: "Informational",
      IncidentTitle: "",
    });
    expect(r.SourceAlertWebUrl).toBe("http://x");
    expect(r.Entities).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("an alert without an id is a MappingError; buildRelayRows sends nothing then", () => {
    const inc = incident([{}]);
    const noId = { ...inc.alerts![0]!, id: "" };
    const result = buildRelayRow(inc, noId, { sourceTenantId: TENANT, now: NOW });
    expect(result.ok).toBe(false);
    expect(!result.ok && isMappingError(result.error)).toBe(true);
    expect(() => buildRelayRows(inc, [inc.alerts![0]!, noId], { sourceTenantId: TENANT })).toThrow(/AlertId/);
  });

  it("an incident without an id cannot be relayed", () => {
    const inc = { id: "", alerts: [{ id: "a" }] } as unknown as DefenderIncident;
    const result = buildRelayRow(inc, inc.alerts![0]!, { sourceTenantId: TENANT, now: NOW });
    expect(!result.ok && result.error.issues.map((i) => i.path)).toEqual(["SourceIncidentId"]);
  });

  it("the source tenant is required", () => {
    const inc = incident([{}]);
    expect(() => buildRelayRow(inc, inc.alerts![0]!, { sourceTenantId: " " })).toThrow(InvalidArgumentError);
    expect(() => buildRelayRows(inc, undefined, undefined as never)).toThrow(InvalidArgumentError);
  });
});
