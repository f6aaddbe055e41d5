// Public surface of defender-sentinel-sync. Everything is exported by name; nothing else is public.

export type {
  CommonClientOptions,
  OperationOptions,
  PagingOptions,
  RetryOptions,
} from "./core/clientOptions";
export {
  AuthenticationError,
  AuthorizationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  type ConnectionErrorInit,
  HttpResponseError,
  type HttpResponseErrorInit,
  InvalidArgumentError,
  isSyncSdkError,
  MappingError,
  NotFoundError,
  PagingError,
  type PagingErrorReason,
  type RedactedRequest,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseTooLargeError,
  ResponseValidationError,
  type ServiceName,
  ServiceUnavailableError,
  StateStoreCorruptedError,
  StateStoreLockedError,
  SyncSdkError,
  ThrottledError,
  UntrustedHostError,
  type ValidationIssue,
} from "./core/errors";
export type {
  FairRateLimiter,
  FairRateLimiterOptions,
} from "./core/fairRateLimiter";
export type {
  ClientMetrics,
  RequestMetrics,
  RequestMetricsSnapshot,
  ThrottleInfo,
  ThrottleListener,
} from "./core/metrics";
export type {
  PagedAsyncIterableIterator,
  PageSettings,
} from "./core/paging";
export type { InvalidItemHandler } from "./core/parseItems";
export {
  ARM_RATE_LIMITS,
  GRAPH_RATE_LIMITS,
  type OperationKind,
  RateLimiter,
  type RateLimitOptions,
} from "./core/rateLimiter";
export type { TokenBucket, TokenBucketConfig, TokenBucketOptions } from "./core/tokenBucket";
export type { SyncWarning, WarningChannel, WarningListener } from "./core/warnings";
export type { DefenderIncidentsApi } from "./defender/defenderApi";
export {
  type CountDefenderIncidentsOptions,
  DefenderClient,
  type DefenderClientOptions,
  type GetDefenderIncidentOptions,
  type ListDefenderAlertsOptions,
  type ListDefenderIncidentsOptions,
} from "./defender/defenderClient";
export {
  type ActiveDirectoryDomainEvidence,
  type AiAgentEvidence,
  type AlertClassification,
  type AlertComment,
  type AlertDetermination,
  type AlertEvidence,
  type AlertSeverity,
  type AlertStatus,
  type AmazonResourceEvidence,
  type AnalyzedMessageEvidence,
  type AzureResourceEvidence,
  type BlobContainerEvidence,
  type BlobEvidence,
  type CloudApplicationEvidence,
  type CloudLogonRequestEvidence,
  type CloudLogonSessionEvidence,
  type ContainerEvidence,
  type ContainerImageEvidence,
  type ContainerRegistryEvidence,
  type DefenderAlert,
  type DefenderIncident,
  type DefenderIncidentPatch,
  type DefenderParseWarning,
  type DefenderParseWarningCode,
  type DetectionSource,
  type DeviceEvidence,
  type DnsEvidence,
  defenderIncidentSchema,
  type EmailSender,
  type FileDetails,
  type FileEvidence,
  type FileHash,
  type FileHashEvidence,
  type GeoLocation,
  type GitHubOrganizationEvidence,
  type GitHubRepoEvidence,
  type GitHubUserEvidence,
  type GoogleCloudResourceEvidence,
  type HostLogonSessionEvidence,
  type IncidentStatus,
  type IoTDeviceEvidence,
  type IpEvidence,
  type KnownEvidenceMap,
  type KnownEvidenceType,
  type KubernetesClusterEvidence,
  type KubernetesControllerEvidence,
  type KubernetesNamespaceEvidence,
  type KubernetesPodEvidence,
  type KubernetesSecretEvidence,
  type KubernetesServiceAccountEvidence,
  type KubernetesServiceEvidence,
  type KubernetesServicePort,
  type LoggedOnUser,
  type MailboxConfigurationEvidence,
  type MailboxEvidence,
  type MailClusterEvidence,
  type MalwareEvidence,
  type NestedEvidence,
  type NetworkConnectionEvidence,
  type NicEvidence,
  type OauthApplicationEvidence,
  type ProcessEvidence,
  type RegistryKeyEvidence,
  type RegistryValueEvidence,
  type ResourceAccessEvent,
  type SasTokenEvidence,
  type SecurityGroupEvidence,
  type ServicePrincipalEvidence,
  type ServiceSource,
  type Stream,
  type SubmissionMailEvidence,
  type TeamsMessageEvidence,
  type UnknownEvidence,
  type UrlEvidence,
  type UserAccount,
  type UserEvidence,
  type VmMetadata,
} from "./defender/models";
export type { Loose, ReplaceKeys, Simplify } from "./defender/schema/fields";
export type {
  FairRelayPacer,
  FairRelayPacerOptions,
} from "./fleet/fairRelayPacer";
export { FleetBudgets, type FleetBudgetsOptions } from "./fleet/fleetBudgets";
export type {
  FleetOwnEvents,
  LaneChangeEvent,
  LaneEngineEventName,
  LaneEvent,
  LaneRecoveredEvent,
  LaneUnhealthyEvent,
  SyncFleetEvents,
} from "./fleet/fleetEvents";
export type {
  LaneEngineOptions,
  LaneOptions,
  LaneStateStores,
  SyncFleetOptions,
} from "./fleet/fleetOptions";
export type {
  FleetReport,
  FleetTotals,
  LaneCompleted,
  LaneCycleResult,
  LaneFailed,
  LaneSkipped,
} from "./fleet/fleetReport";
export type {
  LaneBackoffOptions,
  LaneFailureReason,
} from "./fleet/laneHealth";
export type {
  LaneBalanceInput,
  LaneBalancePlan,
  LaneOwnershipView,
  LaneStealPlan,
} from "./fleet/leases/balancer";
export { BlobLeaseManager } from "./fleet/leases/blobLeaseManager";
export {
  type LaneLossReason,
  LaneLostError,
} from "./fleet/leases/laneLostError";
export type {
  BlobLeaseManagerEvents,
  LaneClaimRound,
  LaneGain,
  LaneLoss,
  StorageOutageEvent,
  StorageRecoveredEvent,
} from "./fleet/leases/leaseEvents";
export type { BlobLeaseManagerOptions } from "./fleet/leases/leaseOptions";
export { type LaneClaim, type LaneOwnership, OwnAllLanes } from "./fleet/ownership";
export { type LaneStatus, SyncFleet } from "./fleet/syncFleet";
export {
  type ActivityMapper,
  type ActivityTimes,
  type AnyValue,
  type CanonicalClassification,
  type CanonicalComparator,
  type CanonicalField,
  type CanonicalIncident,
  type CanonicalSeverity,
  type CanonicalStatus,
  type ClassificationMapper,
  type ClassificationTable,
  type ClassificationToDefenderRow,
  type ClassificationToSentinelRow,
  type ClassificationValue,
  type ClosingCommentMapper,
  type CommentMapper,
  type CompiledClassificationTable,
  createMappingProfile,
  createOwnerLookupResolver,
  DEFAULT_CLASSIFICATION_TABLE,
  DEFAULT_MAPPING_PROFILE,
  type DefenderClassificationOutput,
  type DefenderClassificationValue,
  type DefenderCommentMeta,
  type DefenderDeterminationValue,
  type DefenderReadContext,
  type DefenderRenderContext,
  type DefenderSeverityValue,
  type DefenderStatusValue,
  type DefenderToSentinelOptions,
  type DescriptionMapper,
  type DescriptionRenderContext,
  type DescriptionSection,
  defenderToSentinel,
  type EnumLookup,
  type EnumRow,
  type MapperContextBase,
  type MapperOverrides,
  type MappingLimits,
  type MappingOverrides,
  type MappingProfile,
  type MappingResult,
  type MappingWarning,
  type MappingWarningKind,
  type Override,
  type OwnerDirectoryEntry,
  type OwnerLookupResolverOptions,
  type OwnerMapper,
  type OwnerResolver,
  type RenderDefenderPatchContext,
  type RenderSentinelContext,
  type SentinelClassificationOutput,
  type SentinelClassificationReasonValue,
  type SentinelClassificationValue,
  type SentinelCommentMeta,
  type SentinelOwnerOutput,
  type SentinelReadContext,
  type SentinelRenderContext,
  type SentinelSeverityValue,
  type SentinelStatusValue,
  type SentinelToDefenderOptions,
  type SeverityMapper,
  type StatusMapper,
  sentinelToDefender,
  type TagsMapper,
  type TitleMapper,
  type Truncation,
  type WarningSink,
} from "./mapping";
// Alerts → Log Analytics table (Azure Monitor Logs Ingestion API, issue #6)
export {
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
  createAlertRowMapper,
  DEFAULT_ALERT_STREAM_NAME,
  DEFAULT_ALERT_TABLE_NAME,
} from "./mapping/alertRow";
export type { AnyFunction } from "./mapping/mapper";
export type {
  AlertDetail,
  AlertDetailsOverride,
  AlertProperty,
  AlertPropertyMapping,
  AlertRule,
  AlertRuleKind,
  AlertRuleWrite,
  AttackTactic,
  CreateOrUpdateAlertRuleOptions,
  DeleteAlertRuleOptions,
  EntityMapping,
  EntityMappingType,
  EventGroupingAggregationKind,
  EventGroupingSettings,
  FieldMapping,
  GetAlertRuleOptions,
  GroupingConfiguration,
  IncidentConfiguration,
  ListAlertRulesOptions,
  MatchingMethod,
  NrtAlertRule,
  NrtAlertRuleProperties,
  NrtAlertRuleWrite,
  NrtAlertRuleWriteProperties,
  OtherAlertRule,
  ScheduledAlertRule,
  ScheduledAlertRuleProperties,
  ScheduledAlertRuleWrite,
  ScheduledAlertRuleWriteProperties,
  TriggerOperator,
} from "./sentinel/alertRuleModels";
export type {
  IncidentLabel,
  IncidentOwner,
  SentinelAlert,
  SentinelClassification,
  SentinelClassificationReason,
  SentinelComment,
  SentinelEntity,
  SentinelIncident,
  SentinelIncidentProperties,
  SentinelIncidentPutProperties,
  SentinelIncidentWriteProperties,
  SentinelSeverity,
  SentinelStatus,
} from "./sentinel/models";
export type { SentinelAlertRulesApi, SentinelIncidentsApi } from "./sentinel/sentinelApi";
export {
  type CreateOrUpdateSentinelIncidentOptions,
  type CreateSentinelIncidentCommentOptions,
  type ListSentinelIncidentsOptions,
  SentinelClient,
  type SentinelClientOptions,
  type SentinelEntitiesResult,
} from "./sentinel/sentinelClient";
export {
  type AlertBatchFailedEvent,
  type AlertRetryAbandonedEvent,
  type AlertRowInvalidEvent,
  type AlertSinkEvents,
  type AlertSinkStats,
  type AlertSource,
  type AlertSyncReport,
  type AlertsUploadedEvent,
  type AlertUploadFailure,
  type AlertUploadMark,
  type AlertUploadResult,
  LogsIngestionAlertSink,
  type LogsIngestionAlertSinkOptions,
  type SyncFromDefenderOptions,
  type UploadAlertsOptions,
} from "./sink";
export type { AlertSinkCheckpointStore, AlertSinkWatermarks } from "./sink/checkpoint";
export type { AlertSinkPairInput, AlertSinkPairResult } from "./sink/uploadMark";
export { type TableEntityLocation, TableStateCorruptedError } from "./stores/tableErrors";
export { TableStateStore } from "./stores/tableStateStore";
export type {
  TableStateStoreConnection,
  TableStateStoreOptions,
  TableStateStoreTuning,
} from "./stores/tableStateStoreOptions";
export type { ClassicPairPlan, PlannedSentinelWrite } from "./sync/classic/pairPlan";
export type {
  ConflictContext,
  ConflictPolicy,
} from "./sync/conflictPolicy";
export type { SyncDirection } from "./sync/cycleContext";
export { CycleTimeoutError } from "./sync/cycleTimeout";
export { sentinelNameFor } from "./sync/deterministicName";
export type {
  CommentSyncedEvent,
  ConflictEvent,
  CycleFailedEvent,
  FieldChange,
  IncidentCreatedEvent,
  IncidentDuplicateEvent,
  IncidentFailedEvent,
  IncidentLifecycleEvent,
  IncidentLinkedEvent,
  IncidentPendingEvent,
  IncidentRedirectedEvent,
  IncidentUpdatedEvent,
  ProgressEvent,
  SyncDirectionName,
  SyncEngineEvents,
} from "./sync/events";
export { FileStateStore, type FileStateStoreOptions } from "./sync/fileStateStore";
export { formatSyncPlan } from "./sync/formatSyncPlan";
export { InMemoryStateStore } from "./sync/inMemoryStateStore";
export type { PairHookInput, PairHookResult, SyncPairHook } from "./sync/pairHook";
export type { PutRecordsResult, RecordWrite } from "./sync/stateStore";
export {
  type Quarantine,
  type RelayState,
  StateConflictError,
  type StateStore,
  type SyncedComment,
  type SyncRecord,
  type Watermarks,
} from "./sync/stateStore";
export {
  type RunOnceOptions,
  SyncEngine,
  type SyncEngineOptions,
  type SyncSubscription,
} from "./sync/syncEngine";
export type { PlannedPair, PlannedWrite, SyncCounts, SyncReport } from "./sync/syncReport";
export type {
  MergeConflict,
  MergeGroup,
  Side,
} from "./sync/threeWayMerge";
export type {
  IncidentTarget,
  ListTargetChangesOptions,
  MaterializeOptions,
  MaterializeResult,
  SourceKey,
  TargetIncident,
} from "./targets/incidentTarget";
export { RelayPacer, type RelayPacerOptions } from "./targets/relayPacer";
export {
  type BuildRelayRowOptions,
  DEFAULT_RELAY_STREAM_NAME,
  DEFAULT_RELAY_TABLE_NAME,
  type RelayColumnName,
  type RelayColumnType,
  type RelayRow,
  type RelayRowColumn,
  type RelayRowLimits,
} from "./targets/relayRow";
export type {
  BuildRelayRuleOptions,
  RelayRuleDefinition,
} from "./targets/relayRule";
export {
  type ListSentinelChangesOptions,
  SentinelTarget,
  type WriteSentinelIncidentOptions,
} from "./targets/sentinelTarget";
export { sourceKeysOfIncident } from "./targets/sourceKeys";
export {
  type EnsureRelayRuleResult,
  UnifiedTarget,
  type UnifiedTargetIngestion,
  type UnifiedTargetOptions,
} from "./targets/unifiedTarget";
