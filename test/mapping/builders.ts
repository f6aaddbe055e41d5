/**
 * Builders and fast-check arbitraries for Defender and Sentinel incidents, shared by the mapping tests and the
 * mapping benchmark.
 */
import fc from "fast-check";
import {
  alertClassificationValues,
  alertDeterminationValues,
  alertSeverityValues,
  type DefenderIncident,
  type DefenderIncidentPatch,
  defenderIncidentSchema,
  incidentStatusValues,
} from "../../src/defender/models";
import {
  type SentinelIncidentProperties,
  sentinelClassificationReasonValues,
  sentinelClassificationValues,
  sentinelIncidentPropertiesSchema,
  sentinelSeverityValues,
  sentinelStatusValues,
} from "../../src/sentinel/models";

/** A parsed Defender incident from a partial raw payload. */
export function defenderIncident(raw: Record<string, unknown> = {}): DefenderIncident {
  return defenderIncidentSchema.parse({
    id: "1001",
    displayName: "Suspicious activity on host1",
    description: "Something happened.",
    severity: "medium",
    status: "active",
    incidentWebUrl: "https://security.microsoft.com/incidents/1001?tid=00000000-0000-0000-0000-000000000001",
    customTags: [],
    ...raw,
  });
}

/** Parsed Sentinel incident properties from a partial raw payload. */
export function sentinelProperties(raw: Record<string, unknown> = {}): SentinelIncidentProperties {
  return sentinelIncidentPropertiesSchema.parse({
    title: "Sentinel incident",
    severity: "Medium",
    status: "New",
    ...raw,
  });
}

/** Applies a Graph PATCH to a Defender incident the way the service would (fields given replace old ones). */
export function applyDefenderPatch(
  incident: DefenderIncident,
  patch: DefenderIncidentPatch,
): DefenderIncident {
  return defenderIncidentSchema.parse({ ...incident, ...patch });
}

/** A Defender incident that only has what a PATCH gave it (plus an id). */
export function defenderFromPatch(id: string, patch: DefenderIncidentPatch): DefenderIncident {
  return defenderIncidentSchema.parse({ id, ...patch });
}

// ---------------------------------------------------------------------------------------------------------------
// Realistic payloads (benchmark, hostile tests)

const EVIDENCE_KINDS = ["device", "user", "ip", "file", "process"] as const;

