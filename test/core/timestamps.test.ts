import { describe, expect, it } from "vitest";
import { compareTimestamps, odataDateTime, timestampKey } from "../../src/core/timestamps";

describe("timestampKey", () => {
  it("pads or cuts fractions to 7 digits and normalizes the zone to Z", () => {
    expect(timestampKey("2021-09-30T09:35:45.1133333Z")).toBe("2021-09-30T09:35:45.1133333Z");
    expect(timestampKey("2021-09-30T09:35:45.1Z")).toBe("2021-09-30T09:35:45.1000000Z");
    expect(timestampKey("2021-09-30T09:35:45Z")).toBe("2021-09-30T09:35:45.0000000Z");
    expect(timestampKey("2021-09-30T09:35:45.123456789Z")).toBe("2021-09-30T09:35:45.1234567Z");
    expect(timestampKey("2021-09-30T09:35:45.5+00:00")).toBe("2021-09-30T09:35:45.5000000Z");
    expect(timestampKey("2021-09-30t09:35:45.5z")).toBe("2021-09-30T09:35:45.5000000Z");
  });

  it("converts Dates and non-UTC offsets to UTC", () => {
    expect(timestampKey(new Date("2024-01-02T03:04:05.678Z"))).toBe("2024-01-02T03:04:05.6780000Z");
    expect(timestampKey("2024-01-02T05:04:05.250+02:00")).toBe("2024-01-02T03:04:05.2500000Z");
  });
});

describe("compareTimestamps", () => {
  it("orders 7-digit and 1-digit fractions by time, where plain string comparison gets it wrong", () => {
    const a = "2021-09-30T09:35:45.12Z";
    const b = "2021-09-30T09:35:45.1Z";
    expect(a < b).toBe(true); // naive: '2' < 'Z'
    expect(compareTimestamps(a, b)).toBe(1);

    const whole = "2021-09-30T09:35:45Z";
    const frac = "2021-09-30T09:35:45.0000001Z";
    expect(whole > frac).toBe(true); // naive: 'Z' > '.'
    expect(compareTimestamps(whole, frac)).toBe(-1);

    expect(compareTimestamps("2021-09-30T09:35:45.1133333Z", "2021-09-30T09:35:45.2Z")).toBe(-1);
  });

  it("treats equal instants with different precision as equal", () => {
    expect(compareTimestamps("2021-09-30T09:35:45.1Z", "2021-09-30T09:35:45.1000000Z")).toBe(0);
    expect(compareTimestamps(new Date("2021-09-30T09:35:45.100Z"), "2021-09-30T09:35:45.1Z")).toBe(0);
  });

  it("sorts a mixed-precision list chronologically", () => {
    const values = [
      "2024-05-01T00:00:01Z",
      "2024-05-01T00:00:00.9999999Z",
      "2024-05-01T00:00:00.5Z",
      "2024-05-01T00:00:00.05Z",
      "2024-05-01T00:00:00.4999999Z",
    ];
    expect([...values].sort(compareTimestamps)).toEqual([
      "2024-05-01T00:00:00.05Z",
      "2024-05-01T00:00:00.4999999Z",
      "2024-05-01T00:00:00.5Z",
      "2024-05-01T00:00:00.9999999Z",
      "2024-05-01T00:00:01Z",
    ]);
  });
});

describe("odataDateTime", () => {
  it("renders an unquoted 7-digit UTC literal", () => {
    expect(odataDateTime("2024-01-01T00:00:00Z")).toBe("2024-01-01T00:00:00.0000000Z");
    expect(odataDateTime(new Date(Date.UTC(2024, 0, 1, 0, 0, 0, 5)))).toBe("2024-01-01T00:00:00.0050000Z");
  });
});
