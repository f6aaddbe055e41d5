import type { SentinelClient } from "../sentinel/sentinelClient";

/**
 * The classic target: Sentinel incidents created and updated through the SecurityInsights incidents API
 * (deterministic names, etag-checked PUTs, linking with copies made by Microsoft's Defender XDR connector).
 * `new SyncEngine({ defender, target: new SentinelTarget(sentinel) })` is the same as `{ defender, sentinel }`.
 * Once a workspace is onboarded to the unified Defender portal, incidents created this way are not shown
 * there (learn.microsoft.com/azure/sentinel/move-to-defender): use `UnifiedTarget` for those workspaces.
 */
export class SentinelTarget {
  readonly kind = "sentinel" as const;
  constructor(readonly sentinel: SentinelClient) {}
}
