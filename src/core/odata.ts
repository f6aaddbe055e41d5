/** Quotes a value as an OData string literal; single quotes are doubled so user text cannot break out. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Joins filter clauses with `and`, parenthesizing each so a caller's `or` keeps its meaning. */
export function andFilters(...clauses: (string | undefined)[]): string | undefined {
  const parts = clauses.filter((c): c is string => typeof c === "string" && c.trim() !== "");
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return parts.map((p) => `(${p})`).join(" and ");
}
