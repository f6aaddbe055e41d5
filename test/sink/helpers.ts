import type { TokenCredential } from "@azure/core-auth";
import {
  DEFAULT_ALERT_STREAM_NAME,
  type DefenderAlert,
  DefenderClient,
  LogsIngestionAlertSink,
  type LogsIngestionAlertSinkOptions,
} from "defender-sentinel-sync";
import {
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  type EmulatorServer,
} from "defender-sentinel-sync/testing";
import { defenderAlertSchema } from "../../src/defender/models";
import { realisticIncidentPayload } from "../mapping/builders";

export const RULE_ID = "dcr-0123456789abcdef0123456789abcdef";
export const STREAM = DEFAULT_ALERT_STREAM_NAME;

export interface SinkSetup {
  emu: Emulator;
  server: EmulatorServer;
  defender: DefenderClient;
  sink: LogsIngestionAlertSink;
  /** A new sink on the same endpoint (a "restarted process"). */
  newSink(
    options?: Partial<LogsIngestionAlertSinkOptions>,
    credential?: TokenCredential,
  ): LogsIngestionAlertSink;
  close(): Promise<void>;
}

/** An emulator on loopback, a DefenderClient and a sink talking to it over real HTTP. */
export async function setupSink(
  emulator: EmulatorOptions = {},
  sinkOptions: Partial<LogsIngestionAlertSinkOptions> = {},
): Promise<SinkSetup> {
  const emu = createEmulator({ incidents: 0, throttling: false, ...emulator });
  const server = await emu.listen();
  const defender = new DefenderClient(emu.credential, {
    endpoint: server.defenderEndpoint,
    rateLimit: false,
    retryOptions: { maxRetries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
  });
  const newSink = (
    options: Partial<LogsIngestionAlertSinkOptions> = {},
    credential: TokenCredential = emu.credential,
  ) =>
    new LogsIngestionAlertSink(credential, {
      endpoint: server.url,
      ruleId: RULE_ID,
      streamName: STREAM,
      retryOptions: { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
      ...sinkOptions,
      ...options,
    });
  return { emu, server, defender, sink: newSink(), newSink, close: () => server.close() };
}

/** Realistic alerts (parsed), with distinct ids and versions. */
export function sampleAlerts(count: number, evidencePerAlert = 5): DefenderAlert[] {
  const payload = realisticIncidentPayload(count, evidencePerAlert) as { alerts: Record<string, unknown>[] };
  return payload.alerts.map((raw, i) =>
    defenderAlertSchema.parse({
      ...raw,
      id: `alert-${i}`,
      lastUpdateDateTime: new Date(Date.parse("2024-05-02T14:19:01Z") + i * 1000).toISOString(),
    }),
  );
}

/** PATCHes an alert through the emulator's Graph API (bumps its lastUpdateDateTime). */
export async function patchAlert(
  setup: SinkSetup,
  id: string,
  patch: Record<string, unknown>,
): Promise<void> {
  const token = await setup.emu.credential.getToken("https://graph.microsoft.com/.default");
  const res = await fetch(`${setup.server.defenderEndpoint}/security/alerts_v2/${encodeURIComponent(id)}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${token!.token}`, "content-type": "application/json" },
    body: JSON.stringify(patch),
  });
  if (!res.ok) throw new Error(`PATCH alert ${id}: ${res.status} ${await res.text()}`);
}

/** Every alert of the emulator's default tenant as (id, version) keys. */
export function allAlertKeys(emu: Emulator): string[] {
  return emu.defender
    .listIncidents()
    .flatMap((i) => i.alerts)
    .map((a) => `${a.id}@${a.lastUpdateDateTime}`);
}

/** RowIds in the emulator's table, and whether any appears twice. */
export function rowIds(emu: Emulator): { ids: string[]; duplicates: string[] } {
  const ids = emu.logs.rows(STREAM).map((r) => String(r.RowId));
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const id of ids) {
    if (seen.has(id)) duplicates.push(id);
    else seen.add(id);
  }
  return { ids, duplicates };
}
