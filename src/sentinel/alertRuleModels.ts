/**
 * zod models for Microsoft Sentinel analytics rules over ARM (`Microsoft.SecurityInsights/alertRules`,
 * api-version 2025-09-01, plus the NRT kind of the preview api-versions). Names follow the spec
 * (`AlertRules.json`, `common/AlertTypes.json` in Azure/azure-rest-api-specs).
 *
 * Read schemas are tolerant: unknown properties are kept, optional fields accept `null` and absence, enums
 * accept any string, and a rule of an unknown kind is kept whole (`OtherAlertRule`). The write schemas
 * (Scheduled and NRT) are strict, and `validateAlertRule` adds the service's documented limits (query timing,
 * grouping, custom details, entity mappings, alert-details parameters) so a bad rule fails before it is sent.
 */
export * from "./alertRules/duration";
export * from "./alertRules/enums";
export * from "./alertRules/limits";
export * from "./alertRules/options";
export * from "./alertRules/readSchemas";
export * from "./alertRules/validation";
export * from "./alertRules/writeSchemas";
