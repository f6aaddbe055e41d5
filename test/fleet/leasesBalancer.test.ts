import { describe, expect, it } from "vitest";
import { type LaneOwnershipView, planLaneClaims } from "../../src/fleet/leases/balancer";

const lanes = (n: number) => Array.from({ length: n }, (_, i) => `lane-${String(i).padStart(2, "0")}`);

/** Ownership from a compact spec: `{ a: 4, b: 3 }` gives a the first 4 lanes, b the next 3, the rest free. */
function owned(all: readonly string[], counts: Record<string, number>): Map<string, LaneOwnershipView> {
  const map = new Map<string, LaneOwnershipView>();
  let i = 0;
  for (const [owner, count] of Object.entries(counts)) {
    for (let k = 0; k < count; k++) map.set(all[i++]!, { state: "owned", owner });
  }
  return map;
}

describe("planLaneClaims (table)", () => {
  const ten = lanes(10);
  const rows: Array<{
    name: string;
    self: string;
    live: string[];
    counts: Record<string, number>;
    target: number;
    claims: number;
    stealFrom: string | undefined;
  }> = [
    {
      name: "alone: takes every lane",
      self: "a",
      live: ["a"],
      counts: {},
      target: 10,
      claims: 10,
      stealFrom: undefined,
    },
    {
      name: "two live, empty: half each",
      self: "a",
      live: ["a", "b"],
      counts: {},
      target: 5,
      claims: 5,
      stealFrom: undefined,
    },
    {
      name: "balanced 5/5: nothing",
      self: "b",
      live: ["a", "b"],
      counts: { a: 5, b: 5 },
      target: 5,
      claims: 0,
      stealFrom: undefined,
    },
    {
      name: "late joiner: steals from the holder of all",
      self: "b",
      live: ["a", "b"],
      counts: { a: 10 },
      target: 5,
      claims: 0,
      stealFrom: "a",
    },
    {
      name: "over-loaded never claims",
      self: "a",
      live: ["a", "b"],
      counts: { a: 10 },
      target: 5,
      claims: 0,
      stealFrom: undefined,
    },
    {
      name: "free lanes before stealing",
      self: "b",
      live: ["a", "b"],
      counts: { a: 4 },
      target: 5,
      claims: 5,
      stealFrom: undefined,
    },
    {
      name: "free lanes, then one steal",
      self: "c",
      live: ["a", "b", "c"],
      counts: { a: 6, b: 2 },
      target: 3,
      claims: 2,
      stealFrom: "a",
    },
    {
      name: "6/4: steal (6 > ceil 5)",
      self: "b",
      live: ["a", "b"],
      counts: { a: 6, b: 4 },
      target: 5,
      claims: 0,
      stealFrom: "a",
    },
    {
      name: "3 instances 4/3/3: balanced",
      self: "b",
      live: ["a", "b", "c"],
      counts: { a: 4, b: 3, c: 3 },
      target: 3,
      claims: 0,
      stealFrom: undefined,
    },
    {
      name: "3 instances 4/3/3, the 4 holder keeps it",
      self: "a",
      live: ["a", "b", "c"],
      counts: { a: 4, b: 3, c: 3 },
      target: 4,
      claims: 0,
      stealFrom: undefined,
    },
    // Only one instance may keep the 10th lane: the second one at ceil gives one up.
    {
      name: "4/4/2: steal from the second 4",
      self: "c",
      live: ["a", "b", "c"],
      counts: { a: 4, b: 4, c: 2 },
      target: 3,
      claims: 0,
      stealFrom: "b",
    },
    {
      name: "dead heartbeat but active leases: still counted",
      self: "b",
      live: ["b"],
      counts: { a: 5 },
      target: 5,
      claims: 5,
      stealFrom: undefined,
    },
    {
      name: "zero lanes",
      self: "a",
      live: ["a", "b"],
      counts: {},
      target: 0,
      claims: 0,
      stealFrom: undefined,
    },
  ];

  for (const row of rows) {
    it(row.name, () => {
      const plan = planLaneClaims({
        self: row.self,
        lanes: row.name === "zero lanes" ? [] : ten,
        liveInstances: row.live,
        ownership: owned(ten, row.counts),
      });
      expect(plan.target).toBe(row.target);
      expect(plan.claim).toHaveLength(row.claims);
      expect(plan.steal?.from).toBe(row.stealFrom);
      for (const lane of plan.claim) expect(owned(ten, row.counts).has(lane)).toBe(false);
      if (plan.steal) expect(owned(ten, row.counts).get(plan.steal.lane)?.owner).toBe(plan.steal.from);
    });
  }
});

