/**
 * Classification field (with its detail): Defender `classification` + `determination` ⇄ canonical
 * `classification` + `classificationDetail` ⇄ Sentinel `classification` + `classificationReason`. Closing
 * attributes: canonical form carries them only for closed incidents, and they are only rendered for closed ones.
 */
import type { DefenderIncidentPatch } from "../../defender/models";
import type { SentinelIncidentWriteProperties } from "../../sentinel/models";
import type { CanonicalClassification, CanonicalIncident } from "../canonical";
import { type ClassificationMapper, classificationDetailKey } from "../classification";
import { asRecord, own } from "../guards";
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "../mapper";
import type { WarningSink } from "../result";
import {
  type Composed,
  check,
  cleanOptional,
  type FieldEquality,
  fail,
  hasChange,
  incidentString,
  invoke,
  mapperName,
  patchShape,
  writeShape,
} from "./kit";

type ClassificationPart = Pick<CanonicalIncident, "classification" | "classificationDetail">;

/** Defender classifications that record an analyst's verdict (unlike `unknown`). */
const REAL_DEFENDER_CLASSIFICATIONS = new Set([
  "truepositive",
  "falsepositive",
  "informationalexpectedactivity",
]);

function asPart(out: unknown): ClassificationPart {
  const value = asRecord(out);
  return {
    classification: own(value, "classification") as CanonicalClassification,
    classificationDetail: own(value, "detail") as string | undefined,
  };
}

export const read = {
  fromDefender(c: Composed<ClassificationMapper>, ctx: DefenderReadContext): ClassificationPart {
    const value = {
      classification: incidentString(ctx.incident, "classification"),
      determination: incidentString(ctx.incident, "determination"),
    };
    return asPart(invoke(c, "fromDefender", "classification", value, ctx));
  },
  fromSentinel(c: Composed<ClassificationMapper>, ctx: SentinelReadContext): ClassificationPart {
    const value = {
      classification: incidentString(ctx.incident, "classification"),
      reason: incidentString(ctx.incident, "classificationReason"),
    };
    return asPart(invoke(c, "fromSentinel", "classification", value, ctx));
  },
  /** Open incidents carry no closing attributes: `undetermined` and no detail. */
  normalize(raw: ClassificationPart, closed: boolean, warn: WarningSink): ClassificationPart {
    return {
      classification: closed ? raw.classification : "undetermined",
      classificationDetail: closed
        ? cleanOptional(raw.classificationDetail, "classificationDetail", warn)?.trim()
        : undefined,
    };
  },
};

type SentinelClassificationPart = Pick<
  SentinelIncidentWriteProperties,
  "classification" | "classificationReason"
>;

/** Sentinel closing attributes; only called for a closed incident (Sentinel requires a classification then). */
function toSentinel(
  c: Composed<ClassificationMapper>,
  ctx: SentinelRenderContext,
): SentinelClassificationPart {
  const name = mapperName(c, "toSentinel");
  const value = { classification: ctx.canonical.classification, detail: ctx.canonical.classificationDetail };
  const out = asRecord(invoke(c, "toSentinel", "classification", value, ctx));
  const classification = check(
    writeShape.classification.unwrap(),
    own(out, "classification"),
    "classification",
    name,
  );
  const reason = own(out, "reason");
  if (reason !== undefined) {
    const classificationReason = check(
      writeShape.classificationReason.unwrap(),
      reason,
      "classificationReason",
      name,
    );
    return { classification, classificationReason };
  }
  if (classification === "BenignPositive") {
    fail("classificationReason", name, "BenignPositive needs a classificationReason (Sentinel answers 400)");
  }
  return { classification };
}

/**
 * The classification to write to a closing (or closed) Defender incident, if any: a change of detail alone
 * re-sends the current classification; `undetermined` is only written where it replaces a real verdict.
 */
function defenderTarget(ctx: DefenderRenderContext): CanonicalClassification | undefined {
  const { changes, current, currentCanonical } = ctx;
  let target = changes.classification;
  if (
    target === undefined &&
    hasChange(changes, "classificationDetail") &&
    currentCanonical?.classification !== "undetermined"
  ) {
    target = currentCanonical?.classification;
  }
  if (target === undefined || target !== "undetermined" || current === undefined) return target;
  const currentClassification = (incidentString(current, "classification") ?? "").toLowerCase();
  const wasClosed = currentCanonical?.status === "closed";
  return wasClosed && REAL_DEFENDER_CLASSIFICATIONS.has(currentClassification) ? target : undefined;
}

type DefenderClassificationPart = Pick<DefenderIncidentPatch, "classification" | "determination">;

/** Defender closing attributes; only called when the incident is or becomes closed. */
function toDefender(
  c: Composed<ClassificationMapper>,
  ctx: DefenderRenderContext,
): DefenderClassificationPart {
  const target = defenderTarget(ctx);
  if (target === undefined) return {};
  const name = mapperName(c, "toDefender");
  const detail = hasChange(ctx.changes, "classificationDetail")
    ? ctx.changes.classificationDetail
    : undefined;
  const out = asRecord(invoke(c, "toDefender", "classification", { classification: target, detail }, ctx));
  const classification = check(
    patchShape.classification.unwrap(),
    own(out, "classification"),
    "classification",
    name,
  );
  const part: DefenderClassificationPart = {};
  const currentClassification = (incidentString(ctx.current, "classification") ?? "").toLowerCase();
  if (classification.toLowerCase() !== currentClassification) part.classification = classification;
  const determination = own(out, "determination");
  if (determination !== undefined) {
    const d = check(patchShape.determination.unwrap(), determination, "classificationDetail", name);
    if (d.toLowerCase() !== (incidentString(ctx.current, "determination") ?? "").toLowerCase()) {
      part.determination = d;
    }
  }
  return part;
}

export const render = { toSentinel, toDefender };

export const equals: FieldEquality<"classification" | "classificationDetail"> = {
  classification: (a, b) => a.classification === b.classification,
  classificationDetail: (a, b, table) =>
    classificationDetailKey(table, a.classification, a.classificationDetail) ===
    classificationDetailKey(table, b.classification, b.classificationDetail),
};
