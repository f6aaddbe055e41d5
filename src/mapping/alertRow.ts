/**
 * One Log Analytics row per Defender alert, for the Azure Monitor Logs Ingestion API (issue #6).
 *
 * `ALERT_ROW_COLUMNS` is the table schema: the zod `alertRowSchema`, the shipped ARM template
 * (`examples/arm/defender-alerts-table.json`) and the emulator all use the same column names and types (a test
 * checks it). Column names are PascalCase like Log Analytics custom tables; `TenantId`, `Title` and `Type` are
 * reserved there, hence `DefenderTenantId` and `AlertTitle`.
 *
 * The mapping is pure (no I/O, no clock: the "now" used to clamp `TimeGenerated` comes from the context) and
 * never trusts the runtime type of a field, so a hostile alert (odd types, megabytes of evidence, deep nesting,
 * `__proto__` keys) yields either a valid row with warnings or a typed `MappingError`.
 *
 * Size: the service accepts at most 1 MB per call and truncates any field above 64 KB (UNVERIFIED how it
 * truncates a `dynamic` value: assume it breaks the JSON). Every column is therefore capped well below 64 KB:
 * the evidence (`Evidence`, a `dynamic` array of evidence objects) to `evidenceMaxBytes` of JSON (32 KB by
 * default) with `EvidenceTruncated` set when anything was shortened or left out, and the key entities are
 * flattened into their own small `dynamic` string arrays first, so they survive any trimming.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { MappingError, type ValidationIssue } from "../core/errors";
import { timestampKey } from "../core/timestamps";
import type { DefenderAlert } from "../defender/models";
import { alertCategoryValue } from "./alertCategory";
import { describeEvidence } from "./description";
import { asArray, asRecord, isDateTime, own, ownString } from "./guards";
import type { Override } from "./mapper";
import { type MappingResult, type MappingWarning, mappingFail, mappingOk, type WarningSink } from "./result";
import { isHighSurrogate, sanitizeText } from "./text";

// ---------------------------------------------------------------------------------------------------------------
// Columns

/** Column types of a Logs Ingestion stream declaration (the table uses the same, with `dateTime` spelled so). */
export type AlertRowColumnType = "string" | "datetime" | "dynamic" | "boolean" | "int";

export interface AlertRowColumn {
  readonly name: string;
  readonly type: AlertRowColumnType;
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

// ---------------------------------------------------------------------------------------------------------------
// Schema

/** Above this many bytes a field is truncated by the service (Logs Ingestion API limits). */
export const LOGS_INGESTION_MAX_FIELD_BYTES = 65_536;

/** UTF-8 length of a string, without encoding it when the answer is obvious. */
function utf8Length(s: string): number {
  return s.length * 3 <= LOGS_INGESTION_MAX_FIELD_BYTES
    ? Math.min(s.length * 3, Buffer.byteLength(s))
    : Buffer.byteLength(s);
}

const fieldMessage = `must be at most ${LOGS_INGESTION_MAX_FIELD_BYTES} bytes (service field limit)`;
const text = z
  .string()
  .refine(
    (s) => s.length * 3 <= LOGS_INGESTION_MAX_FIELD_BYTES || utf8Length(s) <= LOGS_INGESTION_MAX_FIELD_BYTES,
    fieldMessage,
  );
const dateTime = z.string().refine(isDateTime, "must be an RFC 3339 date-time");
const stringList = z.array(z.string());

/** An evidence object in the `Evidence` column: any JSON object with its `@odata.type`. */
export type AlertRowEvidence = { "@odata.type": string; [key: string]: unknown };
/**
 * An evidence object in the `Evidence` column: a plain object with a string `@odata.type`. Checked without
 * copying (a row's evidence can be tens of kilobytes).
 */
export const alertRowEvidenceSchema = z.custom<AlertRowEvidence>(
  (v) =>
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as Record<string, unknown>)["@odata.type"] === "string",
  "must be an object with a string @odata.type",
);

/**
 * One row of the alerts table. Strict: a row with a column the table does not have is refused. The JSON size of
 * the `dynamic` columns is checked by the mapper (`dynamicColumnIssues`), so this schema stays extendable.
 */
