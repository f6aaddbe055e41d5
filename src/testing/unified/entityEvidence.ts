/**
 * Entity mappings of an analytics rule → entities of an alert → Graph `alertEvidence` items. Identifier names
 * per entity type follow learn.microsoft.com/azure/sentinel/entities-reference; the evidence types are the
 * Graph v1.0 `microsoft.graph.security.*Evidence` complex types. How Sentinel entities surface as Graph
 * evidence is not documented: the field choice here is modelled.
 */
import type { GraphEvidence } from "../types";
import type { EntityMapping } from "./alertRuleTypes";

/** Identifiers each entity type accepts in a field mapping. */
export const ENTITY_IDENTIFIERS: Record<string, readonly string[]> = {
  Account: [
    "Name",
    "FullName",
    "NTDomain",
    "DnsDomain",
    "UPNSuffix",
    "Sid",
    "AadTenantId",
    "AadUserId",
    "PUID",
    "IsDomainJoined",
    "DisplayName",
    "ObjectGuid",
  ],
  Host: [
    "DnsDomain",
    "NTDomain",
    "HostName",
    "FullName",
    "NetBiosName",
    "AzureID",
    "OMSAgentID",
    "OSFamily",
    "OSVersion",
    "IsDomainJoined",
  ],
  IP: ["Address"],
  Malware: ["Name", "Category"],
  File: ["Directory", "Name"],
  Process: ["ProcessId", "CommandLine", "ElevationToken", "CreationTimeUtc"],
  CloudApplication: ["AppId", "Name", "InstanceName"],
  DNS: ["DomainName"],
  AzureResource: ["ResourceId"],
  FileHash: ["Algorithm", "Value"],
  RegistryKey: ["Hive", "Key"],
  RegistryValue: ["Name", "Value", "ValueType"],
  SecurityGroup: ["DistinguishedName", "SID", "ObjectGuid"],
  URL: ["Url"],
  Mailbox: ["MailboxPrimaryAddress", "DisplayName", "Upn", "AadId", "RiskLevel", "ExternalDirectoryObjectId"],
  MailCluster: [
    "NetworkMessageIds",
    "CountByDeliveryStatus",
    "CountByThreatType",
    "CountByProtectionStatus",
    "Threats",
    "Query",
    "QueryTime",
    "MailCount",
    "IsVolumeAnomaly",
    "Source",
    "ClusterSourceIdentifier",
    "ClusterSourceType",
    "ClusterQueryStartTime",
    "ClusterQueryEndTime",
    "ClusterGroup",
  ],
  MailMessage: [
    "Recipient",
    "Urls",
    "Threats",
    "Sender",
    "P1Sender",
    "P1SenderDisplayName",
    "P1SenderDomain",
    "SenderIP",
    "P2Sender",
    "P2SenderDisplayName",
    "P2SenderDomain",
    "ReceivedDate",
    "NetworkMessageId",
    "InternetMessageId",
    "Subject",
    "BodyFingerprintBin1",
    "BodyFingerprintBin2",
    "BodyFingerprintBin3",
    "BodyFingerprintBin4",
    "BodyFingerprintBin5",
    "AntispamDirection",
    "DeliveryAction",
    "DeliveryLocation",
    "Language",
    "ThreatDetectionMethods",
  ],
  SubmissionMail: [
    "SubmissionId",
    "SubmissionDate",
    "Submitter",
    "NetworkMessageId",
    "Timestamp",
    "Recipient",
    "Sender",
    "SenderIp",
    "Subject",
    "ReportType",
  ],
};

/** One entity of an alert: its type and the identifier values read from the result row. */
export interface AlertEntity {
  entityType: string;
  identifiers: Record<string, string>;
}

const text = (v: unknown) =>
  v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v).trim();

/** The entities one result row yields; a mapping whose columns are all empty yields none. */
export function entitiesOfRow(
  mappings: readonly EntityMapping[],
  row: Record<string, unknown>,
): AlertEntity[] {
  const out: AlertEntity[] = [];
  for (const m of mappings) {
    const identifiers: Record<string, string> = {};
    for (const f of m.fieldMappings) {
      const value = text(row[f.columnName]);
      if (value !== "") identifiers[f.identifier] = value;
    }
    if (Object.keys(identifiers).length > 0) out.push({ entityType: m.entityType, identifiers });
  }
  return out;
}

/** Identity of an entity for grouping and correlation (type + identifiers, case-insensitive). */
export function entityKey(e: AlertEntity): string {
  const ids = Object.entries(e.identifiers)
    .map(([k, v]) => `${k}=${v.toLowerCase()}`)
    .sort()
    .join(";");
  return `${e.entityType}:${ids}`;
}

const num = (v: string | undefined) => (v === undefined || Number.isNaN(Number(v)) ? null : Number(v));

