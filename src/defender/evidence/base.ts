/**
 * `alertEvidence`, the base of every evidence type, and the helpers the evidence modules define their types
 * with. Graph keeps adding evidence types (https://learn.microsoft.com/graph/api/resources/security-alertevidence);
 * one it does not list yet is read as the base type and kept whole.
 */
import type { z } from "zod";
import { evidenceRemediationStatusSchema, evidenceRoleSchema, evidenceVerdictSchema } from "../enums";
import {
  anyOdataTypeValue,
  dateTime,
  defineType,
  evidenceOdataType,
  list,
  objectOf,
  opt,
  str,
  stringValue,
} from "../schema/fields";

/** The fields every evidence type has. */
export const alertEvidenceBaseShape = {
  createdDateTime: dateTime,
  verdict: opt(evidenceVerdictSchema),
  remediationStatus: opt(evidenceRemediationStatusSchema),
  remediationStatusDetails: str,
  roles: list(evidenceRoleSchema),
  detailedRoles: list(stringValue),
  tags: list(stringValue),
};

/** `alertEvidence` itself: what an evidence item of an unknown type, or without a type, is read as. */
export const alertEvidenceShape = defineType("alertEvidence", "evidence", {
  // Any type: this shape reads the types this package does not know.
  "@odata.type": anyOdataTypeValue,
  ...alertEvidenceBaseShape,
});

/** Defines an evidence type: its discriminator, the base fields and its own. */
export function evidenceType<const N extends string, const S extends z.core.$ZodLooseShape>(
  name: N,
  shape: S,
) {
  return defineType(name, "evidence", {
    "@odata.type": evidenceOdataType(name),
    ...alertEvidenceBaseShape,
    ...shape,
  });
}

/**
 * An evidence object nested in another (a pod's containers, a DNS record's IPs). It is validated against its
 * declared type like any evidence, but typed loosely here: the evidence types refer to each other in cycles.
 */
export type NestedEvidence = { "@odata.type"?: string | null; [key: string]: unknown };

/** A field holding an evidence object of type `name` (`alertEvidence`: any evidence type). */
export function evidenceRef(name: string) {
  return objectOf<NestedEvidence>(name);
}
