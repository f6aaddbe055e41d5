/**
 * zod models for the Microsoft Graph security API v1.0 (`microsoft.graph.security`): incidents, alerts_v2,
 * alert comments and the 48 alert evidence types, following Graph's own data model
 * (https://learn.microsoft.com/graph/api/resources/security-api-overview). Wire names are kept as they are.
 *
 * Every type has a plain zod shape (`…Shape`, and `defenderTypeShapes` by Graph type name). The exported
 * schemas read payloads with a reader compiled from those shapes (see `schema/reader.ts`), several times faster
 * than zod's object parsing, with the same rules: unknown properties are kept, optional fields accept `null`
 * and absence, enums accept any string. Only the PATCH body schema is strict. Objects the reader does not need to
 * change (most alerts and evidence) are shared with the input rather than copied: mutating the result can mutate
 * the JSON it was read from.
 *
 * One odd item never costs an incident: an evidence item without `@odata.type`, of an unknown type or malformed
 * is kept as generic evidence, an alert that fails its schema is kept as sent, and an incident field that
 * neither the mapping nor the sync engine reads is kept as sent when its value is bad; each with a warning
 * (`parseWarningsOf`). Only the fields the sync reads (title, description, summary, severity, status,
 * classification, determination, owner, tags, closing comment, redirect target, web URL, comments, id,
 * lastUpdateDateTime, tenantId, and `alerts` being a list) make an incident fail.
 */
import { z } from "zod";
import {
  type AlertComment,
  alertCommentRef,
  complexTypeShapes,
  type FileDetails,
  type UserAccount,
} from "./complexTypes";
import {
  alertClassificationSchema,
  alertClassificationValues,
  alertDeterminationSchema,
  alertDeterminationValues,
  alertSeveritySchema,
  alertSeverityValues,
  alertStatusSchema,
  detectionSourceSchema,
  incidentStatusSchema,
  incidentStatusValues,
  investigationStateSchema,
  serviceSourceSchema,
} from "./enums";
import { type AlertEvidence, evidenceTypeShapes } from "./evidence";
import { evidenceRef } from "./evidence/base";
import { fastSchema, rootId } from "./schema/fastSchema";
import {
  anyOdataType,
  dateTime,
  defineType,
  dictionary,
  int,
  type Loose,
  list,
  objectOf,
  opt,
  optList,
  type ReplaceKeys,
  requiredStr,
  str,
  strList,
} from "./schema/fields";
import { objectReader } from "./schema/reader";
import { enumEntries, type Shape } from "./schema/registry";

export * from "./complexTypes";
export * from "./enums";
export * from "./evidence";
export {
  type DefenderParseWarning,
  type DefenderParseWarningCode,
  isGenericEvidence,
  parseWarningsOf,
} from "./parseWarnings";

// ---------------------------------------------------------------------------------------------------------------
// Alerts (https://learn.microsoft.com/graph/api/resources/security-alert)

const alertFields = {
  // Any value: the doc samples are not consistent about namespaces.
  "@odata.type": anyOdataType,
  id: requiredStr,
  providerAlertId: str,
  incidentId: str,
  alertWebUrl: str,
  incidentWebUrl: str,
  tenantId: str,
  alertPolicyId: str,
  detectorId: str,
  status: opt(alertStatusSchema),
  severity: opt(alertSeveritySchema),
  classification: opt(alertClassificationSchema),
  determination: opt(alertDeterminationSchema),
  assignedTo: str,
  comments: list(alertCommentRef),
  createdDateTime: dateTime,
  lastUpdateDateTime: dateTime,
  resolvedDateTime: dateTime,
  firstActivityDateTime: dateTime,
  lastActivityDateTime: dateTime,
  serviceSource: opt(serviceSourceSchema),
  detectionSource: opt(detectionSourceSchema),
  productName: str,
  title: str,
  description: str,
  recommendedActions: str,
  /** MITRE ATT&CK tactics; supersedes the single `category`, which Graph still fills. */
  categories: strList,
  category: str,
  mitreTechniques: strList,
  actorDisplayName: str,
  threatDisplayName: str,
  threatFamilyName: str,
  investigationState: opt(investigationStateSchema),
  systemTags: strList,
  customDetails: dictionary,
  additionalData: dictionary,
  evidence: list(evidenceRef("alertEvidence") as z.ZodType<AlertEvidence>, { tolerant: true }),
};
export const defenderAlertShape = defineType("alert", "entity", alertFields, {
  // An alert read on its own is only lost without an id, or when its evidence is not a list. (Inside an
  // incident, an alert that fails is kept whole instead.)
  tolerantFields: Object.keys(alertFields).filter((k) => k !== "id" && k !== "evidence"),
});
/**
 * A Defender XDR alert as Graph security v1.0 returns it (`#microsoft.graph.security.alert`, from
 * `/security/alerts_v2` or an incident's `alerts`), with its evidence parsed. Unknown fields are kept.
 */
export type DefenderAlert = Loose<typeof defenderAlertShape>;

// ---------------------------------------------------------------------------------------------------------------
// Incidents (https://learn.microsoft.com/graph/api/resources/security-incident)

/** One doc sample still uses the legacy name `tags` for `customTags`; it is folded into `customTags`. */
function foldLegacyTags(i: Record<string, unknown>): Record<string, unknown> {
  if (!Object.hasOwn(i, "tags")) return { ...i };
  const { tags, ...rest } = i;
  return { ...rest, customTags: rest.customTags ?? tags };
}

