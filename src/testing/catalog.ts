/**
 * Static realism data for the generator: the Defender products that raise alerts (with their Graph
 * `serviceSource`/`detectionSource` values and their Sentinel `productName`), alert titles, analysts,
 * tags and strings with non-ASCII characters.
 */

export type EvidenceKind =
  | "device"
  | "user"
  | "ip"
  | "url"
  | "file"
  | "process"
  | "mailbox"
  | "analyzedMessage"
  | "mailCluster"
  | "cloudApplication"
  | "oauthApplication"
  | "registryKey"
  | "registryValue"
  | "securityGroup";

export interface AlertTemplate {
  title: string;
  category: string;
  mitre: string[];
  description: string;
}

export interface Product {
  key: string;
  serviceSource: string;
  detectionSources: readonly string[];
  /** alerts_v2 `productName`. */
  productName: string;
  /** `productName` of the same alert in Sentinel (SecurityAlert). */
  sentinelProductName: string;
  /** Sentinel `alertType`. */
  sentinelAlertType: string;
  /** Alert id prefix the product uses in Graph ("da…" for Defender for Endpoint). */
  idPrefix: string;
  weight: number;
  evidence: readonly EvidenceKind[];
  /** Evidence kinds every alert of the product carries. */
  mainEvidence: readonly EvidenceKind[];
  templates: readonly AlertTemplate[];
}

