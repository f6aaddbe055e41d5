/**
 * `mapping/`: pure, schema-checked translation between Defender XDR incidents and Microsoft Sentinel incidents
 * through one canonical form. No I/O, no clocks, no mutable module state.
 */
export {
  type ActivityMapper,
  type ActivityTimes,
  activityFromAlerts,
  defaultActivityMapper,
} from "./activity";
export {
  ALERT_ROW_COLUMNS,
  ALERT_ROW_SCHEMA_VERSION,
  type AlertKey,
  type AlertRow,
  type AlertRowBuilder,
  type AlertRowColumn,
  type AlertRowColumnType,
  type AlertRowContext,
  type AlertRowEvidence,
  type AlertRowLimits,
  type AlertRowMapContext,
  type AlertRowMapper,
  type AlertRowMapperOptions,
  alertKeyOf,
  alertRowEvidenceSchema,
  alertRowId,
  alertRowSchema,
  buildAlertRow,
  clipUtf8,
  compactEvidence,
  createAlertRowMapper,
  DEFAULT_ALERT_ROW_LIMITS,
  DEFAULT_ALERT_STREAM_NAME,
  DEFAULT_ALERT_TABLE_NAME,
  defaultAlertRowMapper,
  dynamicColumnIssues,
  LOGS_INGESTION_MAX_FIELD_BYTES,
} from "./alertRow";
export {
  type CanonicalClassification,
  type CanonicalComparator,
  type CanonicalField,
  type CanonicalIncident,
  type CanonicalSeverity,
  type CanonicalStatus,
  canonicalClassificationValues,
  canonicalEquals,
  canonicalFields,
  canonicalIncidentSchema,
  canonicalSeverityValues,
  canonicalStatusValues,
  createCanonicalComparator,
  diffCanonical,
  syncedCanonicalFields,
} from "./canonical";
export {
  type ClassificationMapper,
  type ClassificationTable,
  type ClassificationToDefenderRow,
  type ClassificationToSentinelRow,
  type ClassificationValue,
  type CompiledClassificationTable,
  classificationDetailKey,
  compileClassificationTable,
  createClassificationMapper,
  DEFAULT_CLASSIFICATION_TABLE,
  type DefenderClassificationOutput,
  type DefenderClassificationValue,
  type DefenderDeterminationValue,
  defaultClassificationMapper,
  type SentinelClassificationOutput,
  type SentinelClassificationReasonValue,
  type SentinelClassificationValue,
} from "./classification";
export { type ClosingCommentMapper, defaultClosingCommentMapper } from "./closingComment";
export {
  type CommentMapper,
  type DefenderCommentMeta,
  defaultCommentMapper,
  type SentinelCommentMeta,
} from "./comments";
export { DEFAULT_MAPPING_PROFILE } from "./defaultProfile";
export { type DefenderToSentinelOptions, defenderToSentinel } from "./defenderToSentinel";
export {
  alertSummaryLine,
  DESCRIPTION_SEPARATOR,
  type DescriptionMapper,
  type DescriptionRenderContext,
  type DescriptionSection,
  defaultDescriptionMapper,
  defaultDescriptionSections,
  describeEvidence,
  renderSentinelDescription,
  splitSentinelDescription,
} from "./description";
export {
  DEFAULT_SYSTEM_LABELS,
  defaultTagsMapper,
  isUserLabel,
  REDIRECTED_LABEL,
  type TagsMapper,
} from "./labels";
export {
  DEFAULT_MAPPING_LIMITS,
  isTruncated,
  type MappingLimits,
  TRUNCATION_MARKER,
  type Truncation,
  textEqualsAllowingTruncation,
  truncateWithMarker,
} from "./limits";
export type {
  DefenderReadContext,
  DefenderRenderContext,
  MapperContextBase,
  MapperOverrides,
  Override,
  SentinelReadContext,
  SentinelRenderContext,
} from "./mapper";
export {
  createOwnerLookupResolver,
  createOwnerMapper,
  defaultOwnerMapper,
  defaultOwnerResolver,
  type OwnerDirectoryEntry,
  type OwnerLookupResolverOptions,
  type OwnerMapper,
  type OwnerResolver,
  type SentinelOwnerOutput,
} from "./owner";
export {
  createMappingProfile,
  type MappingOverrides,
  type MappingProfile,
  type RenderDefenderPatchContext,
  type RenderSentinelContext,
} from "./profile";
export {
  type MappingResult,
  type MappingWarning,
  type MappingWarningKind,
  mappingFail,
  mappingOk,
  type WarningSink,
} from "./result";
export { type SentinelToDefenderOptions, sentinelToDefender } from "./sentinelToDefender";
export {
  canonicalToDefenderSeverityRows,
  canonicalToSentinelSeverityRows,
  type DefenderSeverityValue,
  defaultSeverityMapper,
  defenderToCanonicalSeverityRows,
  type SentinelSeverityValue,
  type SeverityMapper,
  sentinelToCanonicalSeverityRows,
} from "./severity";
export {
  canonicalToDefenderStatusRows,
  canonicalToSentinelStatusRows,
  type DefenderStatusValue,
  defaultStatusMapper,
  defenderToCanonicalStatusRows,
  type SentinelStatusValue,
  type StatusMapper,
  sentinelToCanonicalStatusRows,
} from "./status";
export { ANY_VALUE, type AnyValue, createEnumLookup, type EnumLookup, type EnumRow } from "./table";
export { sanitizeText } from "./text";
export { defaultTitleMapper, type TitleMapper, untitledDefenderIncident } from "./title";