describe("planLaneClaims (states)", () => {
  const ten = lanes(10);

  it("breaking lanes are neither free nor anyone's load", () => {
    const ownership = owned(ten, { a: 6 });
    for (const lane of ten.slice(6)) ownership.set(lane, { state: "breaking" });
    // a holds 6 > 5: a steal is due, but no breaking lane may be claimed.
    const plan = planLaneClaims({ self: "b", lanes: ten, liveInstances: ["a", "b"], ownership });
    expect(plan.claim).toEqual([]);
    expect(plan.steal?.from).toBe("a");
    // Once a's load is down to its share (the 6th lane breaking), no further steal.
    ownership.set(ten[5]!, { state: "breaking" });
    const next = planLaneClaims({ self: "b", lanes: ten, liveInstances: ["a", "b"], ownership });
    expect(next.steal).toBeUndefined();
  });

  it("an active lease without an owner record is not free, not stolen and adds no instance", () => {
    const ownership = new Map<string, LaneOwnershipView>(ten.map((lane) => [lane, { state: "owned" }]));
    const plan = planLaneClaims({ self: "b", lanes: ten, liveInstances: ["b"], ownership });
    expect(plan).toMatchObject({ claim: [], steal: undefined, instances: 1, target: 10 });
  });

  it("expired and released lanes are free; the lane this instance held last comes first", () => {
    const ownership = new Map<string, LaneOwnershipView>([
      [ten[7]!, { state: "free", lastOwner: "b" }],
      [ten[2]!, { state: "free", lastOwner: "dead" }],
    ]);
    for (const lane of ten) if (!ownership.has(lane)) ownership.set(lane, { state: "owned", owner: "a" });
    const plan = planLaneClaims({ self: "b", lanes: ten, liveInstances: ["a", "b"], ownership });
    expect(plan.claim).toEqual([ten[7], ten[2]]);
  });

  it("ignores duplicate lanes and ownership of lanes it was not given", () => {
    const ownership = new Map<string, LaneOwnershipView>([["other", { state: "owned", owner: "a" }]]);
    const plan = planLaneClaims({ self: "b", lanes: ["x", "x", "y"], liveInstances: ["b"], ownership });
    expect(plan.claim.sort()).toEqual(["x", "y"]);
    // a holds a lane outside this set only: it shares none of these lanes, so it is not counted.
    expect(plan.instances).toBe(1);
  });

  it("instances starting together try different free lanes first", () => {
    const input = { lanes: ten, liveInstances: ["host-1", "host-2"], ownership: new Map() };
    const a = planLaneClaims({ ...input, self: "host-1" }).claim;
    const b = planLaneClaims({ ...input, self: "host-2" }).claim;
    expect(a).toHaveLength(5);
    expect(b).toHaveLength(5);
    expect(a).not.toEqual(b);
  });
});

describe("planLaneClaims (simulated fleets)", () => {
  /** Rounds in turn; a steal completes at the victim's next round (it sees the break and releases). */
  function simulate(laneCount: number, ids: string[], initial: Record<string, number>) {
    const all = lanes(laneCount);
    const ownership = owned(all, initial);
    let moves = 0;
    let rounds = 0;
    const pending = new Set<string>();
    const balanced = () => {
      const loads = ids.map((id) => all.filter((l) => ownership.get(l)?.owner === id).length);
      return Math.max(...loads) - Math.min(...loads) <= 1 && loads.reduce((s, x) => s + x, 0) === laneCount;
    };
    while (!balanced() && rounds < 200) {
      rounds++;
      for (const id of ids) {
        for (const lane of pending) ownership.set(lane, { state: "free" });
        pending.clear();
        const plan = planLaneClaims({ self: id, lanes: all, liveInstances: ids, ownership });
        for (const lane of plan.claim) ownership.set(lane, { state: "owned", owner: id });
        if (plan.steal) {
          ownership.set(plan.steal.lane, { state: "breaking" });
          pending.add(plan.steal.lane);
          moves++;
        }
      }
    }
    // Once balanced, nobody wants anything: no thrash.
    for (const id of ids) {
      const plan = planLaneClaims({ self: id, lanes: all, liveInstances: ids, ownership });
      expect(plan.claim).toEqual([]);
      expect(plan.steal).toBeUndefined();
    }
    return { rounds, moves };
  }

  for (const [laneCount, n] of [
    [10, 2],
    [10, 3],
    [10, 4],
    [7, 3],
    [100, 7],
    [3, 5],
  ] as const) {
    it(`${laneCount} lanes, ${n} instances, one holding all at first: balanced with the fewest moves`, () => {
      const ids = Array.from({ length: n }, (_, i) => `i${i}`);
      const { moves } = simulate(laneCount, ids, { i0: laneCount });
      // The first instance must give up all but ceil(L/n): exactly that many takeovers, none wasted.
      expect(moves).toBe(laneCount - Math.min(laneCount, Math.ceil(laneCount / n)));
    });
  }

  it("instances joining an empty container take free lanes only", () => {
    expect(simulate(10, ["a", "b", "c"], {}).moves).toBe(0);
  });
});