export const alertRowSchema = z.strictObject({
  TimeGenerated: dateTime,
  RowId: z.string().min(1),
  AlertId: z.string().min(1),
  ProviderAlertId: text,
  IncidentId: text,
  DefenderTenantId: text,
  AlertTitle: text,
  Description: text,
  Severity: text,
  Status: text,
  Category: text,
  MitreTechniques: stringList,
  ServiceSource: text,
  DetectionSource: text,
  ProductName: text,
  DetectorId: text,
  Classification: text,
  Determination: text,
  AssignedTo: text,
  InvestigationState: text,
  ThreatDisplayName: text,
  ThreatFamilyName: text,
  ActorDisplayName: text,
  SystemTags: stringList,
  CreatedDateTime: dateTime.nullable(),
  LastUpdateDateTime: dateTime.nullable(),
  ResolvedDateTime: dateTime.nullable(),
  FirstActivityDateTime: dateTime.nullable(),
  LastActivityDateTime: dateTime.nullable(),
  AlertWebUrl: text,
  IncidentWebUrl: text,
  Evidence: z.array(alertRowEvidenceSchema),
  EvidenceCount: z.number().int().nonnegative(),
  EvidenceTruncated: z.boolean(),
  Accounts: stringList,
  Hosts: stringList,
  IPs: stringList,
  Urls: stringList,
  FileHashes: stringList,
  Mailboxes: stringList,
  SchemaVersion: z.number().int(),
});

const DYNAMIC_COLUMNS: readonly string[] = ALERT_ROW_COLUMNS.filter((c) => c.type === "dynamic").map(
  (c) => c.name,
);

/** JSON bytes of the evidence objects `compactEvidence` built, so a row's `Evidence` need not be serialized twice. */
const measuredItems = new WeakMap<object, number>();

function knownArraySize(value: unknown): number | undefined {
  if (!Array.isArray(value)) return undefined;
  let n = 2 + Math.max(0, value.length - 1);
  for (const item of value) {
    const size = typeof item === "object" && item !== null ? measuredItems.get(item) : undefined;
    if (size === undefined) return undefined;
    n += size;
  }
  return n;
}

/** A cheap upper bound of the JSON size of a string array (6 bytes per UTF-16 unit covers any escape). */
function stringArrayBound(value: unknown): number | undefined {
  if (!Array.isArray(value)) return undefined;
  let n = 2;
  for (const item of value) {
    if (typeof item !== "string") return undefined;
    n += item.length * 6 + 3;
  }
  return n;
}

/** Issues for `dynamic` columns whose JSON is above the service's field limit. */
export function dynamicColumnIssues(row: Readonly<Record<string, unknown>>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const name of DYNAMIC_COLUMNS) {
    const value = row[name];
    if (value === undefined) continue;
    const bound = knownArraySize(value) ?? stringArrayBound(value);
    if (bound !== undefined && bound <= LOGS_INGESTION_MAX_FIELD_BYTES) continue;
    if (Buffer.byteLength(JSON.stringify(value)) > LOGS_INGESTION_MAX_FIELD_BYTES) {
      issues.push({ path: name, message: fieldMessage });
    }
  }
  return issues;
}

/** A row of the alerts table. */
export type AlertRow = z.infer<typeof alertRowSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Keys

/** Identifies one version of an alert: what "uploaded once" is counted by. */
export interface AlertKey {
  alertId: string;
  /** The alert's `lastUpdateDateTime` as a sortable key (7 fractional digits), or "" when it has none. */
  lastUpdateDateTime: string;
}

/** The key of an alert: its id and its normalized `lastUpdateDateTime`. */
export function alertKeyOf(alert: Pick<DefenderAlert, "id" | "lastUpdateDateTime">): AlertKey {
  const id = typeof alert.id === "string" ? alert.id : String(alert.id);
  const version = typeof alert.lastUpdateDateTime === "string" ? timestampKey(alert.lastUpdateDateTime) : "";
  return { alertId: id, lastUpdateDateTime: version };
}

