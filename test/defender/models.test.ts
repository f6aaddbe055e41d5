import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { evolvableEnum } from "../../src/core/enum";
import { type SyncWarning, WarningChannel } from "../../src/core/warnings";
import {
  type AlertComment,
  type AlertEvidence,
  type AlertSeverity,
  alertClassificationSchema,
  alertCommentPageSchema,
  alertCommentSchema,
  alertDeterminationSchema,
  alertEvidenceSchema,
  alertSeveritySchema,
  type DefenderAlert,
  type DefenderIncident,
  type DefenderIncidentPatch,
  type DeviceEvidence,
  type DeviceRiskScore,
  defenderAlertPageSchema,
  defenderAlertSchema,
  defenderIncidentPageSchema,
  defenderIncidentPatchSchema,
  defenderIncidentSchema,
  evidenceSchemas,
  type FileEvidence,
  graphPageSchema,
  incidentStatusSchema,
  isEvidenceType,
  isGenericEvidence,
  type ProcessEvidence,
  parseWarningsOf,
  type RegistryKeyEvidence,
  serviceSourceSchema,
  serviceSourceValues,
} from "../../src/defender/models";
import { forwardParseWarnings } from "../../src/defender/parseWarnings";
import { alertSummaryLine, defaultAlertRowMapper } from "../../src/mapping";
import { listFixtures, readJson, readJsonc } from "../helpers/fixtures";

const GRAPH = "graph/examples";

/** Which schema parses each official response example (keyed by the doc name before `.<n>.response`). */
const schemaByDoc: Record<string, z.ZodType> = {
  "security-alert-get": defenderAlertSchema,
  "security-incident-get": defenderIncidentSchema,
  "security-incident-update": defenderIncidentSchema,
  "security-incident-post-comments": alertCommentPageSchema,
  "security-list-alerts_v2": defenderAlertPageSchema,
  "security-list-incidents": defenderIncidentPageSchema,
};

function readResponse(relPath: string): unknown {
  // Quirk G6: the one invalid-JSON sample is stored as .jsonc with trailing commas.
  return relPath.endsWith(".jsonc") ? readJsonc(relPath) : readJson(relPath);
}

const responseFixtures = [
  ...listFixtures(GRAPH, ".response.json"),
  ...listFixtures(GRAPH, ".response.jsonc"),
];

function only<T>(items: readonly T[] | null | undefined): T {
  expect(items).toHaveLength(1);
  return items![0]!;
}

describe("evolvableEnum", () => {
  const color = evolvableEnum(["red", "darkBlue"] as const, { aliases: { navy: "darkBlue" } });

  it("normalizes documented values case-insensitively to their documented spelling", () => {
    expect(color.parse("DARKBLUE")).toBe("darkBlue");
    expect(color.parse("DarkBlue")).toBe("darkBlue");
    expect(color.parse("red")).toBe("red");
  });

  it("keeps unknown values verbatim and maps aliases in any case", () => {
    expect(color.parse("someNewValue")).toBe("someNewValue");
    expect(color.parse("NAVY")).toBe("darkBlue");
  });

  it("still rejects non-strings", () => {
    expect(color.safeParse(3).success).toBe(false);
    expect(color.safeParse(null).success).toBe(false);
  });

  it("infers the documented members plus any string", () => {
    expectTypeOf<z.infer<typeof color>>().toEqualTypeOf<"red" | "darkBlue" | (string & {})>();
    expectTypeOf<AlertSeverity>().toEqualTypeOf<
      "unknown" | "informational" | "low" | "medium" | "high" | "unknownFutureValue" | (string & {})
    >();
  });
});

