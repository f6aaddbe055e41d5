/**
 * Graph wire choices that no Microsoft page confirms, and what `DefenderClient` does once the service refuses
 * one. Each refusal is remembered for the client's lifetime (the failing request is never sent again) and
 * announced once on the client's warning channel.
 */
import type { WarningChannel } from "../core/warnings";

/** Warning codes of the fallbacks, as `SyncWarning.code`. */
export const DEFENDER_FALLBACK_CODES = {
  /** `$orderby=lastUpdateDateTime asc` on the incident list answered 400. */
  orderbyRefused: "orderbyRefused",
  /** `$filter=incidentId eq '…'` on `alerts_v2` answered 400. */
  alertFilterRefused: "alertFilterRefused",
  /** A PATCH with `status: inProgress` answered 400. */
  inProgressRefused: "inProgressRefused",
  /** `$expand=alerts` answered 5xx. */
  expandAlertsFailed: "expandAlertsFailed",
} as const;

/** The refusals one `DefenderClient` has met so far. */
export class DefenderWireFallbacks {
  /** Lists go without `$orderby` and follow the service's nextLink instead of moving a keyset bound. */
  orderbyRefused = false;
  /** Lists go without `$expand=alerts`; alerts are fetched per incident. */
  listExpandFailed = false;
  /** Alerts are no longer fetched by incident filter. */
  alertFilterRefused = false;
  /** `inProgress` is written as `active`. */
  inProgressRefused = false;

  /** Options the service took at least once: no need to try them one at a time any more. */
  private readonly accepted = new Set<string>();
  /** The one request trying an option whose fate is not known yet. */
  private readonly trials = new Map<string, Promise<unknown>>();

  constructor(private readonly warnings: WarningChannel) {}

  /** Records that the service took `option` (e.g. a PATCH with `inProgress` went through). */
  accept(option: string): void {
    this.accepted.add(option);
  }

  /**
   * Runs `attempt` once nobody else is trying `option`: while its fate is unknown, concurrent callers (the engine
   * syncs several incidents at once) wait for the first one's answer instead of all sending a request the
   * service may refuse. `attempt` reads the remembered refusals when it starts, so the waiters take the fallback.
   */
  async oneAtATime<T>(option: string, refused: () => boolean, attempt: () => Promise<T>): Promise<T> {
    for (;;) {
      if (this.accepted.has(option) || refused()) return attempt();
      const pending = this.trials.get(option);
      if (pending === undefined) break;
      await pending.catch(() => undefined);
    }
    const trial = attempt();
    this.trials.set(option, trial);
    try {
      return await trial;
    } finally {
      this.trials.delete(option);
    }
  }

  refuseOrderby(): void {
    this.orderbyRefused = true;
    this.warnings.emitOnce(DEFENDER_FALLBACK_CODES.orderbyRefused, {
      code: DEFENDER_FALLBACK_CODES.orderbyRefused,
      service: "defender",
      message:
        "Graph refused $orderby on /security/incidents (400); incidents are now listed in the service's order by " +
        "following @odata.nextLink, which Graph stops at $skip 500",
    });
  }

  failListExpand(): void {
    this.listExpandFailed = true;
    this.expandFailed("list");
  }

  /** `$expand=alerts` failed (on a list, or on one incident); alerts are read another way. */
  expandFailed(scope: "list" | "incident", incidentId?: string): void {
    this.warnings.emitOnce(DEFENDER_FALLBACK_CODES.expandAlertsFailed, {
      code: DEFENDER_FALLBACK_CODES.expandAlertsFailed,
      service: "defender",
      message:
        "Graph failed $expand=alerts with 5xx (large incidents, elastic/integrations#18144); incidents are listed " +
        "without it and each incident's alerts are read with GET /security/incidents/{id}?$expand=alerts or " +
        "GET /security/alerts_v2?$filter=incidentId eq '…'",
      detail: { scope, ...(incidentId !== undefined ? { incidentId } : {}) },
    });
  }

  refuseAlertFilter(incidentId: string): void {
    this.alertFilterRefused = true;
    this.warnings.emitOnce(DEFENDER_FALLBACK_CODES.alertFilterRefused, {
      code: DEFENDER_FALLBACK_CODES.alertFilterRefused,
      service: "defender",
      message:
        "Graph refused $filter=incidentId eq '…' on /security/alerts_v2 (400); an incident whose own " +
        "$expand=alerts also fails is returned without alerts",
      detail: { incidentId },
    });
  }

  refuseInProgress(incidentId: string): void {
    this.inProgressRefused = true;
    this.warnings.emitOnce(DEFENDER_FALLBACK_CODES.inProgressRefused, {
      code: DEFENDER_FALLBACK_CODES.inProgressRefused,
      service: "defender",
      message:
        "Graph refused status 'inProgress' in an incident PATCH (400; the update page documents only active, " +
        "resolved and redirected); 'active' is written instead",
      detail: { incidentId },
    });
  }
}