/** `RowId`: 128 bits of SHA-256 over the key, base64url (22 characters). Stable across processes and releases. */
export function alertRowId(key: AlertKey): string {
  return createHash("sha256")
    .update(`${key.alertId}\n${key.lastUpdateDateTime}`, "utf8")
    .digest("base64url")
    .slice(0, 22);
}

// ---------------------------------------------------------------------------------------------------------------
// Limits and context

export interface AlertRowLimits {
  /** JSON bytes of the `Evidence` column. Default 32,768 (half the service's 64 KB field limit). */
  evidenceMaxBytes: number;
  /** UTF-8 bytes of `Description`. Default 8,192. */
  descriptionMaxBytes: number;
  /** UTF-8 bytes of every other string column. Default 2,048. */
  stringMaxBytes: number;
  /** Items per flattened entity list (`Accounts`, `Hosts`, …) and per `MitreTechniques`/`SystemTags`. Default 100. */
  listMaxItems: number;
  /** Characters per entity or list item. Default 512. */
  listItemMaxLength: number;
}

export const DEFAULT_ALERT_ROW_LIMITS: Readonly<AlertRowLimits> = Object.freeze({
  evidenceMaxBytes: 32_768,
  descriptionMaxBytes: 8_192,
  stringMaxBytes: 2_048,
  listMaxItems: 100,
  listItemMaxLength: 512,
});

/** What the row builder gets besides the alert. */
export interface AlertRowContext {
  /** `DefenderTenantId` when the alert carries no `tenantId`. */
  readonly tenantId: string | undefined;
  /**
   * The upload time. When set, a `TimeGenerated` more than 2 days before it or more than 1 day after it is
   * replaced by it (with a warning): Azure Monitor does not keep such values (README, "Alerts as SIEM data").
   */
  readonly receivedAt: Date | undefined;
  readonly limits: Readonly<AlertRowLimits>;
  /** Records a warning on the result. */
  readonly warn: WarningSink;
}

/** Builds a row (not yet validated). The default is {@link buildAlertRow}. */
export type AlertRowBuilder = (alert: DefenderAlert, ctx: AlertRowContext) => AlertRow;

/** Per-call input of a mapper. */
export interface AlertRowMapContext {
  tenantId?: string;
  receivedAt?: Date;
}

/** Maps one alert to one validated row. */
export type AlertRowMapper = (alert: DefenderAlert, ctx?: AlertRowMapContext) => MappingResult<AlertRow>;

export interface AlertRowMapperOptions {
  /**
   * Replaces or wraps the row builder; `next` is the default. To add a column:
   * `build: (alert, ctx, next) => ({ ...next(alert, ctx), MyColumn_s: "…" })` (and add it to the table and DCR).
   */
  build?: Override<AlertRowBuilder>;
  limits?: Partial<AlertRowLimits>;
  /**
   * The schema every row must pass. Default: `alertRowSchema`, or `alertRowSchema.loose()` when `build` is given
   * (the known columns are still checked, extra ones pass). Pass `alertRowSchema.extend({ … })` to check yours.
   */
  schema?: z.ZodType<AlertRow>;
}

// ---------------------------------------------------------------------------------------------------------------
// Text helpers

const ELLIPSIS = "…";

/** Cuts `s` to at most `maxBytes` UTF-8 bytes (ending with "…" when cut), never inside a surrogate pair. */
export function clipUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes || Buffer.byteLength(s) <= maxBytes) return s;
  const budget = Math.max(0, maxBytes - 3);
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const code = s.charCodeAt(i);
    const pair = isHighSurrogate(code) && i + 1 < s.length;
    const size = pair ? 4 : code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
    if (bytes + size > budget) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return s.slice(0, i) + (maxBytes >= 3 ? ELLIPSIS : "");
}

function clipChars(s: string, max: number): string {
  if (s.length <= max) return s;
  let keep = Math.max(0, max - 1);
  if (keep > 0 && isHighSurrogate(s.charCodeAt(keep - 1))) keep--;
  return s.slice(0, keep) + ELLIPSIS;
}

