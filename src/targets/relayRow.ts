/**
 * Relay rows: one Log Analytics row per source alert of a Defender XDR incident, written to a custom table of
 * the target workspace (Logs Ingestion API) for the relay analytics rule (`relayRule.ts`) to turn into alerts.
 *
 * `RELAY_ROW_COLUMNS` is the table schema as data: the zod `relayRowSchema`, the shipped ARM template
 * (`examples/arm/unified-relay.json`) and the rule all use these names and types (tests check it). Names avoid
 * the reserved `TenantId`, `Type` and `Title`.
 *
 * Entities come from the alert-row extraction of the Logs Ingestion alert sink (`src/mapping/alertRow.ts`: the
 * compacted evidence, the IP, URL and mailbox lists) plus the structured first account, host and file
 * (`relayEntities.ts`), flattened into the columns the rule maps.
 *
 * Limits (learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview and sentinel-service-limits):
 * the service cuts any field above 64 KB, so every column is kept below it and text cut here ends with
 * `RELAY_TRUNCATION_MARKER`; the `Entities` column stays valid JSON and ends with a marker item when evidence was
 * left out or shortened. Titles are short enough that the rule's alert name (`IncidentTitle | AlertTitle`) fits
 * Sentinel's 256 bytes, and `AlertDescription` fits the 5 KB alert description.
 */
import { z } from "zod";
import { InvalidArgumentError, MappingError, type ValidationIssue } from "../core/errors";
import { zodIssues } from "../core/validationIssues";
import type { DefenderAlert, DefenderIncident } from "../defender/models";
import {
  type AlertRow,
  alertKeyOf,
  alertRowId,
  buildAlertRow,
  clipUtf8,
  LOGS_INGESTION_MAX_FIELD_BYTES,
} from "../mapping/alertRow";
import { asRecord, isDateTime, own, ownString } from "../mapping/guards";
import {
  type MappingResult,
  type MappingWarning,
  mappingFail,
  mappingOk,
  type WarningSink,
} from "../mapping/result";
import { canonicalToSentinelSeverityRows, defenderToCanonicalSeverityRows } from "../mapping/severity";
import { createEnumLookup, mapEnum } from "../mapping/table";
import { sanitizeText } from "../mapping/text";
import { attackTacticValues } from "../sentinel/alertRuleModels";
import type { SentinelSeverity } from "../sentinel/models";
import { pickRelayEntities } from "./relayEntities";

// ---------------------------------------------------------------------------------------------------------------
// Columns

/** KQL column types of the relay table (tables spell `datetime` as `dateTime`). */
export type RelayColumnType = "string" | "datetime" | "dynamic" | "int";

/** A column of the relay table: its name, KQL type and description (as the ARM template declares it). */
export interface RelayRowColumn {
  readonly name: string;
  readonly type: RelayColumnType;
  readonly description: string;
}

/** Bumped when columns change meaning; stored in every row (`SchemaVersion`). */
export const RELAY_ROW_SCHEMA_VERSION = 1;