describe("Graph enums", () => {
  it("normalize PascalCase doc-sample values (quirk G1)", () => {
    expect(alertClassificationSchema.parse("TruePositive")).toBe("truePositive");
    expect(alertDeterminationSchema.parse("MultiStagedAttack")).toBe("multiStagedAttack");
    expect(incidentStatusSchema.parse("InProgress")).toBe("inProgress");
    expect(alertSeveritySchema.parse("HIGH")).toBe("high");
  });

  it("keep values added after the SDK was written", () => {
    expect(incidentStatusSchema.parse("someNewValue")).toBe("someNewValue");
    expect(alertSeveritySchema.parse("critical")).toBe("critical");
  });

  it.each([
    ["compromisedUser", "compromisedAccount"],
    ["CompromisedUser", "compromisedAccount"],
    ["clean", "notMalicious"],
    ["Clean", "notMalicious"],
    ["insufficientData", "notEnoughDataToValidate"],
    ["NoEnoughDataToValidate", "notEnoughDataToValidate"],
    ["confirmedUserActivity", "confirmedActivity"],
    ["NotAvailable", "unknown"],
  ])("reads the legacy determination %s as %s", (legacy, expected) => {
    expect(alertDeterminationSchema.parse(legacy)).toBe(expected);
  });
});