export const PRODUCTS: readonly Product[] = [
  {
    key: "mde",
    serviceSource: "microsoftDefenderForEndpoint",
    detectionSources: [
      "microsoftDefenderForEndpoint",
      "antivirus",
      "smartScreen",
      "customDetection",
      "automatedInvestigation",
      "customTi",
    ],
    productName: "Microsoft Defender for Endpoint",
    sentinelProductName: "Microsoft Defender Advanced Threat Protection",
    sentinelAlertType: "WindowsDefenderAtp",
    idPrefix: "da",
    weight: 34,
    evidence: ["file", "process", "user", "ip", "url", "registryKey", "registryValue"],
    mainEvidence: ["device"],
    templates: [
      {
        title: "Suspicious execution of hidden file",
        category: "DefenseEvasion",
        mitre: ["T1564.001"],
        description:
          "A hidden file has been launched. This activity could indicate a compromised host. Attackers often hide files associated with malicious tools to evade file system inspection and defenses.",
      },
      {
        title: "Suspicious PowerShell command line",
        category: "Execution",
        mitre: ["T1059.001"],
        description:
          "A suspicious PowerShell activity was observed on the machine. This behavior may indicate that PowerShell was used during installation, exploration, or in some cases in lateral movement activities.",
      },
      {
        title: "Ransomware behavior detected in the file system",
        category: "Impact",
        mitre: ["T1486"],
        description:
          "A process on the device modified many files and appended an unusual extension, which is typical of ransomware encrypting data.",
      },
      {
        title: "Suspicious LSASS memory access",
        category: "CredentialAccess",
        mitre: ["T1003.001"],
        description:
          "A process accessed the memory of the Local Security Authority Subsystem Service, which stores credentials of logged-on users.",
      },
      {
        title: "Raspberry Robin worm command",
        category: "InitialAccess",
        mitre: ["T1091", "T1218.007"],
        description:
          "Microsoft observed Raspberry Robin worm activity spreading through infected USB drives. These infections could be a precursor to ransomware deployment.",
      },
      {
        title: "An active 'Mimikatz' hacktool was detected",
        category: "CredentialAccess",
        mitre: ["T1003"],
        description: "Mimikatz, a credential theft tool, was found running on the device.",
      },
      {
        title: "Connection to a custom network indicator",
        category: "CommandAndControl",
        mitre: ["T1071.001"],
        description:
          "A connection was made to an IP address or URL that your organization added to its custom indicators.",
      },
    ],
  },
  {
    key: "mdo",
    serviceSource: "microsoftDefenderForOffice365",
    detectionSources: ["microsoftDefenderForOffice365"],
    productName: "Microsoft Defender for Office 365",
    sentinelProductName: "Office 365 Advanced Threat Protection",
    sentinelAlertType: "OfficeATP",
    idPrefix: "fa",
    weight: 20,
    evidence: ["url", "user", "mailCluster", "ip"],
    mainEvidence: ["mailbox", "analyzedMessage"],
    templates: [
      {
        title: "Email messages containing malicious URL removed after delivery",
        category: "InitialAccess",
        mitre: ["T1566.002"],
        description: "Emails with a malicious URL were delivered and later removed by Zero-hour auto purge.",
      },
      {
        title: "A potentially malicious URL click was detected",
        category: "InitialAccess",
        mitre: ["T1566.002", "T1204.001"],
        description: "A user clicked a URL that was later identified as malicious.",
      },
      {
        title: "Suspicious email sending patterns detected",
        category: "Exfiltration",
        mitre: ["T1114.003"],
        description: "A user sent an unusually high number of emails to external recipients.",
      },
      {
        title: "Email reported by user as malware or phish",
        category: "InitialAccess",
        mitre: ["T1566"],
        description: "A user reported an email as phishing in Outlook.",
      },
    ],
  },
  {
    key: "mdi",
    serviceSource: "microsoftDefenderForIdentity",
    detectionSources: ["microsoftDefenderForIdentity"],
    productName: "Microsoft Defender for Identity",
    sentinelProductName: "Azure Advanced Threat Protection",
    sentinelAlertType: "AzureATP",
    idPrefix: "aa",
    weight: 12,
    evidence: ["device", "ip", "securityGroup"],
    mainEvidence: ["user"],
    templates: [
      {
        title: "Suspected DCSync attack (replication of directory services)",
        category: "CredentialAccess",
        mitre: ["T1003.006"],
        description: "A replication request was sent from a computer that is not a domain controller.",
      },
      {
        title: "Suspected brute-force attack (Kerberos, NTLM)",
        category: "CredentialAccess",
        mitre: ["T1110"],
        description: "Many authentication failures occurred for several accounts from one computer.",
      },
      {
        title: "Account enumeration reconnaissance",
        category: "Discovery",
        mitre: ["T1087.002"],
        description: "Suspicious account enumeration activity was performed against the domain.",
      },
    ],
  },
  {
    key: "mdca",
    serviceSource: "microsoftDefenderForCloudApps",
    detectionSources: ["cloudAppSecurity"],
    productName: "Microsoft Defender for Cloud Apps",
    sentinelProductName: "Microsoft Cloud App Security",
    sentinelAlertType: "MCAS_ALERT_ANUBIS_DETECTION_IMPOSSIBLE_TRAVEL",
    idPrefix: "ca",
    weight: 10,
    evidence: ["ip", "cloudApplication", "oauthApplication"],
    mainEvidence: ["user"],
    templates: [
      {
        title: "Impossible travel activity",
        category: "InitialAccess",
        mitre: ["T1078"],
        description:
          "The user signed in from two distant locations within a time shorter than the travel time between them.",
      },
      {
        title: "Mass download by a single user",
        category: "Exfiltration",
        mitre: ["T1530"],
        description:
          "A user downloaded an unusually large number of files from SharePoint Online in a single session.",
      },
      {
        title: "Suspicious inbox manipulation rule",
        category: "DefenseEvasion",
        mitre: ["T1564.008"],
        description:
          "A user created an inbox rule that deletes or moves messages, which attackers use to hide replies.",
      },
    ],
  },
  {
    key: "aadip",
    serviceSource: "azureAdIdentityProtection",
    detectionSources: ["azureAdIdentityProtection"],
    productName: "Microsoft Entra ID Protection",
    sentinelProductName: "Azure Active Directory Identity Protection",
    sentinelAlertType: "UnfamiliarLocation",
    idPrefix: "ad",
    weight: 8,
    evidence: ["ip"],
    mainEvidence: ["user"],
    templates: [
      {
        title: "Unfamiliar sign-in properties",
        category: "InitialAccess",
        mitre: ["T1078.004"],
        description: "The sign-in had properties that are unfamiliar for the user.",
      },
      {
        title: "Anonymous IP address",
        category: "InitialAccess",
        mitre: ["T1090.003"],
        description: "A sign-in came from an anonymous IP address such as a Tor exit node.",
      },
    ],
  },
  {
    key: "m365d",
    serviceSource: "microsoft365Defender",
    detectionSources: ["microsoft365Defender", "customDetection"],
    productName: "Microsoft Defender XDR",
    sentinelProductName: "Microsoft 365 Defender",
    sentinelAlertType: "MTP",
    idPrefix: "ra",
    weight: 6,
    evidence: ["device", "ip", "mailbox"],
    mainEvidence: ["user"],
    templates: [
      {
        title: "BEC financial fraud",
        category: "Collection",
        mitre: ["T1114", "T1534"],
        description: "A compromised account was used to send fraudulent payment requests.",
      },
      {
        title: "Possible adversary-in-the-middle (AiTM) phishing attempt",
        category: "CredentialAccess",
        mitre: ["T1557", "T1539"],
        description: "A session cookie may have been stolen through an AiTM phishing site.",
      },
    ],
  },
  {
    key: "mdc",
    serviceSource: "microsoftDefenderForCloud",
    detectionSources: [
      "microsoftDefenderForServers",
      "microsoftDefenderForStorage",
      "microsoftDefenderForKeyVault",
      "microsoftDefenderForResourceManager",
    ],
    productName: "Microsoft Defender for Cloud",
    sentinelProductName: "Azure Security Center",
    sentinelAlertType: "Storage.Blob_AnonymousAccessAnomaly",
    idPrefix: "dc",
    weight: 4,
    evidence: ["ip", "user", "file"],
    mainEvidence: ["device"],
    templates: [
      {
        title: "Access from a suspicious IP address to a storage account",
        category: "InitialAccess",
        mitre: ["T1190"],
        description:
          "A storage account was accessed from an IP address that threat intelligence marks as suspicious.",
      },
      {
        title: "Unusual volume of Key Vault operations",
        category: "CredentialAccess",
        mitre: ["T1555"],
        description: "An unusually high number of secret reads was made against a key vault.",
      },
    ],
  },
  {
    key: "sentinel",
    serviceSource: "microsoftSentinel",
    detectionSources: ["scheduledAlerts", "nrtAlerts"],
    productName: "Microsoft Sentinel",
    sentinelProductName: "Azure Sentinel",
    sentinelAlertType: "Scheduled",
    idPrefix: "sn",
    weight: 3,
    evidence: ["ip", "device", "url"],
    mainEvidence: ["user"],
    templates: [
      {
        title: "Multiple failed sign-ins followed by success",
        category: "CredentialAccess",
        mitre: ["T1110.003"],
        description: "Analytics rule: a password spray pattern was followed by a successful sign-in.",
      },
    ],
  },
  {
    key: "dlp",
    serviceSource: "dataLossPrevention",
    detectionSources: ["microsoftDataLossPrevention"],
    productName: "Microsoft Data Loss Prevention",
    sentinelProductName: "Microsoft Data Loss Prevention",
    sentinelAlertType: "DLP",
    idPrefix: "dl",
    weight: 2,
    evidence: ["file", "mailbox"],
    mainEvidence: ["user"],
    templates: [
      {
        title: "DLP policy (Credit card numbers) matched for document in OneDrive",
        category: "Exfiltration",
        mitre: ["T1567"],
        description: "A document shared externally contains sensitive information.",
      },
    ],
  },
  {
    key: "irm",
    serviceSource: "microsoftInsiderRiskManagement",
    detectionSources: ["microsoftInsiderRiskManagement"],
    productName: "Microsoft Purview Insider Risk Management",
    sentinelProductName: "Microsoft Purview Insider Risk Management",
    sentinelAlertType: "IRM",
    idPrefix: "ir",
    weight: 1,
    evidence: ["file"],
    mainEvidence: ["user"],
    templates: [
      {
        title: "Data theft by departing user",
        category: "Exfiltration",
        mitre: ["T1048"],
        description:
          "A user who is leaving the organization downloaded and copied an unusual amount of data.",
      },
    ],
  },
];