/** A scalar as text: strings as they are, finite numbers and booleans printed, anything else undefined. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean")
    return String(value);
  if (typeof value === "bigint") return value.toString();
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Evidence compaction

type Json = string | number | boolean | Json[] | { [key: string]: Json };

interface CompactLevel {
  maxString: number;
  maxArray: number;
  maxKeys: number;
  maxDepth: number;
}

/** Full detail, then a tighter pass for an item that does not fit; the last resort is a one-line stub. */
const COMPACT_LEVELS: readonly CompactLevel[] = [
  { maxString: 2_048, maxArray: 50, maxKeys: 100, maxDepth: 6 },
  { maxString: 256, maxArray: 10, maxKeys: 40, maxDepth: 4 },
];

/** JSON-safe copy: nulls dropped, strings cleaned and clipped, arrays/objects/depth bounded. `cut` notes losses. */
function compact(
  value: unknown,
  level: CompactLevel,
  depth: number,
  cut: { lossy: boolean },
): Json | undefined {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case "string": {
      const clean = sanitizeText(
        value.length > level.maxString * 2 ? value.slice(0, level.maxString * 2) : value,
      ).text;
      const clipped = clipChars(clean, level.maxString);
      if (clipped.length !== value.length || clipped !== value) {
        if (clipped !== clean || clean.length !== value.length) cut.lossy = true;
      }
      return clipped;
    }
    case "number":
      if (Number.isFinite(value)) return value;
      cut.lossy = true;
      return undefined;
    case "boolean":
      return value;
    case "bigint":
      return value.toString();
    case "object":
      break;
    default:
      cut.lossy = true;
      return undefined;
  }
  if (depth >= level.maxDepth) {
    cut.lossy = true;
    return undefined;
  }
  if (Array.isArray(value)) {
    const n = Math.min(value.length, level.maxArray);
    if (value.length > n) cut.lossy = true;
    const out: Json[] = [];
    for (let i = 0; i < n; i++) {
      const c = compact(value[i], level, depth + 1, cut);
      if (c !== undefined) out.push(c);
    }
    return out;
  }
  const keys = Object.keys(value);
  const n = Math.min(keys.length, level.maxKeys);
  if (keys.length > n) cut.lossy = true;
  const out: Record<string, Json> = {};
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    const c = compact((value as Record<string, unknown>)[key], level, depth + 1, cut);
    if (c === undefined) continue;
    const cleanKey =
      key.length <= 128 && !NEEDS_CLEANING.test(key) ? key : clipChars(sanitizeText(key).text, 128);
    if (cleanKey === "__proto__") {
      // Assigned, this key would set the object's prototype; kept as data it would do so wherever the row is
      // copied by assignment. Dropped.
      cut.lossy = true;
      continue;
    }
    if (cleanKey !== key) cut.lossy = true;
    out[cleanKey] = c;
  }
  return out;
}

const NEEDS_CLEANING = /[\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]/;

function evidenceTypeOf(e: Readonly<Record<string, unknown>> | undefined): string {
  return ownString(e, "@odata.type") ?? "#microsoft.graph.security.alertEvidence";
}

/** The smallest useful form of an evidence item: its type and one line naming the entity. */
function evidenceStub(e: Readonly<Record<string, unknown>> | undefined): Json {
  const stub: Record<string, Json> = { "@odata.type": clipChars(sanitizeText(evidenceTypeOf(e)).text, 256) };
  const summary = describeEvidence(e);
  if (summary !== undefined) stub.summary = clipChars(sanitizeText(summary).text, 256);
  return stub;
}