/** The relay table's columns, in order. The ARM template and the zod schema match this list exactly. */
export const RELAY_ROW_COLUMNS = [
  { name: "TimeGenerated", type: "datetime", description: "The source alert version's lastUpdateDateTime." },
  { name: "SourceTenantId", type: "string", description: "Entra tenant of the source incident." },
  { name: "SourceIncidentId", type: "string", description: "Defender incident id in the source tenant." },
  { name: "SourceAlertId", type: "string", description: "Defender alert id in the source tenant." },
  { name: "RelayRowId", type: "string", description: "Stable id of the source alert version; dedupe key." },
  {
    name: "IncidentTitle",
    type: "string",
    description: "Source incident title (cut to fit the alert name).",
  },
  { name: "IncidentSeverity", type: "string", description: "Source incident severity: High, Medium, …" },
  { name: "AlertTitle", type: "string", description: "Source alert title (cut to fit the alert name)." },
  { name: "AlertDescription", type: "string", description: "Source alert description (cut to 5 KB)." },
  {
    name: "AlertSeverity",
    type: "string",
    description: "Source alert severity: High, Medium, Low, Informational.",
  },
  { name: "Tactics", type: "string", description: "MITRE ATT&CK tactics, comma-separated." },
  { name: "Techniques", type: "string", description: "MITRE ATT&CK technique ids, comma-separated." },
  {
    name: "SourceAlertWebUrl",
    type: "string",
    description: "The alert in the source tenant's Defender portal.",
  },
  { name: "AccountUpn", type: "string", description: "First account: user principal name." },
  { name: "AccountName", type: "string", description: "First account: name without domain." },
  { name: "AccountNTDomain", type: "string", description: "First account: NetBIOS/AD domain." },
  { name: "AccountUPNSuffix", type: "string", description: "First account: UPN suffix." },
  { name: "AccountAadUserId", type: "string", description: "First account: Entra object id." },
  { name: "HostName", type: "string", description: "First device: host name without domain." },
  { name: "HostDnsDomain", type: "string", description: "First device: DNS domain." },
  { name: "HostNTDomain", type: "string", description: "First device: NT domain." },
  { name: "HostMdeDeviceId", type: "string", description: "First device: Defender for Endpoint device id." },
  { name: "IPAddress", type: "string", description: "First IP address." },
  { name: "Url", type: "string", description: "First URL." },
  { name: "FileName", type: "string", description: "First file: name." },
  { name: "FileDirectory", type: "string", description: "First file: directory." },
  { name: "FileSha256", type: "string", description: "First file: SHA-256." },
  { name: "FileHashAlgorithm", type: "string", description: "SHA256 when FileSha256 is set." },
  { name: "MailboxPrimaryAddress", type: "string", description: "First mailbox: primary address." },
  { name: "Entities", type: "dynamic", description: "All evidence of the alert, compacted." },
  { name: "SchemaVersion", type: "int", description: "Version of this row schema." },
] as const satisfies readonly RelayRowColumn[];

/** A relay table column name. */
export type RelayColumnName = (typeof RELAY_ROW_COLUMNS)[number]["name"];

/** The custom table the ARM template creates. */
export const DEFAULT_RELAY_TABLE_NAME = "DefenderRelay_CL";
/** The DCR stream the ARM template declares (`Custom-` + table name). */
export const DEFAULT_RELAY_STREAM_NAME = "Custom-DefenderRelay_CL";

/** Ends every text cut here, so a reader sees it is not the whole value. */
export const RELAY_TRUNCATION_MARKER = "…[truncated]";
/** `@odata.type` of the last `Entities` item when evidence was left out or shortened. */
export const RELAY_ENTITIES_TRUNCATED_TYPE = "#defender-sentinel-sync.truncated";

// ---------------------------------------------------------------------------------------------------------------
// Schema

const fieldMessage = `must be at most ${LOGS_INGESTION_MAX_FIELD_BYTES} bytes (service field limit)`;
const text = z
  .string()
  .refine(
    (s) =>
      s.length * 3 <= LOGS_INGESTION_MAX_FIELD_BYTES ||
      Buffer.byteLength(s) <= LOGS_INGESTION_MAX_FIELD_BYTES,
    fieldMessage,
  );