/** Analysts of the default tenant: owners, commenters. Some names are deliberately non-ASCII. */
export const ANALYST_NAMES: readonly (readonly [string, string])[] = [
  ["Kai Carter", "KaiC"],
  ["David So", "DavidS"],
  ["Zoë Ångström", "ZoeA"],
  ["Łukasz Żółkiewski", "LukaszZ"],
  ["Ayşe Yılmaz", "AyseY"],
  ["田中 太郎", "TaroT"],
  ["Amélie Dubois-Laurent", "AmelieD"],
  ["Oluwaseun Adébáyọ̀", "SeunA"],
  ["Søren Kierkegård", "SorenK"],
  ["Priya Raghunathan", "PriyaR"],
];

export const CUSTOM_TAGS: readonly string[] = [
  "Demo",
  "VIP",
  "Phishing campaign",
  "Ransomware",
  "Escalated",
  "Tier 2",
  "False alarm",
  "Überprüfung",
  "调查中",
  "🔥 hot",
  "customer:Fabrikam",
  "customer:Contoso",
  "needs-followup",
  "PCI",
];

export const COMMENT_TEXTS: readonly string[] = [
  "Demo incident",
  "Investigating, isolating the device.",
  "User confirmed they did not sign in from this location.",
  "Contacted the user's manager; waiting for an answer.",
  "Überprüfung läuft – Gerät wurde isoliert.",
  "調査中です。影響範囲を確認しています。",
  "Escalating to tier 2 🚨",
  'Quote test: it\'s "fine" – really; path C:\\Users\\Public\\evil.exe',
  "Resolved after password reset and token revocation.",
  "False positive: this is the weekly pentest by the red team.",
];

