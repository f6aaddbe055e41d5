/** What identifies one version of an alert (`AlertKey`) and the row id derived from it (`RowId`). */
import { createHash } from "node:crypto";
import { timestampKey } from "../../core/timestamps";
import type { DefenderAlert } from "../../defender/models";

/** Identifies one version of an alert: what "uploaded once" is counted by. */
export interface AlertKey {
  alertId: string;
  /** The alert's `lastUpdateDateTime` as a sortable key (7 fractional digits), or "" when it has none. */
  lastUpdateDateTime: string;
}

/** The key of an alert: its id and its normalized `lastUpdateDateTime`. */
export function alertKeyOf(alert: Pick<DefenderAlert, "id" | "lastUpdateDateTime">): AlertKey {
  const id = typeof alert.id === "string" ? alert.id : String(alert.id);
  const version = typeof alert.lastUpdateDateTime === "string" ? timestampKey(alert.lastUpdateDateTime) : "";
  return { alertId: id, lastUpdateDateTime: version };
}

/** `RowId`: 128 bits of SHA-256 over the key, base64url (22 characters). Stable across processes and releases. */
export function alertRowId(key: AlertKey): string {
  return createHash("sha256")
    .update(`${key.alertId}\n${key.lastUpdateDateTime}`, "utf8")
    .digest("base64url")
    .slice(0, 22);
}