/** The `Evidence` column within `maxBytes` of JSON; `truncated` when anything was shortened or left out. */
export function compactEvidence(
  evidence: unknown,
  maxBytes: number,
): { evidence: AlertRowEvidence[]; truncated: boolean; count: number } {
  const items = asArray(evidence);
  const out: AlertRowEvidence[] = [];
  let truncated = false;
  let used = 2; // "[]"
  for (const raw of items) {
    const record = asRecord(raw);
    if (record === undefined) {
      truncated = true; // not an object: nothing to keep
      continue;
    }
    let placed = false;
    for (let attempt = 0; attempt <= COMPACT_LEVELS.length; attempt++) {
      const level = COMPACT_LEVELS[attempt];
      const cut = { lossy: level === undefined };
      const value = level === undefined ? evidenceStub(record) : (compact(record, level, 0, cut) ?? {});
      const lossy = cut.lossy;
      const withType = withEvidenceType(value, record);
      const itemBytes = Buffer.byteLength(JSON.stringify(withType));
      const size = itemBytes + (out.length > 0 ? 1 : 0);
      if (used + size <= maxBytes) {
        measuredItems.set(withType, itemBytes);
        out.push(withType);
        used += size;
        truncated ||= lossy;
        placed = true;
        break;
      }
    }
    if (!placed) {
      truncated = true;
      break; // no room even for a stub: the rest is left out
    }
  }
  if (out.length < items.length) truncated = true;
  return { evidence: out, truncated, count: items.length };
}

function withEvidenceType(value: Json, record: Readonly<Record<string, unknown>>): AlertRowEvidence {
  const obj = (typeof value === "object" && value !== null && !Array.isArray(value) ? value : {}) as Record<
    string,
    Json
  >;
  if (typeof obj["@odata.type"] === "string") return obj as AlertRowEvidence;
  return Object.fromEntries([
    ["@odata.type", clipChars(sanitizeText(evidenceTypeOf(record)).text, 256)],
    ...Object.entries(obj).filter(([k]) => k !== "@odata.type"),
  ]) as AlertRowEvidence;
}

// ---------------------------------------------------------------------------------------------------------------
// Key entities

/** JSON bytes one list column may use (a quarter of the service's field limit). */
const LIST_MAX_BYTES = 16_384;

/** Collects distinct (case-insensitive) clean values up to a count and a byte budget. */
class EntityList {
  readonly values: string[] = [];
  private readonly seen = new Set<string>();
  private bytes = 2;
  dropped = 0;
  constructor(
    private readonly maxItems: number,
    private readonly maxLength: number,
  ) {}
  add(value: unknown): void {
    const s = scalarText(value);
    if (s === undefined) return;
    const clean = clipChars(
      sanitizeText(s.length > this.maxLength * 2 ? s.slice(0, this.maxLength * 2) : s).text.trim(),
      this.maxLength,
    );
    if (clean === "") return;
    const key = clean.toLowerCase();
    if (this.seen.has(key)) return;
    const size = Buffer.byteLength(clean) + 3;
    if (this.values.length >= this.maxItems || this.bytes + size > LIST_MAX_BYTES) {
      this.dropped++;
      return;
    }
    this.bytes += size;
    this.seen.add(key);
    this.values.push(clean);
  }
}

interface Entities {
  Accounts: EntityList;
  Hosts: EntityList;
  IPs: EntityList;
  Urls: EntityList;
  FileHashes: EntityList;
  Mailboxes: EntityList;
}

function accountName(account: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (account === undefined) return undefined;
  const upn = ownString(account, "userPrincipalName");
  if (upn?.trim()) return upn;
  const name = ownString(account, "accountName");
  const domain = ownString(account, "domainName");
  if (name?.trim()) return domain?.trim() ? `${domain}\\${name}` : name;
  return ownString(account, "displayName") ?? ownString(account, "azureAdUserId");
}

const HEX = /^[0-9a-fA-F]{32,128}$/;

function addHashes(list: EntityList, details: Readonly<Record<string, unknown>> | undefined): void {
  for (const field of ["sha256", "sha1", "md5"]) {
    const value = ownString(details, field)?.trim();
    if (value !== undefined && HEX.test(value)) list.add(value.toLowerCase());
  }
}

