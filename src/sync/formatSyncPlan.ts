import type { FieldChange } from "./events";
import type { PlannedPair, SyncReport } from "./syncReport";

/**
 * A dry-run report as text, one block per pair: what the engine would create or write on each side (field by
 * field, from → to), the conflicts it would settle and who would win, then every planned request. Meant for
 * people (a dry run before the first real cycle); parse `report.plannedPairs` / `plannedWrites` instead.
 */
export function formatSyncPlan(report: Pick<SyncReport, "cycle" | "plannedPairs" | "plannedWrites">): string {
  const pairs = report.plannedPairs.filter(hasWork);
  const lines = [
    `Plan of cycle ${report.cycle}: ${pairs.length} pair(s) with changes, ${report.plannedWrites.length} write(s)`,
  ];
  for (const pair of pairs) lines.push(...pairLines(pair));
  if (report.plannedWrites.length > 0) lines.push("Requests:");
  for (const w of report.plannedWrites) lines.push(`  ${w.method} ${w.service} ${w.target} (${w.operation})`);
  return lines.join("\n");
}

function hasWork({ plan }: PlannedPair): boolean {
  return (
    plan.action === "create" ||
    plan.sentinelWrite !== undefined ||
    plan.defenderPatch !== undefined ||
    plan.conflicts.length > 0
  );
}

function pairLines({ defenderId, sentinelName, plan }: PlannedPair): string[] {
  const head = `- Defender ${defenderId} ⇄ Sentinel ${sentinelName}`;
  if (plan.action === "create")
    return [`${head}: create the Sentinel copy (${plan.sentinelWrite?.body.title ?? ""})`];
  const lines = [`${head}:`];
  if (plan.sentinelWrite) lines.push(`    Sentinel: ${describeChanges(plan.sentinelChanges)}`);
  if (plan.defenderPatch) lines.push(`    Defender: ${describeChanges(plan.defenderChanges)}`);
  for (const c of plan.conflicts)
    lines.push(`    conflict on ${c.group} (${c.fields.join(", ")}): ${c.winner} wins`);
  return lines;
}

function describeChanges(changes: readonly FieldChange[]): string {
  if (changes.length === 0) return "refresh the Defender context (alerts, activity times, labels)";
  return changes.map((c) => `${c.field} ${show(c.from)} → ${show(c.to)}`).join("; ");
}

function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
