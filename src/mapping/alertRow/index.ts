/**
 * One Log Analytics row per Defender alert, for the Azure Monitor Logs Ingestion API (issue #6).
 *
 * `ALERT_ROW_COLUMNS` (`columns.ts`) is the table schema: the zod `alertRowSchema` (`schema.ts`), the shipped ARM
 * template (`examples/arm/defender-alerts-table.json`) and the emulator all use the same column names and types
 * (a test checks it).
 *
 * The mapping is pure (no I/O, no clock: the "now" used to clamp `TimeGenerated` comes from the context) and
 * never trusts the runtime type of a field, so a hostile alert (odd types, megabytes of evidence, deep nesting,
 * `__proto__` keys) yields either a valid row with warnings or a typed `MappingError`.
 *
 * Size: the service accepts at most 1 MB per call and truncates any field above 64 KB (UNVERIFIED how it
 * truncates a `dynamic` value: assume it breaks the JSON). Every column is therefore capped well below 64 KB:
 * the evidence (`Evidence`, a `dynamic` array of evidence objects) to `evidenceMaxBytes` of JSON (32 KB by
 * default) with `EvidenceTruncated` set when anything was shortened or left out (`evidence.ts`,
 * `compaction.ts`), and the key entities are flattened into their own small `dynamic` string arrays first
 * (`entities.ts`), so they survive any trimming.
 *
 * Modules: `columns` (the column list), `schema` (zod row schema, field limit), `dynamicColumns` (JSON size of
 * the `dynamic` columns), `keys` (alert key, `RowId`), `limits`, `context` (builder contract), `clip` (bounded
 * text), `fields` (one alert field → one column), `timeGenerated`, `compaction` + `evidence` (the `Evidence`
 * column), `entityList` + `entities` (the flattened entity columns), `rowBuilder` (the default builder) and
 * `rowMapper` (build + validate).
 */
export { clipUtf8 } from "./clip";
export {
  ALERT_ROW_COLUMNS,
  ALERT_ROW_SCHEMA_VERSION,
  type AlertRowColumn,
  type AlertRowColumnType,
  DEFAULT_ALERT_STREAM_NAME,
  DEFAULT_ALERT_TABLE_NAME,
} from "./columns";
export type { AlertRowBuilder, AlertRowContext } from "./context";
export { dynamicColumnIssues } from "./dynamicColumns";
export { compactEvidence } from "./evidence";
export { type AlertKey, alertKeyOf, alertRowId } from "./keys";
export { type AlertRowLimits, DEFAULT_ALERT_ROW_LIMITS } from "./limits";
export { buildAlertRow } from "./rowBuilder";
export {
  type AlertRowMapContext,
  type AlertRowMapper,
  type AlertRowMapperOptions,
  createAlertRowMapper,
  defaultAlertRowMapper,
} from "./rowMapper";
export {
  type AlertRow,
  type AlertRowEvidence,
  alertRowEvidenceSchema,
  alertRowSchema,
  LOGS_INGESTION_MAX_FIELD_BYTES,
} from "./schema";
