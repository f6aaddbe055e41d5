import { isConnectorCopy } from "../targets/connectorCopy";
import type { StateStore, SyncRecord } from "./stateStore";

/** Which pair a list item that failed its schema belongs to, as far as its raw payload and the ledger tell. */
export interface InvalidItemOwner {
  defenderId: string | undefined;
  /** The Sentinel incident's name, for an item of the Sentinel list. */
  sentinelName: string | undefined;
  record: SyncRecord | undefined;
  /** A Sentinel item made by Microsoft's connector that the ledger does not know yet. */
  connectorCopy: boolean;
  tenantId: string | undefined;
}

/**
 * A Sentinel item is ours when the ledger knows its name (providerIncidentId of our own copies is the Sentinel
 * incident number, not a Defender id); otherwise only a connector copy names its Defender incident. A Defender
 * item names itself.
 */
export async function ownerOfInvalidItem(
  store: StateStore,
  side: "defender" | "sentinel",
  raw: unknown,
): Promise<InvalidItemOwner> {
  const item = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const props = (item.properties ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const sentinelName = side === "sentinel" ? text(item.name) : undefined;
  let record = sentinelName ? await store.findBySentinelName(sentinelName) : undefined;
  const connectorCopy = side === "sentinel" && !record && isConnectorCopy(text(props.providerName));
  const defenderId =
    side === "defender"
      ? text(item.id)
      : (record?.defenderId ?? (connectorCopy ? text(props.providerIncidentId) : undefined));
  if (defenderId && !record) record = await store.getRecord(defenderId);
  return { defenderId, sentinelName, record, connectorCopy, tenantId: text(item.tenantId) };
}