function evidence(kind: (typeof EVIDENCE_KINDS)[number], i: number, j: number): Record<string, unknown> {
  const common = {
    createdDateTime: "2024-05-01T10:00:00.1234567Z",
    verdict: "suspicious",
    remediationStatus: "none",
    remediationStatusDetails: null,
    roles: ["compromised"],
    detailedRoles: ["Main device"],
    tags: [],
  };
  switch (kind) {
    case "device":
      return {
        "@odata.type": "#microsoft.graph.security.deviceEvidence",
        ...common,
        firstSeenDateTime: "2023-09-12T07:28:32.4321753Z",
        mdeDeviceId: `73e7e2de709dff64ef64b1d0c30e67fab63279d${j}`,
        azureAdDeviceId: null,
        deviceDnsName: `host${i}-${j}.contoso.com`,
        osPlatform: "Windows10",
        osBuild: 22631,
        version: "22H2",
        healthStatus: "active",
        riskScore: "medium",
        rbacGroupId: 75,
        rbacGroupName: "Servers",
        onboardingStatus: "onboarded",
        defenderAvStatus: "updated",
        ipInterfaces: ["10.0.0.4", "fe80::1"],
        loggedOnUsers: [{ accountName: "kai", domainName: "CONTOSO" }],
        vmMetadata: {
          vmId: "ca1b0d41-5a3b-4d95-b48b-f220aed11d78",
          cloudProvider: "azure",
          resourceId:
            "/subscriptions/8700d3a3/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
          subscriptionId: "8700d3a3-3bb7-4fbe-a090-488a1ad04161",
        },
      };
    case "user":
      return {
        "@odata.type": "#microsoft.graph.security.userEvidence",
        ...common,
        userAccount: {
          accountName: `user${i}`,
          domainName: "CONTOSO",
          userSid: "S-1-5-21-1234567890-1234567890-1234567890-1001",
          azureAdUserId: "6f1c3c0a-1f4e-4d6c-9f4a-2b7e1c0d3a11",
          userPrincipalName: `user${i}@contoso.com`,
          displayName: `User ${i}`,
        },
      };
    case "ip":
      return {
        "@odata.type": "#microsoft.graph.security.ipEvidence",
        ...common,
        ipAddress: `203.0.113.${(i * 5 + j) % 255}`,
        countryLetterCode: "NL",
      };
    case "file":
      return {
        "@odata.type": "#microsoft.graph.security.fileEvidence",
        ...common,
        detectionStatus: "detected",
        mdeDeviceId: "73e7e2de709dff64ef64b1d0c30e67fab63279db",
        fileDetails: {
          sha1: "5f1e8acedc065031aad553b710838eb366cfee9a",
          sha256: "8963a19fb992ad9a76576c5638fd68292cffb9aaac29eb8285f9abf6196a7dec",
          fileName: `payload${i}.exe`,
          filePath: "C:\\Users\\kai\\AppData\\Local\\Temp",
          fileSize: 6136392,
          filePublisher: "Unknown",
          signer: null,
          issuer: null,
        },
      };
    case "process":
      return {
        "@odata.type": "#microsoft.graph.security.processEvidence",
        ...common,
        processId: 4780 + i,
        parentProcessId: 668,
        processCommandLine: `"payload${i}.exe" --silent --connect 203.0.113.7`,
        processCreationDateTime: "2024-05-01T09:59:19.0772577Z",
        parentProcessCreationDateTime: "2024-05-01T07:39:09.0909239Z",
        detectionStatus: "detected",
        mdeDeviceId: "73e7e2de709dff64ef64b1d0c30e67fab63279db",
        imageFile: { fileName: `payload${i}.exe`, filePath: "C:\\Temp", sha1: null, sha256: null },
        parentProcessImageFile: { fileName: "explorer.exe", filePath: "C:\\Windows" },
        userAccount: {
          accountName: "kai",
          domainName: "CONTOSO",
          userSid: "S-1-5-21-1",
          userPrincipalName: null,
        },
      };
  }
}

/** A raw Defender incident (as Graph sends it with `$expand=alerts`) with `alerts` × `evidencePerAlert`. */
export function realisticIncidentPayload(alerts = 10, evidencePerAlert = 5): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.security.incident",
    id: "2972395",
    incidentWebUrl:
      "https://security.microsoft.com/incidents/2972395?tid=12f988bf-16f1-11af-11ab-1d7cd011db47",
    redirectIncidentId: null,
    tenantId: "b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c",
    displayName: "Multi-stage incident involving Initial access & Command and control on multiple endpoints",
    createdDateTime: "2024-05-01T08:43:35.5533333Z",
    lastUpdateDateTime: "2024-05-02T09:35:45.1133333Z",
    assignedTo: "KaiC@contoso.onmicrosoft.com",
    classification: "truePositive",
    determination: "multiStagedAttack",
    status: "resolved",
    severity: "high",
    customTags: ["Demo", "Ransomware", "VIP"],
    systemTags: ["Defender Experts"],
    comments: [
      {
        comment: "Investigating",
        createdByDisplayName: "kai@contoso.com",
        createdDateTime: "2024-05-01T09:00:00Z",
      },
    ],
    resolvingComment: "Contained and remediated.",
    description:
      "Microsoft observed Raspberry Robin worm activity spreading through infected USB on multiple devices in your environment. From available intel, these infections could be a potential precursor activity to ransomware deployment.",
    summary: "Initial access via USB, followed by command and control traffic to a known botnet.",
    alerts: Array.from({ length: alerts }, (_, i) => ({
      "@odata.type": "#microsoft.graph.security.alert",
      id: `da637551227677560813_-96144481${i}`,
      providerAlertId: `da637551227677560813_-96144481${i}`,
      incidentId: "2972395",
      status: "new",
      severity: ["low", "medium", "high", "informational"][i % 4],
      classification: "unknown",
      determination: "unknown",
      serviceSource: "microsoftDefenderForEndpoint",
      detectionSource: "antivirus",
      productName: "Microsoft Defender for Endpoint",
      detectorId: "e0da400f-affd-43ef-b1d5-afc2eb6f2756",
      tenantId: "b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c",
      title: `Suspicious execution of hidden file #${i}`,
      description:
        "A hidden file has been launched. This activity could indicate a compromised host. Attackers often hide files associated with malicious tools to evade file system inspection and defenses.",
      recommendedActions:
        "Collect artifacts and determine scope. Review the machine timeline for suspicious activities that may have occurred before and after the time of the alert.",
      category: ["DefenseEvasion", "Execution", "CommandAndControl"][i % 3],
      assignedTo: null,
      alertWebUrl: `https://security.microsoft.com/alerts/da637551227677560813_-96144481${i}?tid=b3c1b5fc`,
      incidentWebUrl: "https://security.microsoft.com/incidents/2972395?tid=b3c1b5fc",
      actorDisplayName: null,
      threatDisplayName: null,
      threatFamilyName: null,
      mitreTechniques: ["T1564.001", "T1059"],
      createdDateTime: "2024-05-01T10:19:27.7211305Z",
      lastUpdateDateTime: "2024-05-02T14:19:01.3266667Z",
      resolvedDateTime: null,
      firstActivityDateTime: `2024-05-01T0${i % 10}:45:50.116Z`,
      lastActivityDateTime: `2024-05-02T0${i % 10}:56:58.222Z`,
      comments: [],
      evidence: Array.from({ length: evidencePerAlert }, (_, j) =>
        evidence(EVIDENCE_KINDS[j % EVIDENCE_KINDS.length]!, i, j),
      ),
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries

/** Any UTF-16 code unit: control characters, lone surrogates, … */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

/** Text mixing ordinary characters with hostile ones. */
export const textArb = (maxLength = 60): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(..."abcdefghij XYZ.-_@0123456789") },
      {
        weight: 1,
        arbitrary: fc.constantFrom("\n", "\r", "\t", "\u0000", "\u0007", "\u001b", "\u007f", "\u0085"),
      },
      { weight: 1, arbitrary: anyCodeUnit },
      { weight: 1, arbitrary: fc.constantFrom("é", "漢", "😀", "\u200b") },
    ),
    maxLength,
  });