/** Adds the key entities of one evidence item (read defensively: any field may have any type). */
function collectEntities(raw: unknown, out: Entities): void {
  const e = asRecord(raw);
  const type = ownString(e, "@odata.type");
  if (type === undefined) return;
  const kind = type.slice(type.lastIndexOf(".") + 1).toLowerCase();
  switch (kind) {
    case "deviceevidence":
      out.Hosts.add(ownString(e, "deviceDnsName") ?? ownString(e, "hostName"));
      for (const user of asArray(own(e, "loggedOnUsers"))) out.Accounts.add(accountName(asRecord(user)));
      break;
    case "userevidence":
      out.Accounts.add(accountName(asRecord(own(e, "userAccount"))));
      break;
    case "ipevidence":
      out.IPs.add(own(e, "ipAddress"));
      break;
    case "urlevidence":
      out.Urls.add(own(e, "url"));
      break;
    case "fileevidence":
      addHashes(out.FileHashes, asRecord(own(e, "fileDetails")));
      break;
    case "processevidence":
      addHashes(out.FileHashes, asRecord(own(e, "imageFile")));
      addHashes(out.FileHashes, asRecord(own(e, "parentProcessImageFile")));
      out.Accounts.add(accountName(asRecord(own(e, "userAccount"))));
      break;
    case "filehashevidence": {
      const value = ownString(e, "value")?.trim();
      if (value !== undefined && HEX.test(value)) out.FileHashes.add(value.toLowerCase());
      break;
    }
    case "mailboxevidence":
      out.Mailboxes.add(ownString(e, "primaryAddress") ?? ownString(e, "upn"));
      out.Accounts.add(accountName(asRecord(own(e, "userAccount"))));
      break;
    case "analyzedmessageevidence":
      out.Mailboxes.add(own(e, "recipientEmailAddress"));
      out.Mailboxes.add(ownString(asRecord(own(e, "p1Sender")), "emailAddress"));
      out.IPs.add(own(e, "senderIp"));
      for (const url of asArray(own(e, "urls"))) out.Urls.add(url);
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The default builder

function stringField(
  alert: Readonly<Record<string, unknown>>,
  key: string,
  column: string,
  maxBytes: number,
  warn: WarningSink,
): string {
  const raw = own(alert, key);
  if (raw === null || raw === undefined) return "";
  const s = scalarText(raw);
  if (s === undefined) {
    warn({ field: column, kind: "dropped", message: `${key} is not a string (${typeof raw}); left empty` });
    return "";
  }
  const head = s.length > maxBytes * 2 ? s.slice(0, maxBytes * 2) : s;
  const clean = sanitizeText(head).text;
  const clipped = clipUtf8(clean, maxBytes);
  if (head !== s || clipped !== clean) {
    warn({ field: column, kind: "truncated", message: `${key} cut to ${maxBytes} bytes` });
  }
  return clipped;
}

function dateField(
  alert: Readonly<Record<string, unknown>>,
  key: string,
  column: string,
  warn: WarningSink,
): string | null {
  const raw = own(alert, key);
  if (raw === null || raw === undefined || raw === "") return null;
  if (typeof raw === "string" && isDateTime(raw)) return raw;
  warn({ field: column, kind: "dropped", message: `${key} is not an RFC 3339 date-time; left empty` });
  return null;
}

function listField(
  alert: Readonly<Record<string, unknown>>,
  key: string,
  column: string,
  limits: Readonly<AlertRowLimits>,
  warn: WarningSink,
): string[] {
  const list = new EntityList(limits.listMaxItems, Math.min(limits.listItemMaxLength, 256));
  for (const item of asArray(own(alert, key))) list.add(item);
  if (list.dropped > 0)
    warn({ field: column, kind: "truncated", message: `${list.dropped} item(s) left out` });
  return list.values;
}

const TWO_DAYS_MS = 2 * 86_400_000;
const ONE_DAY_MS = 86_400_000;

/**
 * The default row of an alert. Never throws for hostile field values (they become empty with a warning); it
 * throws a `MappingError` only when the alert has no id.
 */
export const buildAlertRow: AlertRowBuilder = (alertInput, ctx) => {
  const alert = asRecord(alertInput) ?? {};
  const { limits, warn } = ctx;
  const idRaw = scalarText(own(alert, "id"));
  if (idRaw === undefined || idRaw.trim() === "") {
    throw new MappingError({ field: "AlertId", mapper: "alertRow", message: "the alert has no id" });
  }
  const key = alertKeyOf({ id: idRaw, lastUpdateDateTime: ownString(alert, "lastUpdateDateTime") });
  const s = (k: string, column: string, max = limits.stringMaxBytes) =>
    stringField(alert, k, column, max, warn);

  const lastUpdate = dateField(alert, "lastUpdateDateTime", "LastUpdateDateTime", warn);
  const created = dateField(alert, "createdDateTime", "CreatedDateTime", warn);
  let timeGenerated = lastUpdate ?? created;
  if (timeGenerated === null) {
    throw new MappingError({
      field: "TimeGenerated",
      mapper: "alertRow",
      message: "the alert has neither a valid lastUpdateDateTime nor a valid createdDateTime",
    });
  }
  if (lastUpdate === null) {
    warn({ field: "TimeGenerated", kind: "lossy", message: "no lastUpdateDateTime; createdDateTime used" });
  }
  if (ctx.receivedAt !== undefined) {
    const t = Date.parse(timeGenerated);
    const now = ctx.receivedAt.getTime();
    if (t < now - TWO_DAYS_MS || t > now + ONE_DAY_MS) {
      warn({
        field: "TimeGenerated",
        kind: "lossy",
        message:
          "outside [upload time − 2 days, + 1 day]; set to the upload time (LastUpdateDateTime keeps the real value)",
      });
      timeGenerated = ctx.receivedAt.toISOString();
    }
  }

  const limitsEntities = (): Entities => {
    const make = () => new EntityList(limits.listMaxItems, limits.listItemMaxLength);
    return {
      Accounts: make(),
      Hosts: make(),
      IPs: make(),
      Urls: make(),
      FileHashes: make(),
      Mailboxes: make(),
    };
  };
  const entities = limitsEntities();
  const evidenceRaw = own(alert, "evidence");
  for (const item of asArray(evidenceRaw)) collectEntities(item, entities);
  for (const [column, list] of Object.entries(entities)) {
    if (list.dropped > 0)
      warn({ field: column, kind: "truncated", message: `${list.dropped} value(s) left out` });
  }
  if (evidenceRaw !== undefined && evidenceRaw !== null && !Array.isArray(evidenceRaw)) {
    warn({ field: "Evidence", kind: "dropped", message: "evidence is not an array; left empty" });
  }
  const evidence = compactEvidence(evidenceRaw, limits.evidenceMaxBytes);
  if (evidence.truncated) {
    warn({
      field: "Evidence",
      kind: "truncated",
      message: `evidence shortened to ${limits.evidenceMaxBytes} bytes (${evidence.evidence.length} of ${evidence.count} item(s) kept)`,
    });
  }

  const tenant = s("tenantId", "DefenderTenantId");
  return {
    TimeGenerated: timeGenerated,
    RowId: alertRowId(key),
    AlertId: clipUtf8(sanitizeText(key.alertId).text, limits.stringMaxBytes),
    ProviderAlertId: s("providerAlertId", "ProviderAlertId"),
    IncidentId: s("incidentId", "IncidentId"),
    DefenderTenantId:
      tenant !== "" ? tenant : clipUtf8(sanitizeText(ctx.tenantId ?? "").text, limits.stringMaxBytes),
    AlertTitle: s("title", "AlertTitle"),
    Description: s("description", "Description", limits.descriptionMaxBytes),
    Severity: s("severity", "Severity"),
    Status: s("status", "Status"),
    Category: stringField(
      { category: alertCategoryValue(alert) },
      "category",
      "Category",
      limits.stringMaxBytes,
      warn,
    ),
    MitreTechniques: listField(alert, "mitreTechniques", "MitreTechniques", limits, warn),
    ServiceSource: s("serviceSource", "ServiceSource"),
    DetectionSource: s("detectionSource", "DetectionSource"),
    ProductName: s("productName", "ProductName"),
    DetectorId: s("detectorId", "DetectorId"),
    Classification: s("classification", "Classification"),
    Determination: s("determination", "Determination"),
    AssignedTo: s("assignedTo", "AssignedTo"),
    InvestigationState: s("investigationState", "InvestigationState"),
    ThreatDisplayName: s("threatDisplayName", "ThreatDisplayName"),
    ThreatFamilyName: s("threatFamilyName", "ThreatFamilyName"),
    ActorDisplayName: s("actorDisplayName", "ActorDisplayName"),
    SystemTags: listField(alert, "systemTags", "SystemTags", limits, warn),
    CreatedDateTime: created,
    LastUpdateDateTime: lastUpdate,
    ResolvedDateTime: dateField(alert, "resolvedDateTime", "ResolvedDateTime", warn),
    FirstActivityDateTime: dateField(alert, "firstActivityDateTime", "FirstActivityDateTime", warn),
    LastActivityDateTime: dateField(alert, "lastActivityDateTime", "LastActivityDateTime", warn),
    AlertWebUrl: s("alertWebUrl", "AlertWebUrl"),
    IncidentWebUrl: s("incidentWebUrl", "IncidentWebUrl"),
    Evidence: evidence.evidence,
    EvidenceCount: evidence.count,
    EvidenceTruncated: evidence.truncated,
    Accounts: entities.Accounts.values,
    Hosts: entities.Hosts.values,
    IPs: entities.IPs.values,
    Urls: entities.Urls.values,
    FileHashes: entities.FileHashes.values,
    Mailboxes: entities.Mailboxes.values,
    SchemaVersion: ALERT_ROW_SCHEMA_VERSION,
  };
};

// ---------------------------------------------------------------------------------------------------------------
// The mapper

function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A pure alert → row mapper: builds the row (default {@link buildAlertRow}, or your `build` override wrapping
 * it) and validates it with zod. Returns `{ ok: false, error: MappingError }` instead of throwing.
 *
 * @example
 * const mapper = createAlertRowMapper({
 *   build: (alert, ctx, next) => ({ ...next(alert, ctx), Severity: alert.severity === "high" ? "High" : "Other" }),
 * });
 */
export function createAlertRowMapper(options: AlertRowMapperOptions = {}): AlertRowMapper {
  const limits: Readonly<AlertRowLimits> = Object.freeze({ ...DEFAULT_ALERT_ROW_LIMITS, ...options.limits });
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`alert row limit ${name} must be a positive integer`);
  }
  if (
    limits.evidenceMaxBytes > LOGS_INGESTION_MAX_FIELD_BYTES ||
    limits.descriptionMaxBytes > LOGS_INGESTION_MAX_FIELD_BYTES
  ) {
    throw new RangeError(
      `alert row limits must stay within the service field limit of ${LOGS_INGESTION_MAX_FIELD_BYTES} bytes`,
    );
  }
  const override = options.build;
  if (override !== undefined && typeof override !== "function")
    throw new TypeError("build must be a function");
  const build: AlertRowBuilder = override
    ? (alert, ctx) => override(alert, ctx, buildAlertRow)
    : buildAlertRow;
  const schema: z.ZodType<AlertRow> =
    options.schema ??
    (override ? (alertRowSchema.loose() as unknown as z.ZodType<AlertRow>) : alertRowSchema);
  const mapperName = override ? "alertRow (overridden build)" : "alertRow";

  return (alert, mapCtx = {}) => {
    const warnings: MappingWarning[] = [];
    const ctx: AlertRowContext = {
      tenantId: mapCtx.tenantId,
      receivedAt: mapCtx.receivedAt,
      limits,
      warn: (w) => {
        warnings.push(w);
      },
    };
    let row: AlertRow;
    try {
      row = build(alert, ctx);
    } catch (e) {
      if (e instanceof MappingError) return mappingFail(e);
      return mappingFail(
        new MappingError({
          field: "(row)",
          mapper: mapperName,
          message: `row builder threw: ${errorMessage(e)}`,
          cause: e,
        }),
      );
    }
    const parsed = schema.safeParse(row);
    const issues = parsed.success
      ? dynamicColumnIssues(parsed.data as Record<string, unknown>)
      : issuesOf(parsed.error);
    if (!parsed.success || issues.length > 0) {
      return mappingFail(
        new MappingError({
          field: "(row)",
          mapper: mapperName,
          message: "the row does not match the table schema",
          issues,
        }),
      );
    }
    return mappingOk(parsed.data, warnings);
  };
}

/** The default mapper (`createAlertRowMapper()`). */
export const defaultAlertRowMapper: AlertRowMapper = createAlertRowMapper();
