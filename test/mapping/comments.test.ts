import { describe, expect, it } from "vitest";
import {
  createMappingProfile,
  DEFAULT_MAPPING_PROFILE as profile,
  TRUNCATION_MARKER,
} from "../../src/mapping";
import { err, kinds, ok, okWithWarnings } from "./helpers";

describe("comments", () => {
  it("Defender → Sentinel comment with provenance header", () => {
    expect(
      ok(
        profile.renderSentinelComment("Demo incident", {
          author: "DavidS@contoso.com",
          createdDateTime: "2021-09-30T12:07:37Z",
        }),
      ),
    ).toBe("[Defender XDR comment by DavidS@contoso.com at 2021-09-30T12:07:37Z]\nDemo incident");
    expect(ok(profile.renderSentinelComment("x", {}))).toBe("[Defender XDR comment]\nx");
  });

  it("Sentinel → Defender comment, author on one line", () => {
    expect(
      ok(
        profile.renderDefenderComment("hello", {
          author: "Kai\nCarter",
          createdTimeUtc: "2024-01-01T00:00:00Z",
        }),
      ),
    ).toBe("[Sentinel comment by Kai Carter at 2024-01-01T00:00:00Z]\nhello");
  });

  it("cuts at 30,000 characters with the marker and a truncated warning", () => {
    const { value, warnings } = okWithWarnings(profile.renderSentinelComment("y".repeat(40_000), {}));
    expect(value.length).toBe(30_000);
    expect(value.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(kinds(warnings, "comment")).toEqual(["truncated"]);
    expect(ok(profile.renderSentinelComment("y".repeat(29_000), {})).length).toBeLessThan(30_000);
  });

  it("strips control characters and refuses empty comments", () => {
    const { value, warnings } = okWithWarnings(profile.renderSentinelComment("a\u0000b\u0007", {}));
    expect(value.endsWith("\nab")).toBe(true);
    expect(kinds(warnings, "comment")).toEqual(["dropped"]);
    expect(err(profile.renderSentinelComment("  \u0000 ", {})).message).toContain("empty");
    expect(err(profile.renderDefenderComment("", {})).field).toBe("comment");
  });

  it("can be overridden, and a throwing override is a MappingError", () => {
    const p = createMappingProfile({ comments: { toSentinel: (text) => `>> ${text}` } });
    expect(ok(p.renderSentinelComment("x", { author: "a" }))).toBe(">> x");
    const bad = createMappingProfile({
      comments: {
        toDefender: () => {
          throw new Error("nope");
        },
      },
    });
    expect(err(bad.renderDefenderComment("x", {})).mapper).toBe("comments.toDefender (override)");
  });
});
