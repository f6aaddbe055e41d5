// Public surface of defender-sentinel-sync. Everything is exported by name; nothing else is public.

export type { CommonClientOptions, OperationOptions, RetryOptions } from "./core/clientOptions";
export { isLoopbackHost } from "./core/endpoint";
export {
  AuthenticationError,
  AuthorizationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  HttpResponseError,
  InvalidArgumentError,
  isAbortError,
  isAuthenticationError,
  isAuthorizationError,
  isBadRequestError,
  isConflictError,
  isConnectionError,
  isHttpResponseError,
  isInvalidArgumentError,
  isMappingError,
  isNotFoundError,
  isResponseValidationError,
  isServiceUnavailableError,
  isSyncSdkError,
  isThrottledError,
  isUntrustedHostError,
  MappingError,
  NotFoundError,
  type RedactedRequest,
  RequestAbortedError,
  ResponseValidationError,
  type ServiceName,
  ServiceUnavailableError,
  SyncSdkError,
  ThrottledError,
  UntrustedHostError,
  type ValidationIssue,
} from "./core/errors";
export type { RequestMetrics, RequestMetricsSnapshot, ThrottleInfo, ThrottleListener } from "./core/metrics";
export { andFilters, odataString } from "./core/odata";
export type { PagedAsyncIterableIterator, PageSettings } from "./core/paging";
export type { InvalidItemHandler } from "./core/parseItems";
export {
  ARM_RATE_LIMITS,
  GRAPH_RATE_LIMITS,
  type OperationKind,
  RateLimiter,
  type RateLimitOptions,
} from "./core/rateLimiter";
export { TokenBucket, type TokenBucketConfig, type TokenBucketOptions } from "./core/tokenBucket";
export { SDK_VERSION } from "./core/version";
export {
  DefenderClient,
  type DefenderClientOptions,
  type GetDefenderIncidentOptions,
  type ListDefenderAlertsOptions,
  type ListDefenderIncidentsOptions,
  MAX_INCIDENT_PAGE_SIZE,
} from "./defender/defenderClient";
export {
  type AlertClassification,
  type AlertComment,
  type AlertDetermination,
  type AlertEvidence,
  type AlertSeverity,
  type AlertStatus,
  alertCommentSchema,
  alertEvidenceSchema,
  type DefenderAlert,
  type DefenderIncident,
  type DefenderIncidentPatch,
  type DetectionSource,
  type DeviceEvidence,
  defenderAlertSchema,
  defenderIncidentPatchSchema,
  defenderIncidentSchema,
  type FileEvidence,
  type IncidentStatus,
  type IpEvidence,
  isEvidenceType,
  type MailboxEvidence,
  type ProcessEvidence,
  type ServiceSource,
  type UrlEvidence,
  type UserEvidence,
} from "./defender/models";
export {
  type IncidentLabel,
  type IncidentOwner,
  type SentinelAlert,
  type SentinelClassification,
  type SentinelClassificationReason,
  type SentinelComment,
  type SentinelEntity,
  type SentinelIncident,
  type SentinelIncidentProperties,
  type SentinelIncidentWriteProperties,
  type SentinelSeverity,
  type SentinelStatus,
  sentinelCommentSchema,
  sentinelIncidentPropertiesSchema,
  sentinelIncidentSchema,
  sentinelIncidentWritePropertiesSchema,
} from "./sentinel/models";
export {
  type CreateOrUpdateIncidentOptions,
  DEFAULT_SENTINEL_API_VERSION,
  type ListSentinelIncidentsOptions,
  SENTINEL_LIMITS,
  SentinelClient,
  type SentinelClientOptions,
  type SentinelEntitiesResult,
  validateIncidentProperties,
} from "./sentinel/sentinelClient";
export { type ConflictContext, type ConflictPolicy, resolveConflict } from "./sync/conflictPolicy";
export type { SyncDirection } from "./sync/cycleContext";
export { sentinelCommentIdFor, sentinelNameFor, uuidV5 } from "./sync/deterministicName";
export type {
  CommentSyncedEvent,
  ConflictEvent,
  FieldChange,
  IncidentCreatedEvent,
  IncidentFailedEvent,
  IncidentLifecycleEvent,
  IncidentRedirectedEvent,
  IncidentUpdatedEvent,
  ProgressEvent,
  SyncDirectionName,
  SyncEngineEvents,
} from "./sync/events";
export { FileStateStore, type FileStateStoreOptions, StateStoreLockedError } from "./sync/fileStateStore";
export { InMemoryStateStore } from "./sync/inMemoryStateStore";
export {
  isStateConflictError,
  type Quarantine,
  StateConflictError,
  type StateStore,
  type SyncedComment,
  type SyncRecord,
  type Watermarks,
} from "./sync/stateStore";
export { type RunOnceOptions, SyncEngine, type SyncEngineOptions, type SyncSubscription } from "./sync/syncEngine";
export type { PlannedWrite, SyncCounts, SyncReport } from "./sync/syncReport";
export { type MergeConflict, type MergeGroup, mergeTags, type Side, threeWayMerge } from "./sync/threeWayMerge";
