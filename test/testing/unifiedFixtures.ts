/** Shared setup of the unified-portal tests: a manual clock, the emulator on loopback and the real clients. */
import { RequestMetrics } from "../../src/core/metrics";
import { DefenderClient } from "../../src/defender/defenderClient";
import type { AlertRuleWrite } from "../../src/sentinel/alertRuleModels";
import { SentinelClient } from "../../src/sentinel/sentinelClient";
import { createIngestionClient } from "../../src/sink/ingestionClient";
import {
  createEmulator,
  createManualClock,
  type Emulator,
  type EmulatorServer,
  type ManualClock,
  type UnifiedPortalOptions,
} from "../../src/testing/index";

export const TABLE = "Relay_CL";
export const STREAM = `Custom-${TABLE}`;
export const DCR = "dcr-0123456789abcdef0123456789abcdef";
export const START = "2025-06-01T00:00:00Z";
export const MINUTE = 60_000;
export const CUSTOMER = "7c5d2a10-3e4f-4a5b-8c6d-9e0f1a2b3c4d";

/** A relay-like Scheduled rule: one alert per row, grouped by the source keys. */
export function relayRule(
  overrides: {
    query?: string;
    frequency?: string;
    period?: string;
    lookback?: string;
    description?: string;
  } & Record<string, unknown> = {},
): AlertRuleWrite {
  const { query, frequency, period, lookback, description, ...rest } = overrides;
  return {
    kind: "Scheduled",
    properties: {
      displayName: "Defender relay",
      description: description ?? "#DONT_CORR# one alert per relayed Defender alert",
      severity: "Medium",
      enabled: true,
      query: query ?? `${TABLE} | where isnotempty(SourceIncidentId)`,
      queryFrequency: frequency ?? "PT5M",
      queryPeriod: period ?? "PT5M",
      triggerOperator: "GreaterThan",
      triggerThreshold: 0,
      suppressionEnabled: false,
      suppressionDuration: "PT5H",
      eventGroupingSettings: { aggregationKind: "AlertPerResult" },
      customDetails: {
        SourceTenantId: "SourceTenantId",
        SourceIncidentId: "SourceIncidentId",
        SourceAlertId: "SourceAlertId",
      },
      entityMappings: [
        { entityType: "Host", fieldMappings: [{ identifier: "HostName", columnName: "HostName" }] },
        { entityType: "IP", fieldMappings: [{ identifier: "Address", columnName: "IPAddress" }] },
        {
          entityType: "Account",
          fieldMappings: [
            { identifier: "Name", columnName: "AccountName" },
            { identifier: "UPNSuffix", columnName: "AccountUPNSuffix" },
          ],
        },
      ],
      alertDetailsOverride: {
        alertDisplayNameFormat: "{{AlertTitle}}",
        alertDescriptionFormat: "Relayed from {{SourceTenantId}}",
        alertSeverityColumnName: "AlertSeverity",
      },
      incidentConfiguration: {
        createIncident: true,
        groupingConfiguration: {
          enabled: true,
          reopenClosedIncident: false,
          lookbackDuration: lookback ?? "PT1H",
          matchingMethod: "Selected",
          groupByCustomDetails: ["SourceTenantId", "SourceIncidentId"],
        },
      },
      ...rest,
    },
  } as AlertRuleWrite;
}

/** One relay row for source incident `incident`, alert `alert`. */
export function row(
  incident: string,
  alert: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    SourceTenantId: CUSTOMER,
    SourceIncidentId: incident,
    SourceAlertId: alert,
    AlertTitle: `Suspicious activity ${alert}`,
    AlertSeverity: "High",
    HostName: `host-${incident}`,
    IPAddress: "203.0.113.7",
    AccountName: "alice",
    AccountUPNSuffix: "contoso.com",
    ...extra,
  };
}

export interface UnifiedSetup {
  clock: ManualClock;
  emu: Emulator;
  srv: EmulatorServer;
  sentinel: SentinelClient;
  /** Graph of the MSSP tenant (the default tenant, which owns the default workspace). */
  defender: DefenderClient;
  /** Uploads rows with the Logs Ingestion client the relay and the alert sink use (quick retries). */
  ingest(rows: Record<string, unknown>[]): Promise<void>;
  /** Moves the clock and makes the runs that are due. */
  advance(ms: number): void;
}

export async function unifiedSetup(unified: UnifiedPortalOptions = {}, seed = 7): Promise<UnifiedSetup> {
  const clock = createManualClock(START);
  const emu = createEmulator({ seed, incidents: 2, now: clock.now, throttling: false, unified });
  const srv = await emu.listen();
  const coords = {
    subscriptionId: srv.subscriptionId,
    resourceGroupName: srv.resourceGroupName,
    workspaceName: srv.workspaceName,
  };
  const retryOptions = { maxRetries: 0 };
  const uploader = createIngestionClient({
    endpointUrl: new URL(srv.url),
    credential: emu.credential,
    metrics: new RequestMetrics("logsIngestion"),
    retryOptions: { maxRetries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 10 },
  });
  return {
    clock,
    emu,
    srv,
    sentinel: new SentinelClient(emu.credential, { endpoint: srv.sentinelEndpoint, ...coords, retryOptions }),
    defender: new DefenderClient(emu.credential, { endpoint: srv.defenderEndpoint, retryOptions }),
    ingest: (rows) => uploader.upload(DCR, STREAM, rows),
    advance(ms) {
      clock.advance(ms);
      emu.unified.runDue();
    },
  };
}

/** Incidents of the MSSP tenant made by the relay rule (their alerts come from Microsoft Sentinel). */
export async function relayIncidents(defender: DefenderClient) {
  const out = [];
  for await (const i of defender.listIncidents({ expandAlerts: true })) {
    if (i.alerts?.some((a) => a.serviceSource === "microsoftSentinel")) out.push(i);
  }
  return out.sort((a, b) => Number(a.id) - Number(b.id));
}
