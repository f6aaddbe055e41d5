import type { AlertUploadMark, DefenderAlert } from "defender-sentinel-sync";
import { describe, expect, it } from "vitest";
import { defenderAlertSchema } from "../../src/defender/models";
import { alertKeyOf } from "../../src/mapping/alertRow";
import { advanceAlertMark, alertsToUpload } from "../../src/sink";
import { type SinkSetup, STREAM, setupSink } from "./helpers";

const alert = (id: string, at: string) => defenderAlertSchema.parse({ id, lastUpdateDateTime: at });

describe("per-incident upload mark (engine mode)", () => {
  const a = alert("a", "2024-05-01T10:00:00Z");
  const b = alert("b", "2024-05-01T11:00:00Z");
  const c = alert("c", "2024-05-01T12:00:00Z");

  it("selects each version once, and a newer version again", () => {
    const all = [a, b, c, b];
    expect(alertsToUpload(all, undefined).map((x) => x.id)).toEqual(["a", "b", "c"]);
    const mark = advanceAlertMark(undefined, { uploaded: [a, b, c].map(alertKeyOf), failed: [] });
    expect(mark).toEqual({ through: alertKeyOf(c).lastUpdateDateTime });
    expect(alertsToUpload(all, mark)).toEqual([]);
    const b2 = alert("b", "2024-05-01T13:00:00Z");
    expect(alertsToUpload([a, b2, c], mark).map((x) => x.id)).toEqual(["b"]);
  });

  it("never passes a failed alert, and does not resend the newer ones that went through", () => {
    const failedB = { key: alertKeyOf(b), error: new Error("503"), retryable: true };
    let mark: AlertUploadMark = advanceAlertMark(undefined, {
      uploaded: [alertKeyOf(a), alertKeyOf(c)],
      failed: [failedB],
    });
    expect(mark.through).toBe(alertKeyOf(a).lastUpdateDateTime);
    expect(mark.above).toHaveLength(1);
    expect(alertsToUpload([a, b, c], mark).map((x) => x.id)).toEqual(["b"]);
    mark = advanceAlertMark(mark, { uploaded: [alertKeyOf(b)], failed: [] });
    expect(mark).toEqual({ through: alertKeyOf(c).lastUpdateDateTime });
    expect(alertsToUpload([a, b, c], mark)).toEqual([]);
  });

  it("treats an unmappable alert as done", () => {
    const invalid = {
      key: alertKeyOf(b),
      error: Object.assign(new Error("x"), { name: "MappingError" }),
      retryable: false,
    };
    const mark = advanceAlertMark(undefined, { uploaded: [alertKeyOf(a)], failed: [invalid] });
    expect(mark).toEqual({ through: alertKeyOf(b).lastUpdateDateTime });
  });

  it("works end to end with a sink whose first batch fails", async () => {
    const setup: SinkSetup = await setupSink();
    try {
      const alerts: DefenderAlert[] = Array.from({ length: 30 }, (_, i) =>
        alert(`x${i}`, new Date(Date.parse("2024-05-01T00:00:00Z") + i * 60_000).toISOString()),
      );
      setup.emu.faults.script({ service: "logsIngestion", times: 4, fault: 500 });
      let mark: AlertUploadMark | undefined;
      for (let cycle = 0; cycle < 3; cycle++) {
        const result = await setup.sink.uploadAlerts(alertsToUpload(alerts, mark));
        mark = advanceAlertMark(mark, result);
      }
      expect(setup.emu.logs.count(STREAM)).toBe(30);
      expect(alertsToUpload(alerts, mark)).toEqual([]);
    } finally {
      await setup.close();
    }
  });
});
