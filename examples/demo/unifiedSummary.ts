/** The summary table of the unified demo, per customer tenant. */
import { DEFAULT_RELAY_TABLE_NAME, sourceKeysOfIncident } from "defender-sentinel-sync";
import { grid } from "./output";
import type { Demo } from "./unified";

interface TenantNumbers {
  sourceIncidents: number;
  targetIncidents: number;
  rows: number;
  sourceAlerts: number;
  graphCustomer: number;
  graphMssp: number;
  failures: number;
}

/** MSSP incidents per source tenant, read through Graph as an analyst's tool would. */
async function mirrorsByTenant(demo: Demo): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const incident of demo.setup.reader.listIncidents({ expandAlerts: true })) {
    const tenants = new Set(sourceKeysOfIncident(incident).map((k) => k.tenantId.toLowerCase()));
    for (const t of tenants) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return counts;
}

async function numbers(demo: Demo): Promise<TenantNumbers[]> {
  const { emu, lanes } = demo.setup;
  const mirrors = await mirrorsByTenant(demo);
  const rows = emu.unified.rows(DEFAULT_RELAY_TABLE_NAME);
  return lanes.map((lane) => {
    const tenantId = lane.customer.tenantId.toLowerCase();
    const incidents = emu.unified.tenant(tenantId).listIncidents();
    return {
      sourceIncidents: incidents.length,
      targetIncidents: mirrors.get(tenantId) ?? 0,
      rows: rows.filter((r) => String(r.row.SourceTenantId).toLowerCase() === tenantId).length,
      // An incident without alerts is relayed as one row of its own.
      sourceAlerts: incidents.reduce((n, i) => n + Math.max(1, i.alerts?.length ?? 0), 0),
      graphCustomer: lane.source.metrics.snapshot().requests,
      graphMssp: lane.msspGraph.metrics.snapshot().requests,
      failures: lane.reports.reduce((n, r) => n + r.counts.failed, 0),
    };
  });
}

function row(name: string, n: TenantNumbers): string[] {
  return [
    name,
    String(n.sourceIncidents),
    String(n.targetIncidents),
    String(n.rows),
    n.sourceAlerts > 0 ? (n.rows / n.sourceAlerts).toFixed(2) : "–",
    String(n.graphCustomer),
    String(n.graphMssp),
    String(n.failures),
  ];
}

export async function printSummary(demo: Demo): Promise<void> {
  const { out, setup } = demo;
  const all = await numbers(demo);
  const total = all.reduce(
    (t, n) => {
      for (const k of Object.keys(t) as (keyof TenantNumbers)[]) t[k] += n[k];
      return t;
    },
    {
      sourceIncidents: 0,
      targetIncidents: 0,
      rows: 0,
      sourceAlerts: 0,
      graphCustomer: 0,
      graphMssp: 0,
      failures: 0,
    },
  );
  out("Summary");
  grid(
    out,
    [
      "Tenant",
      "Source incidents",
      "MSSP incidents",
      "Rows ingested",
      "Rows/source alert",
      "Graph (customer)",
      "Graph (MSSP)",
      "Failures",
    ],
    [...setup.lanes.map((lane, i) => row(lane.customer.name, all[i]!)), row("Total", total)],
  );
  const runs = setup.emu.unified.runs();
  const busiest = Math.max(0, ...runs.map((r) => r.results));
  const uploads = setup.lanes.reduce((n, l) => n + l.target.ingestionMetrics.snapshot().requests, 0);
  const arm = setup.emu.stats().sentinel.requests;
  out(
    `Relay rule: ${runs.length} runs, at most ${busiest} rows in one run (cap 150); ` +
      `${uploads} Logs Ingestion uploads; ${arm} ARM calls (rule install)`,
  );
}
