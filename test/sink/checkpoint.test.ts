import { describe, expect, it } from "vitest";
import { alertRowId } from "../../src/mapping/alertRow";
import {
  decodeCheckpoint,
  encodeCheckpoint,
  isDone,
  markDone,
  pruneBoundary,
  shiftTimestamp,
} from "../../src/sink/checkpoint";

describe("sink checkpoint", () => {
  it("round-trips through the Watermarks.alertSink strings", () => {
    const c = decodeCheckpoint(undefined);
    c.watermark = "2024-05-02T14:19:01.3266667Z";
    markDone(c, { alertId: "a|b", lastUpdateDateTime: "2024-05-02T14:19:01.3266667Z" });
    c.retry.set("x", { alertId: "x", lastUpdateDateTime: "2024-05-01T00:00:00.0000000Z" });
    const encoded = encodeCheckpoint(c);
    expect(encoded.boundary).toEqual([
      `2024-05-02T14:19:01.3266667Z|${alertRowId({ alertId: "a|b", lastUpdateDateTime: "2024-05-02T14:19:01.3266667Z" })}`,
    ]);
    const back = decodeCheckpoint(JSON.parse(JSON.stringify(encoded)));
    expect(back.watermark).toBe(c.watermark);
    expect(isDone(back, { alertId: "a|b", lastUpdateDateTime: "2024-05-02T14:19:01.3266667Z" })).toBe(true);
    expect([...back.retry.values()]).toEqual([
      { alertId: "x", lastUpdateDateTime: "2024-05-01T00:00:00.0000000Z" },
    ]);
  });

  it("ignores malformed entries instead of failing", () => {
    const c = decodeCheckpoint({
      watermark: "not a time",
      boundary: ["no-separator", 42 as unknown as string, "2024|id"],
      retry: ["{", "[1,2]", '["ok","2024-01-01T00:00:00.0000000Z"]'],
    });
    expect(c.watermark).toBeUndefined();
    expect([...c.boundary.keys()]).toEqual(["id"]);
    expect([...c.retry.keys()]).toEqual(["ok"]);
  });

  it("prunes what the next overlapping listing cannot return", () => {
    const c = decodeCheckpoint(undefined);
    c.watermark = "2024-05-02T12:00:00.0000000Z";
    markDone(c, { alertId: "old", lastUpdateDateTime: "2024-05-02T11:57:59.9999999Z" });
    markDone(c, { alertId: "edge", lastUpdateDateTime: "2024-05-02T11:58:00.0000000Z" });
    markDone(c, { alertId: "new", lastUpdateDateTime: "2024-05-02T12:00:00.0000000Z" });
    markDone(c, { alertId: "none", lastUpdateDateTime: "" });
    pruneBoundary(c, 120_000);
    expect([...c.boundary.values()].sort()).toEqual([
      "2024-05-02T11:58:00.0000000Z",
      "2024-05-02T12:00:00.0000000Z",
    ]);
    expect(shiftTimestamp("2024-05-02T12:00:00.1234567Z", -1)).toBe("2024-05-02T12:00:00.1220000Z");
  });
});
