/** The contract of a row builder: what it gets besides the alert, and its signature. */
import type { DefenderAlert } from "../../defender/models";
import type { WarningSink } from "../result";
import type { AlertRowLimits } from "./limits";
import type { AlertRow } from "./schema";

/** What the row builder gets besides the alert. */
export interface AlertRowContext {
  /** `DefenderTenantId` when the alert carries no `tenantId`. */
  readonly tenantId: string | undefined;
  /**
   * The upload time. When set, a `TimeGenerated` more than 2 days before it or more than 1 day after it is
   * replaced by it (with a warning): Azure Monitor does not keep such values (README, "Alerts as SIEM data").
   */
  readonly receivedAt: Date | undefined;
  readonly limits: Readonly<AlertRowLimits>;
  /** Records a warning on the result. */
  readonly warn: WarningSink;
}

/** Builds a row (not yet validated). The default is `buildAlertRow`. */
export type AlertRowBuilder = (alert: DefenderAlert, ctx: AlertRowContext) => AlertRow;