export const HOSTNAMES: readonly string[] = [
  "ws-fin-0142",
  "ws-hr-0007",
  "srv-sql-01",
  "srv-dc-02",
  "laptop-kai",
  "mac-design-03",
  "build-agent-17",
  "ws-müller-01",
];

export const COUNTRIES: readonly (readonly [string, string, string])[] = [
  ["US", "United States", "Seattle"],
  ["DE", "Germany", "München"],
  ["NL", "Netherlands", "Amsterdam"],
  ["BR", "Brazil", "São Paulo"],
  ["JP", "Japan", "東京"],
  ["NG", "Nigeria", "Lagos"],
  ["RU", "Russia", "Moscow"],
];

export const TACTICS = new Set([
  "Reconnaissance",
  "ResourceDevelopment",
  "InitialAccess",
  "Execution",
  "Persistence",
  "PrivilegeEscalation",
  "DefenseEvasion",
  "CredentialAccess",
  "Discovery",
  "LateralMovement",
  "Collection",
  "Exfiltration",
  "CommandAndControl",
  "Impact",
]);

/** Human words for incident names ("Multi-stage incident involving Initial access & …"). */
export const CATEGORY_WORDS: Record<string, string> = {
  InitialAccess: "Initial access",
  Execution: "Execution",
  Persistence: "Persistence",
  PrivilegeEscalation: "Privilege escalation",
  DefenseEvasion: "Defense evasion",
  CredentialAccess: "Credential access",
  Discovery: "Discovery",
  LateralMovement: "Lateral movement",
  Collection: "Collection",
  Exfiltration: "Exfiltration",
  CommandAndControl: "Command and control",
  Impact: "Impact",
};