function account(i: Record<string, string>) {
  const upn = i.FullName?.includes("@")
    ? i.FullName
    : i.Name && i.UPNSuffix
      ? `${i.Name}@${i.UPNSuffix}`
      : null;
  return {
    accountName: i.Name ?? upn?.split("@")[0] ?? null,
    domainName: i.NTDomain ?? i.DnsDomain ?? null,
    userSid: i.Sid ?? null,
    azureAdUserId: i.AadUserId ?? i.ObjectGuid ?? null,
    userPrincipalName: upn,
    displayName: i.DisplayName ?? null,
  };
}

const BUILDERS: Record<string, (i: Record<string, string>) => [string, Record<string, unknown>]> = {
  Account: (i) => ["userEvidence", { userAccount: account(i) }],
  Host: (i) => [
    "deviceEvidence",
    {
      hostName: i.HostName ?? i.FullName?.split(".")[0] ?? i.NetBiosName ?? null,
      deviceDnsName:
        i.FullName ?? (i.HostName && i.DnsDomain ? `${i.HostName}.${i.DnsDomain}` : (i.HostName ?? null)),
      dnsDomain: i.DnsDomain ?? null,
      ntDomain: i.NTDomain ?? null,
      azureAdDeviceId: i.AzureID ?? null,
      osPlatform: i.OSFamily ?? null,
      version: i.OSVersion ?? null,
      mdeDeviceId: null,
    },
  ],
  IP: (i) => ["ipEvidence", { ipAddress: i.Address ?? null, countryLetterCode: null, location: null }],
  URL: (i) => ["urlEvidence", { url: i.Url ?? null }],
  File: (i) => [
    "fileEvidence",
    {
      detectionStatus: null,
      mdeDeviceId: null,
      fileDetails: { fileName: i.Name ?? null, filePath: i.Directory ?? null },
    },
  ],
  FileHash: (i) => [
    "fileHashEvidence",
    { algorithm: i.Algorithm?.toLowerCase() ?? null, value: i.Value ?? null },
  ],
  Mailbox: (i) => [
    "mailboxEvidence",
    {
      primaryAddress: i.MailboxPrimaryAddress ?? null,
      displayName: i.DisplayName ?? null,
      upn: i.Upn ?? null,
      userAccount: null,
    },
  ],
  Process: (i) => [
    "processEvidence",
    {
      processId: num(i.ProcessId),
      processCommandLine: i.CommandLine ?? null,
      processCreationDateTime: i.CreationTimeUtc ?? null,
    },
  ],
  CloudApplication: (i) => [
    "cloudApplicationEvidence",
    { appId: num(i.AppId), displayName: i.Name ?? null, instanceName: i.InstanceName ?? null },
  ],
  AzureResource: (i) => [
    "azureResourceEvidence",
    {
      resourceId: i.ResourceId ?? null,
      resourceName: i.ResourceId?.split("/").pop() ?? null,
      resourceType: null,
    },
  ],
  DNS: (i) => ["dnsEvidence", { domainName: i.DomainName ?? null }],
  Malware: (i) => ["malwareEvidence", { name: i.Name ?? null, category: i.Category ?? null }],
  RegistryKey: (i) => ["registryKeyEvidence", { registryHive: i.Hive ?? null, registryKey: i.Key ?? null }],
  RegistryValue: (i) => [
    "registryValueEvidence",
    {
      registryValueName: i.Name ?? null,
      registryValue: i.Value ?? null,
      registryValueType: i.ValueType ?? null,
    },
  ],
  SecurityGroup: (i) => [
    "securityGroupEvidence",
    { displayName: i.DistinguishedName ?? null, securityGroupId: i.ObjectGuid ?? null, sid: i.SID ?? null },
  ],
  MailCluster: (i) => [
    "mailClusterEvidence",
    { query: i.Query ?? null, networkMessageIds: i.NetworkMessageIds ? [i.NetworkMessageIds] : [] },
  ],
  MailMessage: (i) => [
    "analyzedMessageEvidence",
    {
      networkMessageId: i.NetworkMessageId ?? null,
      internetMessageId: i.InternetMessageId ?? null,
      subject: i.Subject ?? null,
      recipientEmailAddress: i.Recipient ?? null,
    },
  ],
  SubmissionMail: (i) => [
    "submissionMailEvidence",
    {
      submissionId: i.SubmissionId ?? null,
      recipient: i.Recipient ?? null,
      sender: i.Sender ?? null,
      subject: i.Subject ?? null,
    },
  ],
};

/** A Graph evidence item for one entity. */
export function evidenceOf(entity: AlertEntity, createdDateTime: string): GraphEvidence {
  const build =
    BUILDERS[entity.entityType] ?? ((): [string, Record<string, unknown>] => ["alertEvidence", {}]);
  const [type, fields] = build(entity.identifiers);
  return {
    "@odata.type": `#microsoft.graph.security.${type}`,
    createdDateTime,
    verdict: "unknown",
    remediationStatus: "none",
    remediationStatusDetails: null,
    roles: [],
    detailedRoles: [],
    tags: [],
    ...fields,
  };
}