const withCaseVariants = (values: readonly string[]) => [
  ...values,
  ...values.map((v) => v[0]!.toUpperCase() + v.slice(1)),
];

const iso = fc
  .date({ min: new Date("2015-01-01T00:00:00Z"), max: new Date("2030-12-31T23:59:59Z"), noInvalidDate: true })
  .map((d) => d.toISOString());

const evidenceArb = fc.oneof(
  fc.record({
    "@odata.type": fc.constant("#microsoft.graph.security.deviceEvidence"),
    deviceDnsName: fc.option(textArb(40)),
  }),
  fc.record({
    "@odata.type": fc.constant("#microsoft.graph.security.userEvidence"),
    userAccount: fc.record({
      userPrincipalName: fc.option(textArb(40)),
      accountName: fc.option(textArb(20)),
    }),
  }),
  fc.record({ "@odata.type": fc.constant("#microsoft.graph.security.ipEvidence"), ipAddress: fc.ipV4() }),
  fc.record({
    "@odata.type": fc.constant("#microsoft.graph.security.someFutureEvidence"),
    whatever: textArb(10),
  }),
);

const alertArb = fc.record(
  {
    id: fc.string({ minLength: 1, maxLength: 12 }),
    title: fc.option(textArb(80)),
    severity: fc.option(fc.constantFrom(...alertSeverityValues, "bogus")),
    productName: fc.option(textArb(30)),
    serviceSource: fc.option(fc.constantFrom("microsoftDefenderForEndpoint", "microsoftSentinel")),
    category: fc.option(textArb(20)),
    firstActivityDateTime: fc.option(fc.oneof(iso, textArb(10))),
    lastActivityDateTime: fc.option(fc.oneof(iso, textArb(10))),
    evidence: fc.array(evidenceArb, { maxLength: 3 }),
  },
  { requiredKeys: ["id"] },
);

const upnArb = fc.oneof(
  fc.emailAddress(),
  fc.emailAddress().map((e) => `  ${e.toUpperCase()} `),
  textArb(20),
  fc.constant(""),
);

const tagArb = fc.oneof(
  { weight: 5, arbitrary: textArb(20) },
  { weight: 1, arbitrary: fc.constantFrom("Redirected", "redirected", "Demo", "VIP") },
  { weight: 1, arbitrary: fc.string({ minLength: 257, maxLength: 300 }) },
);

