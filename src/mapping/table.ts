/**
 * Enum tables: rows of `from → to`, each row marked when it loses information. The tables are data, exported so
 * that tests and docs iterate every row, and so that callers can build their own.
 */

/** The wildcard `from` value: any value not matched by another row (including unknown future members). */
export const ANY_VALUE = "*";
/**
 * The wildcard `from` value of an enum table row, `*`: it matches any value no other row matches, unknown future
 * members included.
 */
export type AnyValue = typeof ANY_VALUE;

/**
 * One row of an enum mapping table: the value read (`from`, or `*` for any other) and the value it maps to, with why
 * it loses information when it does.
 */
export interface EnumRow<F extends string, T> {
  readonly from: F | AnyValue;
  readonly to: T;
  /** Why this row loses information (absent when lossless). */
  readonly lossy?: string;
  /** True when a value reaching this row triggers an `unknownValue` warning. */
  readonly unknown?: boolean;
}

/** A case-insensitive lookup over enum rows, with the `*` row as fallback. */
export interface EnumLookup<F extends string, T> {
  readonly rows: readonly EnumRow<F, T>[];
  /** The row for `value` (case-insensitive), else the wildcard row, else undefined. */
  row(value: string): EnumRow<F, T> | undefined;
}

export function createEnumLookup<F extends string, T>(rows: readonly EnumRow<F, T>[]): EnumLookup<F, T> {
  const byValue = new Map<string, EnumRow<F, T>>();
  let wildcard: EnumRow<F, T> | undefined;
  for (const row of rows) {
    if (row.from === ANY_VALUE) wildcard ??= row;
    else if (!byValue.has(row.from.toLowerCase())) byValue.set(row.from.toLowerCase(), row);
  }
  return {
    rows,
    row: (value) => byValue.get(value.toLowerCase()) ?? wildcard,
  };
}

/**
 * Maps `value` through `lookup` and reports the row's warning (unknownValue or lossy) to `warn`.
 * Returns undefined when no row matches (a table without a wildcard row).
 */
export function mapEnum<F extends string, T>(
  lookup: EnumLookup<F, T>,
  value: string,
  field: string,
  warn: (w: { field: string; kind: "lossy" | "unknownValue"; message: string }) => void,
): { to: T } | undefined {
  const row = lookup.row(value);
  if (row === undefined) return undefined;
  if (row.unknown) {
    warn({
      field,
      kind: "unknownValue",
      message: `Unknown value "${clipValue(value)}": ${row.lossy ?? "mapped by the fallback row"}`,
    });
  } else if (row.lossy !== undefined) {
    warn({ field, kind: "lossy", message: `"${clipValue(value)}" → "${String(row.to)}": ${row.lossy}` });
  }
  return { to: row.to };
}

function clipValue(value: string): string {
  return value.length > 64 ? `${value.slice(0, 61)}...` : value;
}
