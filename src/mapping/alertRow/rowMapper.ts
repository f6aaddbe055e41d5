/**
 * The alert → row mapper: builds the row (the default builder, or a caller's override wrapping it), validates it
 * against the table schema and the service's field limit, and returns a `MappingResult` instead of throwing.
 */
import type { z } from "zod";
import { MappingError } from "../../core/errors";
import { zodIssues } from "../../core/validationIssues";
import type { DefenderAlert } from "../../defender/models";
import type { Override } from "../mapper";
import { type MappingResult, type MappingWarning, mappingFail, mappingOk } from "../result";
import type { AlertRowBuilder, AlertRowContext } from "./context";
import { dynamicColumnIssues } from "./dynamicColumns";
import { type AlertRowLimits, resolveAlertRowLimits } from "./limits";
import { buildAlertRow } from "./rowBuilder";
import { type AlertRow, alertRowSchema } from "./schema";

/** Per-call input of a mapper. */
export interface AlertRowMapContext {
  tenantId?: string;
  receivedAt?: Date;
}

/** Maps one alert to one validated row. */
export type AlertRowMapper = (alert: DefenderAlert, ctx?: AlertRowMapContext) => MappingResult<AlertRow>;

/** Options of {@link createAlertRowMapper}: how rows are built, how big they may get, and what they must match. */
export interface AlertRowMapperOptions {
  /**
   * Replaces or wraps the row builder; `next` is the default. To add a column:
   * `build: (alert, ctx, next) => ({ ...next(alert, ctx), MyColumn_s: "…" })` (and add it to the table and DCR).
   */
  build?: Override<AlertRowBuilder>;
  /** Size limits of a row, each overriding its default (`DEFAULT_ALERT_ROW_LIMITS`). */
  limits?: Partial<AlertRowLimits>;
  /**
   * The schema every row must pass. Default: `alertRowSchema`, or `alertRowSchema.loose()` when `build` is given
   * (the known columns are still checked, extra ones pass). Pass `alertRowSchema.extend({ … })` to check yours.
   */
  schema?: z.ZodType<AlertRow>;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The result of a built row: the parsed row, or a MappingError listing what does not match. */
function validateRow(
  schema: z.ZodType<AlertRow>,
  row: AlertRow,
  mapper: string,
  warnings: MappingWarning[],
): MappingResult<AlertRow> {
  const parsed = schema.safeParse(row);
  const issues = parsed.success
    ? dynamicColumnIssues(parsed.data as Record<string, unknown>)
    : zodIssues(parsed.error);
  if (!parsed.success || issues.length > 0) {
    return mappingFail(
      new MappingError({
        field: "(row)",
        mapper,
        message: "the row does not match the table schema",
        issues,
      }),
    );
  }
  return mappingOk(parsed.data, warnings);
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
  const limits = resolveAlertRowLimits(options.limits);
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
      const message = `row builder threw: ${errorMessage(e)}`;
      return mappingFail(new MappingError({ field: "(row)", mapper: mapperName, message, cause: e }));
    }
    return validateRow(schema, row, mapperName, warnings);
  };
}

/** The default mapper (`createAlertRowMapper()`). */
export const defaultAlertRowMapper: AlertRowMapper = createAlertRowMapper();
