/**
 * The `Evidence` column: the alert's evidence objects compacted to fit `evidenceMaxBytes` of JSON, each tried at
 * full detail, then tighter, then as a one-line stub; what still does not fit is left out and the column marked
 * truncated.
 */
import { describeEvidence } from "../description";
import { asArray, asRecord, ownString } from "../guards";
import type { WarningSink } from "../result";
import { sanitizeText } from "../text";
import { clipChars } from "./clip";
import { COMPACT_LEVELS, compact, type Json } from "./compaction";
import { rememberJsonSize } from "./dynamicColumns";
import type { AlertRow, AlertRowEvidence } from "./schema";

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

/** One item in its first form that fits in `room` bytes (comma included), with its size and whether it lost detail. */
function fitItem(
  record: Readonly<Record<string, unknown>>,
  room: number,
  comma: number,
): { item: AlertRowEvidence; size: number; lossy: boolean } | undefined {
  for (let attempt = 0; attempt <= COMPACT_LEVELS.length; attempt++) {
    const level = COMPACT_LEVELS[attempt];
    const cut = { lossy: level === undefined };
    const value = level === undefined ? evidenceStub(record) : (compact(record, level, 0, cut) ?? {});
    const lossy = cut.lossy;
    const withType = withEvidenceType(value, record);
    const itemBytes = Buffer.byteLength(JSON.stringify(withType));
    const size = itemBytes + comma;
    if (size <= room) {
      rememberJsonSize(withType, itemBytes);
      return { item: withType, size, lossy };
    }
  }
  return undefined;
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
    const fitted = fitItem(record, maxBytes - used, out.length > 0 ? 1 : 0);
    if (fitted === undefined) {
      truncated = true;
      break; // no room even for a stub: the rest is left out
    }
    out.push(fitted.item);
    used += fitted.size;
    truncated ||= fitted.lossy;
  }
  if (out.length < items.length) truncated = true;
  return { evidence: out, truncated, count: items.length };
}

/** `Evidence`, `EvidenceCount` and `EvidenceTruncated` of an alert's raw `evidence`, with their warnings. */
export function evidenceColumns(
  evidenceRaw: unknown,
  maxBytes: number,
  warn: WarningSink,
): Pick<AlertRow, "Evidence" | "EvidenceCount" | "EvidenceTruncated"> {
  if (evidenceRaw !== undefined && evidenceRaw !== null && !Array.isArray(evidenceRaw)) {
    warn({ field: "Evidence", kind: "dropped", message: "evidence is not an array; left empty" });
  }
  const evidence = compactEvidence(evidenceRaw, maxBytes);
  if (evidence.truncated) {
    warn({
      field: "Evidence",
      kind: "truncated",
      message: `evidence shortened to ${maxBytes} bytes (${evidence.evidence.length} of ${evidence.count} item(s) kept)`,
    });
  }
  return {
    Evidence: evidence.evidence,
    EvidenceCount: evidence.count,
    EvidenceTruncated: evidence.truncated,
  };
}
