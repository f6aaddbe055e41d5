import { it } from "vitest";
import { MINUTE, unifiedLane } from "./unifiedHelpers";
it("dbg", async () => {
  const lane = await unifiedLane({ customerIncidents: 100, mssPIncidents: 1 });
  for (let i = 0; i < 8; i++) await lane.cycle(5 * MINUTE);
  const before = lane.emu.stats();
  const r = await lane.cycle(5 * MINUTE);
  const after = lane.emu.stats();
  console.log(JSON.stringify(r.apiCalls), JSON.stringify(r.counts), r.watermarks, r.warnings.slice(0,3));
  console.log(JSON.stringify(before.defender.byRoute), JSON.stringify(after.defender.byRoute));
  const w = await lane.store.getWatermarks();
  console.log(w.defender, w.sentinel, w.relayPending?.length);
  const inc = lane.emu.unified.tenant("0f7c1d3e-5a6b-4c8d-9e0f-1a2b3c4d5e6f").listIncidents().map(i=>i.lastUpdateDateTime).sort();
  console.log(inc.slice(-3), lane.clock.now());
  await lane.close();
});
