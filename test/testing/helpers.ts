import type { EmulatorServer } from "../../src/testing/index";

/** A clock the test moves by hand. */
export function manualClock(start = "2025-06-01T00:00:00Z") {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

export const FIXED_START = "2025-06-01T00:00:00Z";

export function bearer(tenantId: string): Record<string, string> {
  return { authorization: `Bearer emulator-token:${tenantId}` };
}

/** `.../providers/Microsoft.SecurityInsights` of the server's default workspace. */
export function workspaceBase(
  origin: string,
  c: { subscriptionId: string; resourceGroupName: string; workspaceName: string },
): string {
  return (
    `${origin}/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroupName}` +
    `/providers/Microsoft.OperationalInsights/workspaces/${c.workspaceName}/providers/Microsoft.SecurityInsights`
  );
}

export function serverBase(srv: EmulatorServer): string {
  return workspaceBase(srv.sentinelEndpoint, srv);
}

export const API = "api-version=2025-09-01";

export async function json(res: Response): Promise<any> {
  return JSON.parse(await res.text());
}

/** 7-digit UTC timestamp, as both services send. */
export const SEVEN_DIGITS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
