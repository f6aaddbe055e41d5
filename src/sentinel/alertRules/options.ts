/** Options of the `SentinelClient` analytics-rule methods. */
import type { OperationOptions } from "../../core/clientOptions";
import type { InvalidItemHandler } from "../../core/parseItems";

/** Options of `SentinelClient.getAlertRule`. */
export interface GetAlertRuleOptions extends OperationOptions {
  /** The api-version of this call (e.g. `2025-07-01-preview` to read NRT rules). Default: the client's. */
  apiVersion?: string;
}

/** Options of `SentinelClient.deleteAlertRule`. */
export interface DeleteAlertRuleOptions extends OperationOptions {
  /** The api-version of this call. Default: the client's. */
  apiVersion?: string;
}

/** Options of `SentinelClient.createOrUpdateAlertRule`. */
export interface CreateOrUpdateAlertRuleOptions extends OperationOptions {
  /**
   * The api-version of this call. Default: the client's; an NRT rule written under a stable client api-version
   * is sent with `NRT_ALERT_RULE_API_VERSION`.
   */
  apiVersion?: string;
  /** The etag read with the rule; a stale one makes the service answer 409 (ConflictError). */
  etag?: string;
}

/** Options of `SentinelClient.listAlertRules`. */
export interface ListAlertRulesOptions extends OperationOptions {
  /** The api-version of this call (e.g. `2025-07-01-preview` to list NRT rules). Default: the client's. */
  apiVersion?: string;
  /** Receives rules that fail the schema; without it such a rule throws a ResponseValidationError. */
  onInvalidItem?: InvalidItemHandler;
}
