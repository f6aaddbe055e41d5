/**
 * The alerts table's columns: names, types and descriptions, in order. The zod `alertRowSchema`, the shipped ARM
 * template (`examples/arm/defender-alerts-table.json`) and the emulator all use this list (a test checks it).
 * Column names are PascalCase like Log Analytics custom tables; `TenantId`, `Title` and `Type` are reserved there,
 * hence `DefenderTenantId` and `AlertTitle`.
 */

/** Column types of a Logs Ingestion stream declaration (the table uses the same, with `dateTime` spelled so). */
export type AlertRowColumnType = "string" | "datetime" | "dynamic" | "boolean" | "int";

/**
 * One column of the alerts table, as the ARM template and the data collection rule's stream declare it.
 * `ALERT_ROW_COLUMNS` lists them all.
 */
export interface AlertRowColumn {
  /** Column name in the table and the stream, e.g. `AlertTitle`. */
  readonly name: string;
  /** Column type in the stream declaration. */
  readonly type: AlertRowColumnType;
  /** What the column holds (the ARM template's column description). */
  readonly description: string;
}

/** Bumped when columns change meaning; stored in every row (`SchemaVersion`). */
export const ALERT_ROW_SCHEMA_VERSION = 1;

/** The table's columns, in order. The ARM template and the zod schema must match this list exactly. */
export const ALERT_ROW_COLUMNS = [
  {
    name: "TimeGenerated",
    type: "datetime",
    description: "The alert's lastUpdateDateTime (see the README section Alerts as SIEM data).",
  },
  { name: "RowId", type: "string", description: "Stable hash of AlertId + LastUpdateDateTime; dedupe key." },
  { name: "AlertId", type: "string", description: "Defender alert id (alerts_v2)." },
  { name: "ProviderAlertId", type: "string", description: "Id of the alert in the detecting product." },
  { name: "IncidentId", type: "string", description: "Defender incident id." },
  { name: "DefenderTenantId", type: "string", description: "Entra tenant of the alert." },
  { name: "AlertTitle", type: "string", description: "Alert title." },
  { name: "Description", type: "string", description: "Alert description (capped)." },
  { name: "Severity", type: "string", description: "unknown, informational, low, medium, high." },
  { name: "Status", type: "string", description: "new, inProgress, resolved, …" },
  { name: "Category", type: "string", description: "MITRE ATT&CK tactic, e.g. DefenseEvasion." },
  { name: "MitreTechniques", type: "dynamic", description: "MITRE ATT&CK technique ids, e.g. T1564.001." },
  { name: "ServiceSource", type: "string", description: "Defender service that raised the alert." },
  { name: "DetectionSource", type: "string", description: "Detection technology or sensor." },
  { name: "ProductName", type: "string", description: "Product display name." },
  { name: "DetectorId", type: "string", description: "Id of the detector (analytics rule) that fired." },
  { name: "Classification", type: "string", description: "truePositive, falsePositive, …" },
  { name: "Determination", type: "string", description: "malware, phishing, …" },
  { name: "AssignedTo", type: "string", description: "Owner of the alert." },
  { name: "InvestigationState", type: "string", description: "Automated investigation state." },
  { name: "ThreatDisplayName", type: "string", description: "Threat associated with the alert." },
  { name: "ThreatFamilyName", type: "string", description: "Threat family." },
  { name: "ActorDisplayName", type: "string", description: "Adversary or activity group." },
  { name: "SystemTags", type: "dynamic", description: "System tags of the alert." },
  { name: "CreatedDateTime", type: "datetime", description: "When Defender created the alert." },
  { name: "LastUpdateDateTime", type: "datetime", description: "Version of the alert this row describes." },
  { name: "ResolvedDateTime", type: "datetime", description: "When the alert was resolved." },
  { name: "FirstActivityDateTime", type: "datetime", description: "Earliest activity reported." },
  { name: "LastActivityDateTime", type: "datetime", description: "Latest activity reported." },
  { name: "AlertWebUrl", type: "string", description: "Link to the alert in the Defender portal." },
  { name: "IncidentWebUrl", type: "string", description: "Link to the incident in the Defender portal." },
  { name: "Evidence", type: "dynamic", description: "Evidence objects (nulls dropped, capped)." },
  { name: "EvidenceCount", type: "int", description: "Evidence items the alert has (before trimming)." },
  { name: "EvidenceTruncated", type: "boolean", description: "True when Evidence is not complete." },
  { name: "Accounts", type: "dynamic", description: "Accounts: UPN, or DOMAIN\\name." },
  { name: "Hosts", type: "dynamic", description: "Device DNS or host names." },
  { name: "IPs", type: "dynamic", description: "IP addresses (IP evidence, email sender IPs)." },
  { name: "Urls", type: "dynamic", description: "URLs (URL evidence, URLs in emails)." },
  { name: "FileHashes", type: "dynamic", description: "SHA-256, SHA-1 and MD5 of files and process images." },
  { name: "Mailboxes", type: "dynamic", description: "Mailbox and recipient email addresses." },
  { name: "SchemaVersion", type: "int", description: "Version of this row schema." },
] as const satisfies readonly AlertRowColumn[];

/** The Log Analytics custom table the ARM template creates. */
export const DEFAULT_ALERT_TABLE_NAME = "DefenderAlerts_CL";
/** The DCR stream the ARM template declares (`Custom-` + table name). */
export const DEFAULT_ALERT_STREAM_NAME = "Custom-DefenderAlerts_CL";