/** A raw Defender incident. Redirected incidents always carry a redirect target (as Graph guarantees). */
export const rawDefenderIncidentArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      id: fc.integer({ min: 1, max: 99_999_999 }).map(String),
      displayName: fc.option(fc.oneof(textArb(80), fc.string({ minLength: 250, maxLength: 400 }))),
      description: fc.option(fc.oneof(textArb(200), fc.string({ minLength: 4_000, maxLength: 6_000 }))),
      summary: fc.option(textArb(100)),
      severity: fc.option(fc.constantFrom(...withCaseVariants(alertSeverityValues), "critical")),
      status: fc.option(fc.constantFrom(...withCaseVariants(incidentStatusValues), "weird")),
      classification: fc.option(fc.constantFrom(...withCaseVariants(alertClassificationValues), "bogus")),
      determination: fc.option(fc.constantFrom(...alertDeterminationValues, "clean", "bogus")),
      assignedTo: fc.option(upnArb),
      customTags: fc.option(fc.array(tagArb, { maxLength: 6 })),
      resolvingComment: fc.option(
        fc.oneof(textArb(100), fc.string({ minLength: 30_001, maxLength: 30_100 })),
      ),
      incidentWebUrl: fc.option(
        fc.oneof(
          fc
            .integer({ min: 1, max: 999_999 })
            .map((n) => `https://security.microsoft.com/incidents/${n}?tid=x`),
          textArb(20),
        ),
      ),
      redirectIncidentId: fc.option(fc.integer({ min: 1, max: 99_999_999 }).map(String)),
      alerts: fc.option(fc.array(alertArb, { maxLength: 4 })),
    },
    { requiredKeys: ["id"] },
  )
  .map((raw) => {
    const status = typeof raw.status === "string" ? raw.status.toLowerCase() : undefined;
    if (status === "redirected" && !raw.redirectIncidentId) return { ...raw, redirectIncidentId: "4242" };
    if (status !== "redirected") return { ...raw, redirectIncidentId: null };
    return raw;
  });

export const defenderIncidentArb: fc.Arbitrary<DefenderIncident> = rawDefenderIncidentArb.map((raw) =>
  defenderIncidentSchema.parse(raw),
);

const ownerArb = fc.oneof(
  fc.record({ userPrincipalName: fc.emailAddress() }),
  fc.record({ email: fc.emailAddress(), assignedTo: textArb(20) }),
  fc.record({ objectId: fc.uuid(), ownerType: fc.constantFrom("User", "Group") }),
  fc.record({ objectId: fc.uuid(), userPrincipalName: fc.emailAddress(), ownerType: fc.constant("User") }),
);

const labelArb = fc.record(
  {
    labelName: fc.oneof(textArb(20), fc.constantFrom("Redirected", "Demo")),
    labelType: fc.constantFrom("User", "AutoAssigned"),
  },
  { requiredKeys: ["labelName"] },
);

/**
 * Raw Sentinel incident properties as the service returns them (known enum values; non-blank titles, which
 * Sentinel requires).
 */
export const rawSentinelPropertiesArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    title: textArb(60).filter((t) => t.replace(/[\u0000-\u0020\u007f-\u009f]/g, "").trim() !== ""),
    severity: fc.constantFrom(...sentinelSeverityValues),
    status: fc.constantFrom(...sentinelStatusValues),
    description: fc.option(fc.oneof(textArb(200), fc.string({ minLength: 4_000, maxLength: 5_000 }))),
    classification: fc.option(fc.constantFrom(...sentinelClassificationValues)),
    classificationReason: fc.option(fc.constantFrom(...sentinelClassificationReasonValues)),
    classificationComment: fc.option(textArb(100)),
    owner: fc.option(ownerArb),
    labels: fc.option(fc.array(labelArb, { maxLength: 5 })),
    firstActivityTimeUtc: fc.option(iso),
    lastActivityTimeUtc: fc.option(iso),
    providerName: fc.constantFrom("Azure Sentinel", "Microsoft XDR"),
    incidentNumber: fc.nat(),
  },
  { requiredKeys: ["title", "severity", "status"] },
);

export const sentinelPropertiesArb: fc.Arbitrary<SentinelIncidentProperties> = rawSentinelPropertiesArb.map(
  (raw) => sentinelIncidentPropertiesSchema.parse(raw),
);
