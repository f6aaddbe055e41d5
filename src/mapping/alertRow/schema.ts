/**
 * The zod schema of one row of the alerts table, and the service's per-field size limit it enforces on the string
 * columns (the `dynamic` columns are measured by `dynamicColumnIssues`).
 */
import { z } from "zod";
import { isDateTime } from "../guards";

/** Above this many bytes a field is truncated by the service (Logs Ingestion API limits). */
export const LOGS_INGESTION_MAX_FIELD_BYTES = 65_536;

/** The issue message of a column above {@link LOGS_INGESTION_MAX_FIELD_BYTES}. */
export const FIELD_LIMIT_MESSAGE = `must be at most ${LOGS_INGESTION_MAX_FIELD_BYTES} bytes (service field limit)`;

/** UTF-8 length of a string, without encoding it when the answer is obvious. */
function utf8Length(s: string): number {
  return s.length * 3 <= LOGS_INGESTION_MAX_FIELD_BYTES
    ? Math.min(s.length * 3, Buffer.byteLength(s))
    : Buffer.byteLength(s);
}

const text = z
  .string()
  .refine(
    (s) => s.length * 3 <= LOGS_INGESTION_MAX_FIELD_BYTES || utf8Length(s) <= LOGS_INGESTION_MAX_FIELD_BYTES,
    FIELD_LIMIT_MESSAGE,
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

/** A row of the alerts table. */
export type AlertRow = z.infer<typeof alertRowSchema>;