const entity = z.custom<Record<string, unknown>>(
  (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  "must be an object",
);

/** One relay row. Strict: a column the table does not have is refused. */
export const relayRowSchema = z.strictObject({
  TimeGenerated: z.string().refine(isDateTime, "must be an RFC 3339 date-time"),
  SourceTenantId: text.pipe(z.string().min(1)),
  SourceIncidentId: text.pipe(z.string().min(1)),
  SourceAlertId: text.pipe(z.string().min(1)),
  RelayRowId: z.string().min(1),
  IncidentTitle: text,
  IncidentSeverity: text,
  AlertTitle: text,
  AlertDescription: text,
  AlertSeverity: text,
  Tactics: text,
  Techniques: text,
  SourceAlertWebUrl: text,
  AccountUpn: text,
  AccountName: text,
  AccountNTDomain: text,
  AccountUPNSuffix: text,
  AccountAadUserId: text,
  HostName: text,
  HostDnsDomain: text,
  HostNTDomain: text,
  HostMdeDeviceId: text,
  IPAddress: text,
  Url: text,
  FileName: text,
  FileDirectory: text,
  FileSha256: text,
  FileHashAlgorithm: text,
  MailboxPrimaryAddress: text,
  Entities: z.array(entity),
  SchemaVersion: z.number().int(),
});

/** A row of the relay table. */
export type RelayRow = z.infer<typeof relayRowSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Limits and options

/**
 * Byte limits (UTF-8) of relay row columns: titles, description, the `Entities` JSON and other strings. Longer values
 * are cut with a marker.
 */
export interface RelayRowLimits {
  /** UTF-8 bytes of `IncidentTitle`. Default 120 (with `AlertTitle` and " | " within the 256-byte alert name). */
  incidentTitleMaxBytes: number;
  /** UTF-8 bytes of `AlertTitle`. Default 128. */
  alertTitleMaxBytes: number;
  /** UTF-8 bytes of `AlertDescription`. Default 5,000 (Sentinel's alert description limit). */
  descriptionMaxBytes: number;
  /** JSON bytes of `Entities`. Default 32,768; at most 65,536. */
  entitiesMaxBytes: number;
  /** UTF-8 bytes of every other string column. Default 2,048. */
  stringMaxBytes: number;
}

export const DEFAULT_RELAY_ROW_LIMITS: Readonly<RelayRowLimits> = Object.freeze({
  incidentTitleMaxBytes: 120,
  alertTitleMaxBytes: 128,
  descriptionMaxBytes: 5_000,
  entitiesMaxBytes: 32_768,
  stringMaxBytes: 2_048,
});

/** Options for building relay rows: the source tenant, the upload time (bounds `TimeGenerated`) and column limits. */
export interface BuildRelayRowOptions {
  /** The source incident's tenant (`SourceTenantId`). */
  sourceTenantId: string;
  /** Upload time; bounds `TimeGenerated`. Default: the current time. */
  now?: Date;
  limits?: Partial<RelayRowLimits>;
}

/** Room kept in `Entities` for the marker item. */
const MARKER_RESERVE = 160;
const MIN_LIMIT = 64;

function resolveLimits(partial: Partial<RelayRowLimits> | undefined): Readonly<RelayRowLimits> {
  const limits = { ...DEFAULT_RELAY_ROW_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < MIN_LIMIT || value > LOGS_INGESTION_MAX_FIELD_BYTES) {
      throw new InvalidArgumentError(
        "limits",
        `${name} must be an integer from ${MIN_LIMIT} to ${LOGS_INGESTION_MAX_FIELD_BYTES} (the service's field limit)`,
      );
    }
  }
  if (limits.entitiesMaxBytes <= MARKER_RESERVE * 2) {
    throw new InvalidArgumentError("limits", `entitiesMaxBytes must be above ${MARKER_RESERVE * 2}`);
  }
  return limits;
}

function checkTenant(sourceTenantId: unknown): string {
  if (typeof sourceTenantId !== "string" || sourceTenantId.trim() === "") {
    throw new InvalidArgumentError("sourceTenantId", "must be a non-empty string");
  }
  return sourceTenantId.trim();
}

// ---------------------------------------------------------------------------------------------------------------
// Field helpers

/** Cuts `value` to `maxBytes` UTF-8 bytes, ending with `RELAY_TRUNCATION_MARKER` when cut. */
export function cutRelayText(value: string, maxBytes: number): string {
  if (value.length * 3 <= maxBytes || Buffer.byteLength(value) <= maxBytes) return value;
  // clipUtf8 ends a cut with "…" (3 bytes); the marker adds "[truncated]" after it.
  const suffix = RELAY_TRUNCATION_MARKER.slice(1);
  return clipUtf8(value, maxBytes - Buffer.byteLength(suffix)) + suffix;
}

const severityFromDefender = createEnumLookup(defenderToCanonicalSeverityRows);
const severityToSentinel = createEnumLookup(canonicalToSentinelSeverityRows);

/** A Defender severity (`high`, …, `unknown`) in Sentinel casing; unknown and missing ones are Informational. */
function sentinelSeverity(value: unknown, field: string, warn: WarningSink): SentinelSeverity {
  if (typeof value !== "string" || value === "") return "Informational";
  const canonical = mapEnum(severityFromDefender, value, field, warn)?.to ?? "unknown";
  return mapEnum(severityToSentinel, canonical, field, () => {})?.to ?? "Informational";
}

const TACTIC_BY_KEY = new Map(attackTacticValues.map((t) => [t.toLowerCase(), t]));
const TECHNIQUE = /^T\d{4}(\.\d{3})?$/i;

/** The alert's category when it names an ATT&CK tactic (Defender categories such as "Malware" do not). */
function tacticsOf(category: string): string {
  return TACTIC_BY_KEY.get(category.replace(/[\s_-]/g, "").toLowerCase()) ?? "";
}

/** ATT&CK technique ids, comma-separated, within `maxBytes` (whole ids only). */
function techniquesOf(ids: readonly string[], maxBytes: number): string {
  const valid = ids.filter((id) => TECHNIQUE.test(id)).map((id) => id.toUpperCase());
  let out = "";
  for (const id of valid) {
    const next = out === "" ? id : `${out},${id}`;
    if (next.length > maxBytes) break;
    out = next;
  }
  return out;
}

