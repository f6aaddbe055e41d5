/**
 * The default row of an alert: every column read defensively from the alert (hostile values become empty or cut,
 * with warnings), the evidence compacted and its key entities flattened.
 */
import { MappingError } from "../../core/errors";
import { alertCategoryValue } from "../alertCategory";
import { asRecord, own, ownString } from "../guards";
import { sanitizeText } from "../text";
import { clipUtf8, scalarText } from "./clip";
import { ALERT_ROW_SCHEMA_VERSION } from "./columns";
import type { AlertRowBuilder, AlertRowContext } from "./context";
import { entityColumns } from "./entities";
import { evidenceColumns } from "./evidence";
import { dateField, listField, stringField } from "./fields";
import { type AlertKey, alertKeyOf, alertRowId } from "./keys";
import type { AlertRow } from "./schema";
import { timeColumns } from "./timeGenerated";

type Alert = Readonly<Record<string, unknown>>;

function keyOfAlert(alert: Alert): AlertKey {
  const idRaw = scalarText(own(alert, "id"));
  if (idRaw === undefined || idRaw.trim() === "") {
    throw new MappingError({ field: "AlertId", mapper: "alertRow", message: "the alert has no id" });
  }
  return alertKeyOf({ id: idRaw, lastUpdateDateTime: ownString(alert, "lastUpdateDateTime") });
}

/** The columns from `ProviderAlertId` to `SystemTags`, in column order. */
function descriptiveColumns(alert: Alert, ctx: AlertRowContext) {
  const { limits, warn } = ctx;
  const s = (k: string, column: string, max = limits.stringMaxBytes) =>
    stringField(alert, k, column, max, warn);
  const tenant = s("tenantId", "DefenderTenantId");
  return {
    ProviderAlertId: s("providerAlertId", "ProviderAlertId"),
    IncidentId: s("incidentId", "IncidentId"),
    DefenderTenantId:
      tenant !== "" ? tenant : clipUtf8(sanitizeText(ctx.tenantId ?? "").text, limits.stringMaxBytes),
    AlertTitle: s("title", "AlertTitle"),
    Description: s("description", "Description", limits.descriptionMaxBytes),
    Severity: s("severity", "Severity"),
    Status: s("status", "Status"),
    Category: stringField(
      { category: alertCategoryValue(alert) },
      "category",
      "Category",
      limits.stringMaxBytes,
      warn,
    ),
    MitreTechniques: listField(alert, "mitreTechniques", "MitreTechniques", limits, warn),
    ServiceSource: s("serviceSource", "ServiceSource"),
    DetectionSource: s("detectionSource", "DetectionSource"),
    ProductName: s("productName", "ProductName"),
    DetectorId: s("detectorId", "DetectorId"),
    Classification: s("classification", "Classification"),
    Determination: s("determination", "Determination"),
    AssignedTo: s("assignedTo", "AssignedTo"),
    InvestigationState: s("investigationState", "InvestigationState"),
    ThreatDisplayName: s("threatDisplayName", "ThreatDisplayName"),
    ThreatFamilyName: s("threatFamilyName", "ThreatFamilyName"),
    ActorDisplayName: s("actorDisplayName", "ActorDisplayName"),
    SystemTags: listField(alert, "systemTags", "SystemTags", limits, warn),
  } satisfies Partial<AlertRow>;
}

/** The columns from `ResolvedDateTime` to `IncidentWebUrl`, in column order. */
function activityAndLinkColumns(alert: Alert, ctx: AlertRowContext) {
  const { limits, warn } = ctx;
  return {
    ResolvedDateTime: dateField(alert, "resolvedDateTime", "ResolvedDateTime", warn),
    FirstActivityDateTime: dateField(alert, "firstActivityDateTime", "FirstActivityDateTime", warn),
    LastActivityDateTime: dateField(alert, "lastActivityDateTime", "LastActivityDateTime", warn),
    AlertWebUrl: stringField(alert, "alertWebUrl", "AlertWebUrl", limits.stringMaxBytes, warn),
    IncidentWebUrl: stringField(alert, "incidentWebUrl", "IncidentWebUrl", limits.stringMaxBytes, warn),
  } satisfies Partial<AlertRow>;
}

/**
 * The default row of an alert. Never throws for hostile field values (they become empty with a warning); it
 * throws a `MappingError` only when the alert has no id.
 */
export const buildAlertRow: AlertRowBuilder = (alertInput, ctx) => {
  const alert: Alert = asRecord(alertInput) ?? {};
  const key = keyOfAlert(alert);
  const times = timeColumns(alert, ctx);
  const evidenceRaw = own(alert, "evidence");
  // Computed before the other columns, and spread after them: the warnings keep their order, the row its columns'.
  const entities = entityColumns(evidenceRaw, ctx.limits, ctx.warn);
  const evidence = evidenceColumns(evidenceRaw, ctx.limits.evidenceMaxBytes, ctx.warn);
  return {
    TimeGenerated: times.TimeGenerated,
    RowId: alertRowId(key),
    AlertId: clipUtf8(sanitizeText(key.alertId).text, ctx.limits.stringMaxBytes),
    ...descriptiveColumns(alert, ctx),
    CreatedDateTime: times.CreatedDateTime,
    LastUpdateDateTime: times.LastUpdateDateTime,
    ...activityAndLinkColumns(alert, ctx),
    ...evidence,
    ...entities,
    SchemaVersion: ALERT_ROW_SCHEMA_VERSION,
  };
};
