/**
 * Switches that make the emulated Graph refuse wire choices no Microsoft page confirms, so tests can prove that
 * a client falls back instead of failing. The real service may refuse any of them; the emulator accepts them all
 * unless told otherwise.
 */

/** Graph refusals, all off by default. */
export interface DefenderRefusals {
  /** `GET /security/incidents` with `$orderby` answers 400 ("Query option 'OrderBy' is not allowed"). */
  orderby?: boolean;
  /**
   * `GET /security/alerts_v2` with a `$filter` naming `incidentId` answers 400 ("Could not find a property named
   * 'incidentId'"), as if the property were not filterable.
   */
  alertsFilterByIncidentId?: boolean;
  /** `PATCH /security/incidents/{id}` with `status: inProgress` answers 400 (the update page documents only
   * `active`, `resolved` and `redirected`). */
  statusInProgress?: boolean;
  /**
   * `GET /security/incidents?$expand=alerts` answers this 5xx status (as large tenants see,
   * elastic/integrations#18144). The pipeline's retries see it every time.
   */
  expandAlerts?: number;
  /** `GET /security/incidents/{id}?$expand=alerts` answers this 5xx status. */
  expandAlertsOnGet?: number;
}

/** What the emulator refuses, per service (`createEmulator({ refuse })`, `emu.refuse(…)`). */
export interface WireRefusals {
  defender?: DefenderRefusals;
}

/** Checks the statuses (5xx only) and returns a copy. */
export function normalizeRefusals(refusals: WireRefusals = {}): Required<WireRefusals> {
  const defender = { ...refusals.defender };
  for (const key of ["expandAlerts", "expandAlertsOnGet"] as const) {
    const status = defender[key];
    if (status !== undefined && !(Number.isInteger(status) && status >= 500 && status <= 599)) {
      throw new RangeError(`refuse.defender.${key} must be a 5xx status`);
    }
  }
  return { defender };
}