export const defenderIncidentShape = defineType(
  "incident",
  "entity",
  {
    "@odata.type": anyOdataType,
    id: requiredStr,
    displayName: str,
    description: str,
    summary: str,
    severity: opt(alertSeveritySchema),
    status: opt(incidentStatusSchema),
    classification: opt(alertClassificationSchema),
    determination: opt(alertDeterminationSchema),
    assignedTo: str,
    customTags: strList,
    tags: strList,
    systemTags: strList,
    comments: list(alertCommentRef),
    resolvingComment: str,
    createdDateTime: dateTime,
    lastUpdateDateTime: dateTime,
    lastModifiedBy: str,
    incidentWebUrl: str,
    redirectIncidentId: str,
    tenantId: str,
    priorityScore: int,
    alerts: optList(objectOf<DefenderAlert>("alert"), { tolerant: true }),
  },
  {
    post: foldLegacyTags,
    // Read by neither the mapping nor the sync engine: a bad value there is kept, with a warning.
    tolerantFields: ["@odata.type", "systemTags", "createdDateTime", "lastModifiedBy", "priorityScore"],
  },
);
/**
 * A Defender XDR incident as Graph security v1.0 returns it (`#microsoft.graph.security.incident`), with `alerts`
 * when listed with `$expand=alerts`. Unknown fields are kept; the legacy `tags` is read as `customTags`.
 */
export type DefenderIncident = ReplaceKeys<
  Loose<typeof defenderIncidentShape>,
  "tags",
  { customTags: string[] | null | undefined }
>;

// ---------------------------------------------------------------------------------------------------------------
// The data model, walkable

/** The plain zod shape of every modelled Graph type (entity, complex and evidence types), by Graph name. */
export const defenderTypeShapes: Readonly<Record<string, Shape>> = {
  ...complexTypeShapes,
  ...evidenceTypeShapes,
  alert: defenderAlertShape,
  incident: defenderIncidentShape,
};

/** The member list of every modelled Graph enum, by Graph name, in the data model's order. */
export const defenderEnumValues: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  enumEntries().map((e) => [e.name, e.values]),
);

// ---------------------------------------------------------------------------------------------------------------
// Schemas

/**
 * An alert (alerts_v2). Read tolerantly: an odd evidence item is kept generic, and a field with a bad value is
 * kept as sent, each with a warning (`parseWarningsOf`); only an alert without a string `id`, or whose evidence is
 * not a list, fails.
 */
export const defenderAlertSchema = fastSchema<DefenderAlert>(
  objectReader("alert", "top"),
  defenderTypeShapes,
  rootId("alertId"),
);

/** An incident, with its alerts when expanded; see the top of this module for what makes it fail. */
export const defenderIncidentSchema = fastSchema<DefenderIncident>(
  objectReader("incident", "top"),
  defenderTypeShapes,
  rootId("incidentId"),
);

export const alertCommentSchema = fastSchema<AlertComment>(
  objectReader("alertComment", "top"),
  complexTypeShapes,
);
export const fileDetailsSchema = fastSchema<FileDetails>(
  objectReader("fileDetails", "top"),
  complexTypeShapes,
);
export const userAccountSchema = fastSchema<UserAccount>(
  objectReader("userAccount", "top"),
  complexTypeShapes,
);

// ---------------------------------------------------------------------------------------------------------------
// Pages

/** An OData collection page (`GET /security/incidents`, `/security/alerts_v2`, the comments POST response). */
export function graphPageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    value: z.array(item),
    "@odata.nextLink": z.string().nullish(),
    "@odata.count": z.number().nullish(),
    "@odata.context": z.string().nullish(),
  });
}

export const defenderIncidentPageSchema = graphPageSchema(defenderIncidentSchema);
export const defenderAlertPageSchema = graphPageSchema(defenderAlertSchema);
/** `POST /security/incidents/{id}/comments` answers with all comments of the incident. */
export const alertCommentPageSchema = graphPageSchema(alertCommentSchema);

// ---------------------------------------------------------------------------------------------------------------
// PATCH body (https://learn.microsoft.com/graph/api/security-incident-update)

/**
 * What `PATCH /security/incidents/{id}` may carry. Strict, so a read-only field (`id`, `comments`, …) is caught
 * before it reaches the service, and enums must be exact v1.0 values.
 */
export const defenderIncidentPatchSchema = z.strictObject({
  status: z.enum(incidentStatusValues).optional(),
  assignedTo: z.string().nullable().optional(),
  classification: z.enum(alertClassificationValues).optional(),
  determination: z.enum(alertDeterminationValues).optional(),
  customTags: z.array(z.string()).optional(),
  description: z.string().optional(),
  displayName: z.string().optional(),
  severity: z.enum(alertSeverityValues).optional(),
  resolvingComment: z.string().optional(),
  /** Listed as writable on one version of learn.microsoft.com/graph/api/security-incident-update. */
  summary: z.string().optional(),
});
/**
 * The body of `PATCH /security/incidents/{id}`: only the writable fields (status, assignment, classification,
 * determination, tags, severity, ...), with exact v1.0 enum values.
 */
export type DefenderIncidentPatch = z.infer<typeof defenderIncidentPatchSchema>;
