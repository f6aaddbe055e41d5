/** Console output of the demos: one line per call, a box table, short values. */

export type Out = (line?: string) => void;

/** Writes whole lines to stdout. */
export const stdoutLine: Out = (line = "") => {
  process.stdout.write(`${line}\n`);
};

/** A two-column box table (label, right-aligned value). */
export function table(out: Out, rows: [string, string][]): void {
  const w = Math.max(...rows.map(([k]) => k.length));
  const v = Math.max(...rows.map(([, x]) => x.length));
  out(`┌${"─".repeat(w + 2)}┬${"─".repeat(v + 2)}┐`);
  for (const [k, x] of rows) out(`│ ${k.padEnd(w)} │ ${x.padStart(v)} │`);
  out(`└${"─".repeat(w + 2)}┴${"─".repeat(v + 2)}┘`);
}

/** A box table with a header row; the first column is left-aligned, the others right-aligned. */
export function grid(out: Out, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (l: string, m: string, r: string) => `${l}${widths.map((w) => "─".repeat(w + 2)).join(m)}${r}`;
  const cells = (r: string[]) =>
    `│ ${widths.map((w, i) => (i === 0 ? (r[i] ?? "").padEnd(w) : (r[i] ?? "").padStart(w))).join(" │ ")} │`;
  out(line("┌", "┬", "┐"));
  out(cells(header));
  out(line("├", "┼", "┤"));
  for (const r of rows) out(cells(r));
  out(line("└", "┴", "┘"));
}

export function fmt(v: unknown): string {
  if (v === undefined || v === null) return "∅";
  const s = Array.isArray(v) ? `[${v.join(", ")}]` : String(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}
