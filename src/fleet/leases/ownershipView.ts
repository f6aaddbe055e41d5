import type { LaneOwnershipView } from "./balancer";
import type { LaneBlobState } from "./leaseSnapshot";

/**
 * Turns listed lease states into what the balancer reasons about. A lease this instance holds counts as its
 * own only when it is tracked here (`held`): an active lease recorded under our name but not tracked is one
 * whose renewal failed (or a previous incarnation's); it is offered back as free so we may re-acquire it
 * (the service accepts the same lease id again, and refuses any other until it expires).
 */
export function ownershipViewOf(
  self: string,
  lanes: readonly string[],
  listed: ReadonlyMap<string, LaneBlobState>,
  held: ReadonlySet<string>,
): Map<string, LaneOwnershipView> {
  const view = new Map<string, LaneOwnershipView>();
  for (const lane of lanes) {
    const blob = listed.get(lane);
    if (!blob) {
      view.set(lane, { state: "free" });
      continue;
    }
    view.set(lane, viewOfBlob(self, blob, held.has(lane)));
  }
  return view;
}

function viewOfBlob(self: string, blob: LaneBlobState, held: boolean): LaneOwnershipView {
  switch (blob.leaseState) {
    case "leased":
      if (blob.owner === self && !held) return { state: "free", lastOwner: self };
      return blob.owner === undefined ? { state: "owned" } : { state: "owned", owner: blob.owner };
    case "breaking":
      return { state: "breaking" };
    default:
      // available, expired, broken: anyone may acquire.
      return blob.owner === undefined ? { state: "free" } : { state: "free", lastOwner: blob.owner };
  }
}
