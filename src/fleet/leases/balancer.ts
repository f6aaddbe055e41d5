/**
 * Which lanes an instance should claim, as a pure function of what the lease container shows. The idea is the
 * one Event Hubs' event processor uses to spread partitions
 * (https://learn.microsoft.com/azure/event-hubs/event-processor-balance-partition-load): each instance aims
 * for its fair share, takes free lanes first, and only then takes one lane per round from an instance that
 * holds more than its share, so several instances converge without a coordinator and without thrashing.
 */

/** What the container says about one lane. */
export interface LaneOwnershipView {
  /**
   * `free`: never leased, released, expired or broken — anyone may acquire it. `owned`: an active lease.
   * `breaking`: another instance is taking it over (lease being broken); neither free nor anyone's load.
   */
  state: "free" | "owned" | "breaking";
  /** The instance holding an `owned` lane; absent when its owner record is not written yet. */
  owner?: string;
  /** For a `free` lane, the instance that held it last (it is preferred by that instance when it returns). */
  lastOwner?: string;
}

/**
 * What an instance knows when it plans which lanes to claim: itself, the lanes, the live instances and each lane's
 * lease state.
 */
export interface LaneBalanceInput {
  /** This instance. */
  self: string;
  /** The lanes to share (duplicates ignored). */
  lanes: readonly string[];
  /** Instances with a recent heartbeat; owners of active leases are live by definition and added. */
  liveInstances: readonly string[];
  /** Ownership of each lane; a lane missing here is free. */
  ownership: ReadonlyMap<string, LaneOwnershipView>;
}

/** A lane to take over from an instance that holds more than its fair share. */
export interface LaneStealPlan {
  lane: string;
  /** The instance losing the lane. */
  from: string;
}

/**
 * Which lanes an instance should claim this round: free lanes to acquire, at most one lane to steal, and its target
 * share.
 */
export interface LaneBalancePlan {
  /** Free lanes to acquire now, best first. */
  claim: string[];
  /** At most one lane to take from an instance above its share (one per round, so the fleet does not thrash). */
  steal: LaneStealPlan | undefined;
  /** How many lanes this instance should hold once balanced. */
  target: number;
  /** Lanes this instance holds now (active leases recorded as its own). */
  owned: number;
  /** Instances sharing the lanes, this one included. */
  instances: number;
}

/** Plans one round for `self`. Deterministic: ties are broken by id and by a hash of `self`. */
export function planLaneClaims(input: LaneBalanceInput): LaneBalancePlan {
  const lanes = [...new Set(input.lanes)].sort();
  const loads = loadsByInstance(lanes, input);
  const instances = [...loads.keys()].sort();
  const n = instances.length;
  const floor = Math.floor(lanes.length / n);
  const remainder = lanes.length % n;
  const mine = loads.get(input.self)!;
  const othersAboveFloor = instances.filter((i) => i !== input.self && loads.get(i)!.length > floor).length;
  // The lanes that do not divide evenly go to the first instances that take one more than the floor; this
  // instance aims for one more only while fewer than `remainder` others already have it.
  const target = floor + (remainder > 0 && othersAboveFloor < remainder ? 1 : 0);
  const plan: LaneBalancePlan = { claim: [], steal: undefined, target, owned: mine.length, instances: n };
  const wanted = target - mine.length;
  if (wanted <= 0) return plan;
  plan.claim = freeLanesFor(input.self, lanes, input.ownership).slice(0, wanted);
  if (plan.claim.length < wanted) {
    plan.steal = pickSteal(input.self, instances, loads, floor, remainder);
  }
  return plan;
}

/** Lanes per instance (active leases only), with every live instance and `self` present. */
function loadsByInstance(lanes: readonly string[], input: LaneBalanceInput): Map<string, string[]> {
  const loads = new Map<string, string[]>([[input.self, []]]);
  for (const id of input.liveInstances) if (!loads.has(id)) loads.set(id, []);
  for (const lane of lanes) {
    const view = input.ownership.get(lane);
    if (view?.state !== "owned" || view.owner === undefined) continue;
    const list = loads.get(view.owner);
    if (list) list.push(lane);
    else loads.set(view.owner, [lane]);
  }
  return loads;
}

/** Free lanes, the ones this instance held last first, the rest rotated by a hash of `self` so that
 * instances starting together try different lanes instead of all racing for the first ones. */
function freeLanesFor(
  self: string,
  lanes: readonly string[],
  ownership: ReadonlyMap<string, LaneOwnershipView>,
): string[] {
  const free = lanes.filter((lane) => (ownership.get(lane)?.state ?? "free") === "free");
  const previous = free.filter((lane) => ownership.get(lane)?.lastOwner === self);
  const others = rotate(
    free.filter((lane) => ownership.get(lane)?.lastOwner !== self),
    hashOf(self),
  );
  return [...previous, ...others];
}

/**
 * The most loaded instances may keep `floor + 1` lanes (as many of them as there are leftover lanes), the
 * others `floor`; the first instance above its allowance gives up one lane. With an even split this is
 * "only from an instance holding more than ceil(lanes / instances)".
 */
function pickSteal(
  self: string,
  instances: readonly string[],
  loads: ReadonlyMap<string, string[]>,
  floor: number,
  remainder: number,
): LaneStealPlan | undefined {
  const victims = instances
    .filter((id) => id !== self)
    .sort((a, b) => loads.get(b)!.length - loads.get(a)!.length || (a < b ? -1 : 1));
  for (const [rank, id] of victims.entries()) {
    const allowance = floor + (rank < remainder ? 1 : 0);
    const owned = loads.get(id)!;
    if (owned.length > allowance) {
      const lane = rotate([...owned].sort(), hashOf(self))[0]!;
      return { lane, from: id };
    }
  }
  return undefined;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** FNV-1a, 32 bits: a stable spread, not a security hash. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