describe("official Graph response examples", () => {
  it("are all covered by a schema", () => {
    expect(responseFixtures).toHaveLength(7);
    for (const file of responseFixtures) {
      const doc = file.slice(GRAPH.length + 1).replace(/\.\d+\.response\.jsonc?$/, "");
      expect(schemaByDoc, file).toHaveProperty([doc]);
    }
  });

  it.each(responseFixtures)("%s parses", (file) => {
    const doc = file.slice(GRAPH.length + 1).replace(/\.\d+\.response\.jsonc?$/, "");
    const result = schemaByDoc[doc]!.safeParse(readResponse(file));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it.each(["security-incident-get.1.response.json", "security-incident-update.1.response.json"])(
    "%s: PascalCase enums, legacy comment names and the odd @odata.type",
    (name) => {
      const incident = defenderIncidentSchema.parse(readJson(`${GRAPH}/${name}`));
      expect(incident.id).toBe("2972395");
      // Quirk G2: kept as sent.
      expect(incident["@odata.type"]).toBe("#microsoft.graph.incident");
      // Quirk G1.
      expect(incident.classification).toBe("truePositive");
      expect(incident.determination).toBe("multiStagedAttack");
      expect(incident.status).toBe("active");
      expect(incident.severity).toBe("medium");
      expect(incident.assignedTo).toBe("KaiC@contoso.onmicrosoft.com");
      expect(incident.redirectIncidentId).toBeNull();
      expect(incident.customTags).toEqual(["Demo"]);
      expect(incident.systemTags).toEqual(["Defender Experts"]);
      expect(incident.lastUpdateDateTime).toBe("2021-09-30T09:35:45.1133333Z");
      expect(incident.alerts).toBeUndefined();
      // Quirk G4: legacy names are renamed.
      const comment = only(incident.comments);
      expect(comment).toEqual({
        comment: "Demo incident",
        createdByDisplayName: "DavidS@contoso.onmicrosoft.com",
        createdDateTime: "2021-09-30T12:07:37.2756993Z",
      });
      expect(comment).not.toHaveProperty("createdBy");
      expect(comment).not.toHaveProperty("createdTime");
    },
  );

  it("security-list-incidents.1: a page of PascalCase incidents", () => {
    const page = defenderIncidentPageSchema.parse(
      readJson(`${GRAPH}/security-list-incidents.1.response.json`),
    );
    expect(page["@odata.nextLink"]).toBeUndefined();
    const incident = only(page.value);
    expect(incident["@odata.type"]).toBe("#microsoft.graph.security.incident");
    expect(incident.classification).toBe("truePositive");
    expect(incident.description).toMatch(/Raspberry Robin .*\.\.\.$/);
    expect(only(incident.comments).createdByDisplayName).toBe("DavidS@contoso.onmicrosoft.com");
  });

  describe("security-list-incidents.2 (jsonc, $expand=alerts)", () => {
    const page = defenderIncidentPageSchema.parse(
      readJsonc(`${GRAPH}/security-list-incidents.2.response.jsonc`),
    );
    const incident = only(page.value);
    const alert = only(incident.alerts);

    it("folds legacy `tags` into customTags (quirk G3)", () => {
      expect(incident.customTags).toEqual(["Demo"]);
      expect(incident).not.toHaveProperty("tags");
      expect(incident.status).toBe("active");
    });

    it("parses the expanded alert", () => {
      expect(alert.id).toBe("da637551227677560813_-961444813");
      expect(alert.incidentId).toBe("28282");
      expect(alert.status).toBe("new");
      expect(alert.serviceSource).toBe("microsoftDefenderForEndpoint");
      expect(alert.detectionSource).toBe("antivirus");
      expect(alert.comments).toEqual([]);
      expect(alert.evidence.map((e) => e["@odata.type"])).toEqual([
        "#microsoft.graph.security.deviceEvidence",
        "#microsoft.graph.security.fileEvidence",
        "#microsoft.graph.security.processEvidence",
        "#microsoft.graph.security.registryKeyEvidence",
      ]);
    });

    it("recognizes each evidence type with its key fields", () => {
      const [device, file, process, registry] = alert.evidence;
      if (!device || !isEvidenceType(device, "deviceEvidence")) throw new Error("expected deviceEvidence");
      expect(device.mdeDeviceId).toBe("73e7e2de709dff64ef64b1d0c30e67fab63279db");
      expect(device.osBuild).toBe(22424);
      expect(device.rbacGroupId).toBe(75);
      expect(device.roles).toEqual(["compromised"]);
      expect(device.detailedRoles).toEqual(["Main device"]);
      expect(device.vmMetadata?.vmId).toBe("ca1b0d41-5a3b-4d95-b48b-f220aed11d78");

      if (!file || !isEvidenceType(file, "fileEvidence")) throw new Error("expected fileEvidence");
      expect(file.fileDetails?.fileName).toBe("MsSense.exe");
      expect(file.fileDetails?.fileSize).toBe(6136392);
      expect(file.detectionStatus).toBe("detected");
      expect(file.detailedRoles).toEqual(["Referred in command line"]);

      if (!process || !isEvidenceType(process, "processEvidence"))
        throw new Error("expected processEvidence");
      expect(process.processId).toBe(4780);
      expect(process.parentProcessImageFile?.fileName).toBe("services.exe");
      expect(process.userAccount?.accountName).toBe("SYSTEM");

      if (!registry || !isEvidenceType(registry, "registryKeyEvidence")) {
        throw new Error("expected registryKeyEvidence");
      }
      expect(registry.registryHive).toBe("HKEY_LOCAL_MACHINE");
      expect(isEvidenceType(registry, "deviceEvidence")).toBe(false);
    });
  });

  it("security-list-alerts_v2.1: alerts with evidence and systemTags", () => {
    const page = defenderAlertPageSchema.parse(readJson(`${GRAPH}/security-list-alerts_v2.1.response.json`));
    const alert = only(page.value);
    expect(alert.severity).toBe("low");
    expect(alert.classification).toBe("unknown");
    expect(alert.determination).toBe("unknown");
    expect(alert.mitreTechniques).toEqual(["T1564.001"]);
    expect(alert.systemTags).toEqual(["Defender Experts"]);
    const process = alert.evidence.find((e) => isEvidenceType(e, "processEvidence")) as ProcessEvidence;
    // Quirk G11: userAccount.displayName is present here.
    expect(process.userAccount?.displayName).toBe("System");
  });

  it("security-alert-get.1: a single alert", () => {
    const alert = defenderAlertSchema.parse(readJson(`${GRAPH}/security-alert-get.1.response.json`));
    expect(alert["@odata.type"]).toBe("#microsoft.graph.security.alert");
    expect(alert.id).toBe("da637578995287051192_756343937");
    expect(alert.category).toBe("DefenseEvasion");
    expect(alert.resolvedDateTime).toBeNull();
    expect(alert.assignedTo).toBeNull();
    // Quirk G7: replacement characters are kept as-is.
    expect(alert.recommendedActions).toContain("organization\uFFFDs perimeter");
    const device = alert.evidence[0] as DeviceEvidence;
    expect(device.deviceDnsName).toBe("tempDns");
    expect(device.tags).toEqual(["Test Machine"]);
    expect(device.verdict).toBe("unknown");
    expect(device.remediationStatus).toBe("none");
  });

  it("security-incident-post-comments.1: the whole comment list with v1.0 names", () => {
    const page = alertCommentPageSchema.parse(
      readJson(`${GRAPH}/security-incident-post-comments.1.response.json`),
    );
    expect(page["@odata.context"]).toContain("/comments");
    expect(page.value.map((c) => c.comment)).toEqual(["test", "Demo for docs"]);
    expect(page.value[1]).toEqual({
      comment: "Demo for docs",
      createdByDisplayName: "secAdmin@contoso.com",
      createdDateTime: "2022-10-13T07:08:50.5821324Z",
    });
  });
});

describe("alertCommentSchema", () => {
  it("prefers the v1.0 names when both spellings are present", () => {
    const comment = alertCommentSchema.parse({
      comment: "x",
      createdByDisplayName: "new@contoso.com",
      createdBy: "old@contoso.com",
      createdDateTime: "2024-01-01T00:00:00Z",
      createdTime: "2020-01-01T00:00:00Z",
    });
    expect(comment.createdByDisplayName).toBe("new@contoso.com");
    expect(comment.createdDateTime).toBe("2024-01-01T00:00:00Z");
  });

  it("keeps unknown properties", () => {
    expect(alertCommentSchema.parse({ comment: "x", "@odata.type": "#c" })).toMatchObject({
      "@odata.type": "#c",
    });
  });
});

describe("alertEvidenceSchema", () => {
  it("keeps an unknown evidence type with all its fields", () => {
    const raw = {
      "@odata.type": "#microsoft.graph.security.kubernetesPodEvidence",
      createdDateTime: "2024-05-01T00:00:00Z",
      verdict: "Malicious",
      remediationStatus: "someNewStatus",
      roles: ["attacked", "brandNewRole"],
      podName: "evil-pod",
      containers: [{ name: "c1", image: { digest: "sha256:abc" } }],
      namespace: { name: "default" },
    };
    const evidence = alertEvidenceSchema.parse(raw);
    expect(evidence["@odata.type"]).toBe("#microsoft.graph.security.kubernetesPodEvidence");
    expect(evidence.verdict).toBe("malicious");
    expect(evidence.remediationStatus).toBe("someNewStatus");
    expect(evidence.roles).toEqual(["attacked", "brandNewRole"]);
    expect(evidence).toMatchObject({
      podName: "evil-pod",
      containers: raw.containers,
      namespace: raw.namespace,
    });
    expect(evidence.detailedRoles).toEqual([]);
    expect(evidence.tags).toEqual([]);
  });

  it("recognizes a known type whatever the @odata.type spelling and outputs the canonical one", () => {
    const evidence = alertEvidenceSchema.parse({
      "@odata.type": "microsoft.graph.security.IpEvidence",
      ipAddress: "10.0.0.1",
      countryLetterCode: "US",
      location: { city: "Redmond", latitude: 47.6 },
    });
    expect(evidence["@odata.type"]).toBe("#microsoft.graph.security.ipEvidence");
    if (!isEvidenceType(evidence, "ipEvidence")) throw new Error("expected ipEvidence");
    expect(evidence.ipAddress).toBe("10.0.0.1");
    expect(evidence.location?.city).toBe("Redmond");
  });

  it("accepts numeric strings for int64/int32 fields, and keeps unsafe ones as strings", () => {
    const evidence = alertEvidenceSchema.parse({
      "@odata.type": "#microsoft.graph.security.deviceEvidence",
      osBuild: "22424",
      rbacGroupId: "75",
      extraField: true,
    }) as DeviceEvidence;
    expect(evidence.osBuild).toBe(22424);
    expect(evidence.rbacGroupId).toBe(75);
    expect(evidence).toMatchObject({ extraField: true });
    const big = alertEvidenceSchema.parse({
      "@odata.type": "#microsoft.graph.security.cloudApplicationEvidence",
      appId: "90071992547409930",
    });
    expect(big).toMatchObject({ appId: "90071992547409930" });
  });

  it("reads null lists and missing base fields", () => {
    const evidence = alertEvidenceSchema.parse({
      "@odata.type": "#microsoft.graph.security.urlEvidence",
      url: "https://contoso.example/x",
      roles: null,
      tags: null,
      verdict: null,
    });
    expect(evidence.roles).toEqual([]);
    expect(evidence.tags).toEqual([]);
    expect(evidence.verdict).toBeNull();
    expect(evidence.createdDateTime).toBeUndefined();
  });

  it("parses each modelled type", () => {
    const samples: Array<[string, Record<string, unknown>, string, unknown]> = [
      [
        "userEvidence",
        { userAccount: { accountName: "kai", userSid: "S-1" } },
        "userAccount",
        { accountName: "kai", userSid: "S-1" },
      ],
      [
        "mailboxEvidence",
        { primaryAddress: "a@contoso.com", upn: "a@contoso.com" },
        "primaryAddress",
        "a@contoso.com",
      ],
      [
        "analyzedMessageEvidence",
        { networkMessageId: "n1", p1Sender: { emailAddress: "x@y" }, urlCount: 2 },
        "urlCount",
        2,
      ],
      [
        "mailClusterEvidence",
        { clusterBy: "Subject", emailCount: "12", networkMessageIds: ["n1"] },
        "emailCount",
        12,
      ],
      ["oauthApplicationEvidence", { appId: "b1c2", publisher: "Contoso" }, "appId", "b1c2"],
      [
        "registryValueEvidence",
        { registryKey: "K", registryValueName: "V", registryValueType: "String" },
        "registryValueName",
        "V",
      ],
      ["securityGroupEvidence", { securityGroupId: "g1", displayName: "Admins" }, "displayName", "Admins"],
    ];
    for (const [type, fields, key, expected] of samples) {
      const evidence = alertEvidenceSchema.parse({
        "@odata.type": `#microsoft.graph.security.${type}`,
        ...fields,
      });
      expect(evidence["@odata.type"]).toBe(`#microsoft.graph.security.${type}`);
      expect(evidence).toHaveProperty([key], expected);
    }
  });

  it("rejects a known type whose key field has the wrong type instead of downgrading it", () => {
    const result = alertEvidenceSchema.safeParse({
      "@odata.type": "#microsoft.graph.security.fileEvidence",
      fileDetails: "not an object",
    });
    expect(result.success).toBe(false);
  });

  it("types evidence as a union narrowed by isEvidenceType", () => {
    expectTypeOf<AlertEvidence>().toExtend<{ "@odata.type": string }>();
    expectTypeOf<FileEvidence["@odata.type"]>().toEqualTypeOf<"#microsoft.graph.security.fileEvidence">();
    expectTypeOf<RegistryKeyEvidence["registryHive"]>().toEqualTypeOf<string | null | undefined>();
  });
});

describe("defenderIncidentSchema", () => {
  it("needs only an id; comments default to []", () => {
    const incident = defenderIncidentSchema.parse({ id: "1" });
    expect(incident.comments).toEqual([]);
    expect(incident.customTags).toBeUndefined();
    expect(defenderIncidentSchema.parse({ id: "1", comments: null }).comments).toEqual([]);
    expect(defenderIncidentSchema.safeParse({ displayName: "no id" }).success).toBe(false);
  });

  it("keeps unknown properties and unknown enum values", () => {
    const incident = defenderIncidentSchema.parse({
      id: "2",
      status: "someNewValue",
      determination: "compromisedUser",
      priorityScore: 91,
      recommendedActions: "beta-only field",
    });
    expect(incident.status).toBe("someNewValue");
    expect(incident.determination).toBe("compromisedAccount");
    expect(incident.priorityScore).toBe(91);
    expect(incident).toMatchObject({ recommendedActions: "beta-only field" });
  });

  it("prefers customTags over legacy tags, and reads redirected incidents", () => {
    const incident = defenderIncidentSchema.parse({
      id: "3",
      customTags: ["a"],
      tags: ["b"],
      status: "Redirected",
      redirectIncidentId: "4",
    });
    expect(incident.customTags).toEqual(["a"]);
    expect(incident.status).toBe("redirected");
    expect(incident.redirectIncidentId).toBe("4");
  });

  it("has v1.0 comment names in its type", () => {
    expectTypeOf<DefenderIncident["comments"]>().toEqualTypeOf<AlertComment[]>();
    expectTypeOf<AlertComment["createdByDisplayName"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<DefenderIncident["customTags"]>().toEqualTypeOf<string[] | null | undefined>();
    // Loose objects keep unknown properties, and their types say so.
    expectTypeOf<DefenderIncident["notModelled"]>().toBeUnknown();
    expectTypeOf<AlertComment["notModelled"]>().toBeUnknown();
    expectTypeOf<DefenderAlert["evidence"]>().toEqualTypeOf<AlertEvidence[]>();
  });
});

describe("graphPageSchema", () => {
  it("reads nextLink and count", () => {
    const page = graphPageSchema(defenderAlertSchema).parse({
      "@odata.context": "ctx",
      "@odata.count": 120,
      "@odata.nextLink": "https://graph.microsoft.com/v1.0/security/alerts_v2?$skip=50",
      value: [{ id: "a1" }],
    });
    expect(page["@odata.count"]).toBe(120);
    expect(page["@odata.nextLink"]).toContain("$skip=50");
    expect(page.value[0]?.evidence).toEqual([]);
  });
});

describe("defenderIncidentPatchSchema", () => {
  it("accepts the writable fields", () => {
    const patch = {
      status: "resolved",
      assignedTo: null,
      classification: "truePositive",
      determination: "malware",
      customTags: ["synced"],
      description: "d",
      displayName: "n",
      severity: "high",
      resolvingComment: "done",
    } as const;
    expect(defenderIncidentPatchSchema.parse(patch)).toEqual(patch);
    expect(defenderIncidentPatchSchema.parse({})).toEqual({});
  });

  it.each([
    [{ id: "1" }],
    [{ comments: [] }],
    [{ systemTags: ["x"] }],
    [{ redirectIncidentId: "2" }],
    [{ lastUpdateDateTime: "2024-01-01T00:00:00Z" }],
  ])("rejects the non-writable field in %j", (body) => {
    const result = defenderIncidentPatchSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe("unrecognized_keys");
  });

  it("writes only exact enum values", () => {
    expect(defenderIncidentPatchSchema.safeParse({ classification: "TruePositive" }).success).toBe(false);
    expect(defenderIncidentPatchSchema.safeParse({ determination: "compromisedUser" }).success).toBe(false);
    expect(defenderIncidentPatchSchema.safeParse({ status: "someNewValue" }).success).toBe(false);
  });

  it("types only writable fields", () => {
    expectTypeOf<keyof DefenderIncidentPatch>().toEqualTypeOf<
      | "status"
      | "assignedTo"
      | "classification"
      | "determination"
      | "customTags"
      | "description"
      | "displayName"
      | "severity"
      | "resolvingComment"
      | "summary"
    >();
    expectTypeOf<DefenderIncidentPatch["assignedTo"]>().toEqualTypeOf<string | null | undefined>();
  });
});

describe("defenderAlertSchema on its own (alerts_v2)", () => {
  const official = readJson<Record<string, unknown>>(`${GRAPH}/security-alert-get.1.response.json`);

  it("keeps a field with a bad value as sent, with a warning", () => {
    const alert = defenderAlertSchema.parse({ ...official, lastUpdateDateTime: "soon", severity: 3 });
    expect(alert.lastUpdateDateTime).toBe("soon");
    expect(alert.severity).toBe(3);
    expect(parseWarningsOf(alert).map((w) => [w.code, w.path, w.alertId])).toEqual([
      ["alertFieldKeptRaw", "severity", official.id],
      ["alertFieldKeptRaw", "lastUpdateDateTime", official.id],
    ]);
  });

  it("fails without a string id, or when its evidence is not a list", () => {
    expect(defenderAlertSchema.safeParse({ ...official, id: 7 }).error?.issues[0]?.path).toEqual(["id"]);
    expect(defenderAlertSchema.safeParse({ ...official, evidence: "none" }).error?.issues[0]?.path).toEqual([
      "evidence",
    ]);
  });

  it("keeps an odd evidence item generic instead of failing", () => {
    const alert = defenderAlertSchema.parse({
      ...official,
      evidence: [{ "@odata.type": "#microsoft.graph.security.fileEvidence", fileDetails: 42 }],
    });
    expect(isGenericEvidence(alert.evidence[0])).toBe(true);
    expect(parseWarningsOf(alert)).toMatchObject([
      { code: "evidenceKeptGeneric", reason: "malformed", path: "evidence.0" },
    ]);
  });
});

describe("alert categories", () => {
  const official = readJson<Record<string, unknown>>(`${GRAPH}/security-alert-get.1.response.json`);

  it("reads categories, and the mapping prefers them over the single category", () => {
    const alert = defenderAlertSchema.parse({ ...official, categories: ["Execution", "Persistence"] });
    expect(alert.categories).toEqual(["Execution", "Persistence"]);
    expect(alertSummaryLine(alert)).toContain(" · Execution, Persistence");
    expect(alertSummaryLine(alert)).not.toContain("DefenseEvasion");
    const row = defaultAlertRowMapper(alert);
    expect(row.ok && row.value.Category).toBe("Execution, Persistence");
  });

  it("falls back to category when categories are missing or empty", () => {
    for (const categories of [undefined, null, [], [""]]) {
      const alert = defenderAlertSchema.parse({ ...official, categories });
      expect(alertSummaryLine(alert)).toContain(" · DefenseEvasion");
      const row = defaultAlertRowMapper(alert);
      expect(row.ok && row.value.Category).toBe("DefenseEvasion");
    }
  });
});

describe("the enums Graph added", () => {
  it("serviceSource knows microsoftSecurityForAI (after unknownFutureValue)", () => {
    expect(serviceSourceValues.at(-1)).toBe("microsoftSecurityForAI");
    expect(serviceSourceSchema.parse("MicrosoftSecurityForAI")).toBe("microsoftSecurityForAI");
  });

  it("device evidence reads its status fields as enums", () => {
    const device = evidenceSchemas.deviceEvidence.parse({
      "@odata.type": "#microsoft.graph.security.deviceEvidence",
      healthStatus: "ImpairedCommunication",
      onboardingStatus: "CanBeOnboarded",
      riskScore: "High",
      defenderAvStatus: "NotUpdated",
      vmMetadata: { cloudProvider: "Azure" },
    });
    expect(device).toMatchObject({
      healthStatus: "impairedCommunication",
      onboardingStatus: "canBeOnboarded",
      riskScore: "high",
      defenderAvStatus: "notUpdated",
      vmMetadata: { cloudProvider: "azure" },
    });
    expectTypeOf<DeviceEvidence["riskScore"]>().toEqualTypeOf<DeviceRiskScore | null | undefined>();
  });
});

describe("parse warnings on a client's channel", () => {
  const incidentWith = (id: string, evidence: unknown[]) =>
    defenderIncidentSchema.parse({ id, alerts: [{ id: `${id}-a`, evidence }] });

  it("announces an unknown evidence type or enum value once, every malformed item each time", () => {
    const channel = new WarningChannel();
    const seen: SyncWarning[] = [];
    channel.subscribe((w) => seen.push(w));
    const odd = [
      { "@odata.type": "#microsoft.graph.security.futureEvidence" },
      { "@odata.type": "#microsoft.graph.security.ipEvidence", verdict: "veryBad", ipAddress: 1 },
      { "@odata.type": "#microsoft.graph.security.urlEvidence", verdict: "veryBad" },
    ];
    forwardParseWarnings(channel, incidentWith("1", odd));
    forwardParseWarnings(channel, incidentWith("2", odd));
    expect(seen.map((w) => [w.code, w.detail?.incidentId, w.detail?.reason ?? w.detail?.enumName])).toEqual([
      ["evidenceKeptGeneric", "1", "unknownType"],
      ["evidenceKeptGeneric", "1", "malformed"],
      ["enumValueUnknown", "1", "evidenceVerdict"],
      ["evidenceKeptGeneric", "2", "malformed"],
    ]);
    expect(seen[1]).toMatchObject({
      service: "defender",
      detail: {
        path: "alerts.0.evidence.1",
        alertId: "1-a",
        issues: [{ path: "alerts.0.evidence.1.ipAddress" }],
      },
    });
  });
});
