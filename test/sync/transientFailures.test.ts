import type { IncidentFailedEvent } from "defender-sentinel-sync";
import { describe, expect, it } from "vitest";
import { expectConverged, nameOf, openIncidents, runToQuiescence, useSyncSetups } from "../helpers/engine";

const setup = useSyncSetups();

describe("transport faults on writes", () => {
  it("a Defender comment POST whose answer arrives cut off is retried next cycle, not quarantined, and not duplicated", async () => {
    const t = await setup({ incidents: 4, seed: 8 });
    await t.engine.runOnce();
    const incident = openIncidents(t)[0]!;
    t.emu.sentinel.addComment(await nameOf(t, incident.id), "Checked the proxy logs.", "Dana");
    const before = t.emu.defender.getIncident(incident.id)!.comments.length;
    // The POST is applied by the service, but its answer is truncated (a reset mid-body).
    t.emu.faults.script({
      service: "defender",
      method: "POST",
      route: /comments/,
      times: 1,
      fault: "truncate",
    });
    const failed: IncidentFailedEvent[] = [];
    t.engine.on("incident.failed", (e) => failed.push(e));

    const r = await t.engine.runOnce();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ defenderId: incident.id, transient: true, quarantined: false });
    expect(r.counts.quarantined).toBe(0);
    expect((await t.store.getRecord(incident.id))?.quarantine).toBeUndefined();

    await runToQuiescence(t.engine);
    const comments = t.emu.defender.getIncident(incident.id)!.comments;
    expect(comments.length).toBe(before + 1);
    expect(comments.filter((c) => c.comment.includes("Checked the proxy logs.")).length).toBe(1);
    await expectConverged(t.emu, t.store);
  });
});
