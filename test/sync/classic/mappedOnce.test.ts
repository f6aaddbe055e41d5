/**
 * Each incident a cycle reads is mapped once: the echo checks, the pair's plan and the ledger digest share one
 * view. A counting profile around the default one counts mappings per object read (a re-read after the engine's
 * own write is a new read of a new version, and is mapped again).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { DefenderIncident } from "../../../src/defender/models";
import { DEFAULT_MAPPING_PROFILE } from "../../../src/mapping/defaultProfile";
import type { MappingProfile } from "../../../src/mapping/profile";
import type { SentinelIncident } from "../../../src/sentinel/models";
import { runToQuiescence, type SyncSetup, setupSync } from "../../helpers/engine";

function countingProfile(base: MappingProfile) {
  const defenderReads = new Map<object, number>();
  const sentinelReads = new Map<object, number>();
  const bump = (m: Map<object, number>, key: object) => m.set(key, (m.get(key) ?? 0) + 1);
  const profile: MappingProfile = {
    ...base,
    defenderToCanonical: (incident: DefenderIncident) => {
      bump(defenderReads, incident);
      return base.defenderToCanonical(incident);
    },
    sentinelToCanonical: (incident: SentinelIncident) => {
      bump(sentinelReads, incident);
      return base.sentinelToCanonical(incident);
    },
  };
  const reset = () => {
    defenderReads.clear();
    sentinelReads.clear();
  };
  return { profile, defenderReads, sentinelReads, reset };
}

let t: SyncSetup | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("one mapping per incident per cycle", () => {
  it("backfill, edits on both sides and a quiet cycle map each incident read at most once", async () => {
    const counting = countingProfile(DEFAULT_MAPPING_PROFILE);
    t = await setupSync({ incidents: 6, engine: { mapping: counting.profile } });
    await t.engine.runOnce();
    expect(Math.max(...counting.defenderReads.values())).toBe(1);
    expect(new Set([...counting.defenderReads.keys()].map((i) => (i as DefenderIncident).id)).size).toBe(6);
    await runToQuiescence(t.engine);

    const [a, b] = t.emu.defender.listIncidents();
    t.emu.defender.editIncident(a!.id, { displayName: "renamed in Defender" });
    const nameOfB = (await t.store.getRecord(b!.id))!.sentinelName;
    t.emu.sentinel.editIncident(nameOfB, { severity: "High" });
    counting.reset();
    const report = await t.engine.runOnce();
    expect(report.writes.sentinel + report.writes.defender).toBeGreaterThanOrEqual(2);
    expect(Math.max(...counting.defenderReads.values())).toBe(1);
    expect(Math.max(...counting.sentinelReads.values())).toBe(1);
  });
});
