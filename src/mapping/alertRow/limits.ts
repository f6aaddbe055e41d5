/** The size limits a row is built within, their defaults, and the check of the limits a caller passes. */
import { LOGS_INGESTION_MAX_FIELD_BYTES } from "./schema";

/**
 * Size limits of one row (`AlertRowMapperOptions.limits`), each a positive integer. `evidenceMaxBytes` and
 * `descriptionMaxBytes` may not exceed the service's field limit of 65,536 bytes; the defaults keep every column
 * well below it.
 */
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

/** The limits a mapper uses for those it is not given. */
export const DEFAULT_ALERT_ROW_LIMITS: Readonly<AlertRowLimits> = Object.freeze({
  evidenceMaxBytes: 32_768,
  descriptionMaxBytes: 8_192,
  stringMaxBytes: 2_048,
  listMaxItems: 100,
  listItemMaxLength: 512,
});

/** The defaults overlaid with `overrides`, frozen; throws `RangeError` for a limit that is not allowed. */
export function resolveAlertRowLimits(
  overrides: Partial<AlertRowLimits> | undefined,
): Readonly<AlertRowLimits> {
  const limits: Readonly<AlertRowLimits> = Object.freeze({ ...DEFAULT_ALERT_ROW_LIMITS, ...overrides });
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
  return limits;
}
