/**
 * The equality of every canonical field, gathered from the field modules; `createCanonicalComparator` compares
 * through it.
 */
import type { CanonicalField } from "../canonical";
import * as classification from "./classification";
import * as closingComment from "./closingComment";
import * as description from "./description";
import type { FieldEquality } from "./kit";
import * as owner from "./owner";
import * as redirect from "./redirect";
import * as severity from "./severity";
import * as status from "./status";
import * as tags from "./tags";
import * as title from "./title";

export const fieldEquality: FieldEquality<CanonicalField> = {
  ...title.equals,
  ...description.equals,
  ...severity.equals,
  ...status.equals,
  ...classification.equals,
  ...closingComment.equals,
  ...owner.equals,
  ...tags.equals,
  ...redirect.equals,
};
