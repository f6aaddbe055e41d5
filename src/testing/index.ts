/**
 * `defender-sentinel-sync/testing`: a faithful local emulator of Microsoft Defender XDR (Graph security v1.0)
 * and Microsoft Sentinel (ARM), a deterministic incident generator, and the pieces to extend the emulator.
 */

// Service limits the routes enforce
export {
  ARM_DEFAULT_PAGE_SIZE,
  ARM_MAX_TOP,
  type ArmRouteExtension,
  type ArmRouteResult,
  SENTINEL_API_VERSIONS,
} from "./armRoutes";
// Auth
export { createEmulatorCredential, EMULATOR_APP_ID, EMULATOR_TOKEN_PREFIX } from "./auth";
export {
  type DefenderControl,
  type DefenderEditOptions,
  type DefenderIncidentEdit,
  EmulatorError,
} from "./defenderState";
// Emulator
export {
  type AddedTenant,
  type AddTenantOptions,
  type AddWorkspaceOptions,
  createEmulator,
  DEFAULT_RESOURCE_GROUP_NAME,
  DEFAULT_SUBSCRIPTION_ID,
  DEFAULT_WORKSPACE_NAME,
  type Emulator,
  type EmulatorFaults,
  type EmulatorOptions,
  type EmulatorServer,
  type EmulatorStats,
  type ListenOptions,
  type ServiceStats,
} from "./emulator";

// Faults and throttling
export type {
  Fault,
  FaultConfig,
  FaultScript,
  FaultScriptHandle,
  FaultShorthand,
  RandomFaultOptions,
  ServiceKey,
} from "./faults";
// Generator
export {
  CORRELATION_ACTOR,
  classificationToSentinel,
  createIncidentGenerator,
  createUsers,
  DEFAULT_BASE_TIME,
  DEFAULT_TENANT_ID,
  generateIncidents,
  type IncidentGenerator,
  type IncidentGeneratorOptions,
  type SentinelIncidentSeed,
  XDR_PROVIDER_NAMES,
} from "./generator";
export { GRAPH_DEFAULT_PAGE_SIZE, GRAPH_MAX_SKIP, GRAPH_MAX_TOP } from "./graphRoutes";
// Azure Monitor Logs Ingestion endpoint (emu.logs)
export {
  createLogsIngestionRoutes,
  LOGS_INGESTION_API_VERSIONS,
  LOGS_INGESTION_MAX_BODY_BYTES,
  LOGS_INGESTION_ORIGINS,
  LOGS_INGESTION_REQUESTS_PER_MINUTE,
  LOGS_INGESTION_SERVICE,
  type LogsIngestionBatch,
  type LogsIngestionControl,
  type LogsIngestionEmulatorOptions,
  type LogsIngestionHooks,
  type LogsIngestionRequestInfo,
  type LogsIngestionStats,
  type LogsIngestionStreamDefinition,
} from "./logsIngestionRoutes";
// Clock tests move by hand (analytics rule cadence, grouping lookbacks)
export { createManualClock, type ManualClock } from "./manualClock";
export {
  type CollectionSpec,
  type FieldSpec,
  type FieldType,
  ODataQueryError,
  parseFilter,
  parseOrderBy,
} from "./odataFilter";
export { createRng, mulberry32, type Rng } from "./prng";
export type { DefenderRefusals, WireRefusals } from "./refusals";
export { armError, armHeaders, defaultErrorCode, graphError, jsonResponse } from "./responses";
// Extending the emulator with another route module (e.g. Azure Monitor Logs Ingestion)
export {
  type CompiledRoute,
  compileRoute,
  type EmulatorServices,
  matchCompiled,
  queryOption,
  type RequestContext,
  type RouteMatch,
  type RouteModule,
} from "./routing";
export {
  type CommentAuthor,
  SENTINEL_SERVICE_LIMITS,
  type SentinelControl,
  type SentinelIncidentEdit,
  type SentinelIncidentInput,
  type SentinelWorkspace,
  type StoredIncident,
  type WorkspaceCoordinates,
} from "./sentinelState";
// StateStore contract checks (for users' own stores)
export {
  durableStateStoreContract,
  type StateStoreContractCase,
  stateStoreContract,
} from "./stateStoreContract";
export {
  ARM_LIMITS,
  type BucketLimits,
  GRAPH_LIMITS,
  retryAfterHeaders,
  type ThrottleResult,
  Throttler,
} from "./throttling";
export { type EmulatorClock, formatTicks, normalizeTimestamp, parseTimestamp } from "./time";
// Wire shapes
export type {
  EmulatorUser,
  GraphAlert,
  GraphComment,
  GraphEvidence,
  GraphIncident,
  // Renamed: the main entry's Sentinel* types are the client's models; these are the emulator's stored shapes.
  SentinelAlert as EmulatorSentinelAlert,
  SentinelComment as EmulatorSentinelComment,
  SentinelEntity as EmulatorSentinelEntity,
  SentinelIncident as EmulatorSentinelIncident,
  SentinelIncidentProperties as EmulatorSentinelIncidentProperties,
  SentinelLabel,
  SentinelOwner,
} from "./types";
// Unified Defender portal: analytics rules, their tables, alerts and incidents (emu.unified)
export {
  type CustomDetailsLocation,
  MAX_ALERT_DESCRIPTION_BYTES,
  MAX_ALERT_NAME_BYTES,
  MAX_CUSTOM_DETAILS_BYTES,
  NRT_ALERTS_PER_RUN,
  type RuleAlert,
  SCHEDULED_ALERTS_PER_RUN,
} from "./unified/alertBuilder";
export { ALERT_RULES_PAGE_SIZE } from "./unified/alertRuleRoutes";
export { ALERT_RULE_SERVICE_LIMITS } from "./unified/alertRuleValidation";
export type { MergeDirection } from "./unified/correlation";
export { MAX_ALERTS_PER_INCIDENT } from "./unified/incidentGrouping";
export {
  type AgoReference,
  NRT_DELAY_MS,
  NRT_FREQUENCY_MS,
  type RuleRunRecord,
  SCHEDULED_DELAY_MS,
} from "./unified/ruleRunner";
export type {
  CloseIncidentOptions,
  IngestedRowInfo,
  RaisedAlertInfo,
  UnifiedPortalControl,
  UnifiedPortalOptions,
} from "./unified/unifiedPortal";
