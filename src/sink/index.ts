/**
 * `sink/`: Defender alerts → a Log Analytics table through the Azure Monitor Logs Ingestion API.
 */
export type {
  AlertBatchFailedEvent,
  AlertRetryAbandonedEvent,
  AlertRowInvalidEvent,
  AlertSinkEvents,
  AlertSyncReport,
  AlertsUploadedEvent,
  AlertUploadFailure,
  AlertUploadResult,
} from "./events";
export {
  type AlertSinkStats,
  type AlertSource,
  LOGS_INGESTION_AUDIENCE,
  LogsIngestionAlertSink,
  type LogsIngestionAlertSinkOptions,
  type SyncFromDefenderOptions,
  type UploadAlertsOptions,
} from "./logsIngestionAlertSink";
export { type AlertUploadMark, advanceAlertMark, alertsToUpload } from "./uploadMark";