const TWO_DAYS_MS = 2 * 86_400_000;
/** Azure Monitor replaces a TimeGenerated older than 2 days; an hour of margin keeps ours. */
const MAX_AGE_MS = TWO_DAYS_MS - 3_600_000;

/** The alert version's time, or `now` when it is missing, in the future, or too old to be kept. */
function timeGenerated(alert: Readonly<Record<string, unknown>>, now: Date, warn: WarningSink): string {
  const raw = ownString(alert, "lastUpdateDateTime") ?? ownString(alert, "createdDateTime");
  const t = raw !== undefined && isDateTime(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(t) || t > now.getTime() || t < now.getTime() - MAX_AGE_MS) {
    if (!Number.isNaN(t) && t < now.getTime() - MAX_AGE_MS) {
      warn({
        field: "TimeGenerated",
        kind: "lossy",
        message: "alert version older than 2 days; upload time used",
      });
    }
    return now.toISOString();
  }
  return raw!;
}

/** `RelayRowId`: the alert-row id of (tenant, alert id, lastUpdateDateTime) — stable across processes. */
export function relayRowIdOf(
  sourceTenantId: string,
  alert: Pick<DefenderAlert, "id" | "lastUpdateDateTime">,
): string {
  const key = alertKeyOf(alert);
  return alertRowId({
    alertId: `${sourceTenantId.toLowerCase()}/${key.alertId}`,
    lastUpdateDateTime: key.lastUpdateDateTime,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Building rows

/** Alert-row columns whose warnings concern a relay column, and that column's name. */
const WARNING_COLUMNS: Readonly<Record<string, string>> = {
  AlertTitle: "AlertTitle",
  Description: "AlertDescription",
  Category: "Tactics",
  MitreTechniques: "Techniques",
  Evidence: "Entities",
  IPs: "IPAddress",
  Urls: "Url",
  Mailboxes: "MailboxPrimaryAddress",
};

const RECUT_COLUMNS = new Set(["AlertTitle", "AlertDescription"]);

/** The alert-row extraction (sanitized text, entity lists, compacted evidence) for one alert. */
function extract(
  alert: Readonly<Record<string, unknown>>,
  tenantId: string,
  now: Date,
  limits: Readonly<RelayRowLimits>,
  warn: WarningSink,
): AlertRow {
  const hasTime = [ownString(alert, "lastUpdateDateTime"), ownString(alert, "createdDateTime")].some(
    (t) => t !== undefined && isDateTime(t),
  );
  // buildAlertRow needs a time; the relay has its own (`timeGenerated`), so a missing one is filled in here only.
  const input = hasTime ? alert : { ...alert, createdDateTime: now.toISOString() };
  return buildAlertRow(input as DefenderAlert, {
    tenantId,
    receivedAt: undefined,
    limits: {
      evidenceMaxBytes: limits.entitiesMaxBytes - MARKER_RESERVE,
      descriptionMaxBytes: LOGS_INGESTION_MAX_FIELD_BYTES,
      stringMaxBytes: LOGS_INGESTION_MAX_FIELD_BYTES,
      listMaxItems: 100,
      listItemMaxLength: 512,
    },
    warn: (w) => {
      const column = WARNING_COLUMNS[w.field];
      // Text the relay cuts again to its own budget is reported once, by the relay.
      if (column === undefined || (w.kind === "truncated" && RECUT_COLUMNS.has(column))) return;
      warn({ ...w, field: column });
    },
  });
}

/** `Entities`: the compacted evidence, plus a marker item when some was left out or shortened. */
function entitiesOf(row: AlertRow): Record<string, unknown>[] {
  if (!row.EvidenceTruncated) return row.Evidence;
  return [
    ...row.Evidence,
    { "@odata.type": RELAY_ENTITIES_TRUNCATED_TYPE, kept: row.Evidence.length, total: row.EvidenceCount },
  ];
}

function assemble(
  incident: Readonly<Record<string, unknown>>,
  alert: Readonly<Record<string, unknown>>,
  tenantId: string,
  now: Date,
  limits: Readonly<RelayRowLimits>,
  warn: WarningSink,
): RelayRow {
  const a = extract(alert, tenantId, now, limits, warn);
  const cut = (value: string, max: number, column: string): string => {
    const clean = sanitizeText(value).text;
    const out = cutRelayText(clean, max);
    if (out !== clean) warn({ field: column, kind: "truncated", message: `cut to ${max} bytes` });
    return out;
  };
  const s = (value: string | undefined, column: string) => cut(value ?? "", limits.stringMaxBytes, column);
  // The incident handed over is the source key; the alert's own incidentId is only a fallback.
  const incidentId = ownString(incident, "id")?.trim() || ownString(alert, "incidentId")?.trim() || "";
  return {
    TimeGenerated: timeGenerated(alert, now, warn),
    SourceTenantId: s(tenantId, "SourceTenantId"),
    SourceIncidentId: s(incidentId, "SourceIncidentId"),
    SourceAlertId: a.AlertId,
    RelayRowId: relayRowIdOf(tenantId, {
      id: a.AlertId,
      lastUpdateDateTime: ownString(alert, "lastUpdateDateTime"),
    }),
    IncidentTitle: cut(
      ownString(incident, "displayName") ?? "",
      limits.incidentTitleMaxBytes,
      "IncidentTitle",
    ),
    IncidentSeverity: sentinelSeverity(own(incident, "severity"), "IncidentSeverity", warn),
    AlertTitle: cut(a.AlertTitle, limits.alertTitleMaxBytes, "AlertTitle"),
    AlertDescription: cut(a.Description, limits.descriptionMaxBytes, "AlertDescription"),
    AlertSeverity: sentinelSeverity(own(alert, "severity"), "AlertSeverity", warn),
    Tactics: tacticsOf(a.Category),
    Techniques: techniquesOf(a.MitreTechniques, limits.stringMaxBytes),
    SourceAlertWebUrl: s(a.AlertWebUrl, "SourceAlertWebUrl"),
    ...pickRelayEntities(alert),
    IPAddress: a.IPs[0] ?? "",
    Url: a.Urls[0] ?? "",
    MailboxPrimaryAddress: a.Mailboxes[0] ?? "",
    Entities: entitiesOf(a),
    SchemaVersion: RELAY_ROW_SCHEMA_VERSION,
  };
}

function rowIssues(row: RelayRow): ValidationIssue[] {
  const parsed = relayRowSchema.safeParse(row);
  if (!parsed.success) return zodIssues(parsed.error);
  if (Buffer.byteLength(JSON.stringify(row.Entities)) > LOGS_INGESTION_MAX_FIELD_BYTES)
    return [{ path: "Entities", message: fieldMessage }];
  return [];
}

/**
 * The relay row of one source alert. Pure apart from the default clock: never throws for hostile field values
 * (they become empty or cut, with warnings); returns `{ ok: false, error: MappingError }` when the alert has no
 * id or the row would not fit the table. Throws `InvalidArgumentError` for bad options.
 */
export function buildRelayRow(
  incident: DefenderIncident,
  alert: DefenderAlert,
  options: BuildRelayRowOptions,
): MappingResult<RelayRow> {
  const tenantId = checkTenant(options?.sourceTenantId);
  const limits = resolveLimits(options.limits);
  const warnings: MappingWarning[] = [];
  const warn: WarningSink = (w) => {
    warnings.push(w);
  };
  let row: RelayRow;
  try {
    row = assemble(
      asRecord(incident) ?? {},
      asRecord(alert) ?? {},
      tenantId,
      options.now ?? new Date(),
      limits,
      warn,
    );
  } catch (e) {
    if (e instanceof MappingError) return mappingFail(e);
    const message = e instanceof Error ? e.message : String(e);
    return mappingFail(new MappingError({ field: "(row)", mapper: "relayRow", message, cause: e }));
  }
  const issues = rowIssues(row);
  if (issues.length > 0) {
    return mappingFail(
      new MappingError({
        field: "(row)",
        mapper: "relayRow",
        message: "the row does not match the relay table",
        issues,
      }),
    );
  }
  return mappingOk(row, warnings);
}

/**
 * The relay rows of some alerts of a source incident (default: all of them), in order, ready to upload.
 * Throws the first alert's `MappingError` when one cannot be mapped, so nothing is half-sent.
 */
export function buildRelayRows(
  incident: DefenderIncident,
  alerts: readonly DefenderAlert[] = incident.alerts ?? [],
  options: BuildRelayRowOptions,
): RelayRow[] {
  const now = options?.now ?? new Date();
  return alerts.map((alert) => {
    const result = buildRelayRow(incident, alert, { ...options, now });
    if (!result.ok) throw result.error;
    return result.value;
  });
}
