/**
 * Rendering canonical changes as a minimal Defender PATCH, field by field: only the fields named in `changes`,
 * only where the current incident differs. Closing attributes are only written together with a closed status.
 */
import type { DefenderIncident, DefenderIncidentPatch } from "../../defender/models";
import { defenderIncidentPatchSchema } from "../../defender/models";
import { type CanonicalIncident, canonicalIncidentSchema } from "../canonical";
import { asRecord } from "../guards";
import type { DefenderRenderContext } from "../mapper";
import type { WarningSink } from "../result";
import * as classification from "./classification";
import * as closingComment from "./closingComment";
import * as description from "./description";
import { check, hasChange } from "./kit";
import * as owner from "./owner";
import { mapperBase, type ProfileParts } from "./parts";
import { defenderToCanonical } from "./readCanonical";
import * as redirect from "./redirect";
import * as severity from "./severity";
import * as status from "./status";
import * as tags from "./tags";
import * as title from "./title";

const partialCanonicalSchema = canonicalIncidentSchema.partial();

function renderContext(
  parts: ProfileParts,
  changes: Partial<CanonicalIncident>,
  currentInput: DefenderIncident | undefined,
  warn: WarningSink,
): DefenderRenderContext {
  const current = currentInput === undefined ? undefined : (asRecord(currentInput) as DefenderIncident);
  const currentCanonical = current === undefined ? undefined : defenderToCanonical(parts, current, () => {});
  return {
    ...mapperBase(parts, warn),
    direction: "renderDefenderPatch",
    changes,
    current,
    currentCanonical,
    targetStatus: changes.status ?? currentCanonical?.status,
  };
}

function closingAttributes(parts: ProfileParts, ctx: DefenderRenderContext): DefenderIncidentPatch {
  const { changes } = ctx;
  if (ctx.targetStatus === "closed") {
    return {
      ...classification.render.toDefender(parts.mappers.classification, ctx),
      ...closingComment.render.toDefender(parts.mappers.closingComment, ctx),
    };
  }
  if (
    (hasChange(changes, "classification") && changes.classification !== "undetermined") ||
    hasChange(changes, "closingComment")
  ) {
    // Open incidents carry no closing attributes in canonical form; a caller asking for them gets told.
    ctx.warn({
      field: "classification",
      kind: "dropped",
      message: "Classification and closing comment are only written together with a closed status",
    });
  }
  return {};
}

export function renderDefenderPatch(
  parts: ProfileParts,
  changesInput: Partial<CanonicalIncident>,
  current: DefenderIncident | undefined,
  warn: WarningSink,
): DefenderIncidentPatch {
  const changes = check(partialCanonicalSchema, changesInput, "changes", "renderDefenderPatch (input)");
  const ctx = renderContext(parts, changes, current, warn);
  const m = parts.mappers;
  const patch: DefenderIncidentPatch = {
    ...title.render.toDefender(m.title, ctx),
    ...description.render.toDefender(m.description, ctx),
    ...severity.render.toDefender(m.severity, ctx),
    ...status.render.toDefender(m.status, ctx),
    ...closingAttributes(parts, ctx),
    ...owner.render.toDefender(m.owner, ctx),
    ...tags.render.toDefender(m.tags, ctx),
    ...redirect.render.toDefender(ctx),
  };
  return check(defenderIncidentPatchSchema, patch, "patch", "renderDefenderPatch");
}
