/** Which pair failures are retried next cycle and which quarantine the pair; reasons stay bounded. */
import { describe, expect, it } from "vitest";
import { failureReason, invalidItemReason, isTransientPairFailure } from "../../src/sync/pairFailure";

const named = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, ...extra });

describe("isTransientPairFailure", () => {
  it.each([
    ["a 429", named("ThrottledError")],
    ["a 503", named("ServiceUnavailableError")],
    ["a dropped connection", named("ConnectionError")],
    ["a ledger write that lost a race", named("StateConflictError")],
    ["a Sentinel 409 after the re-merge retries", named("ConflictError", { service: "sentinel" })],
    [
      "a 2xx body cut off mid-way",
      named("ResponseValidationError", { statusCode: 200, cause: new SyntaxError("Unexpected end") }),
    ],
  ])("retries %s next cycle", (_what, error) => {
    expect(isTransientPairFailure(error)).toBe(true);
  });

  it.each([
    ["a 400", named("BadRequestError")],
    ["a Defender 409", named("ConflictError", { service: "defender" })],
    ["a 2xx body that parses but fails its schema", named("ResponseValidationError", { statusCode: 200 })],
    ["a mapping failure", named("MappingError")],
    ["a plain error", new Error("bug")],
    ["a thrown string", "boom"],
  ])("quarantines on %s", (_what, error) => {
    expect(isTransientPairFailure(error)).toBe(false);
  });
});

describe("failure reasons", () => {
  it("keeps a short message as it is and cuts a huge one to 2,000 characters and a count", () => {
    expect(failureReason(new Error("short"))).toBe("short");
    expect(failureReason("not an error")).toBe("not an error");
    const cut = failureReason(new Error("x".repeat(10_000)));
    expect(cut).toBe(`${"x".repeat(2_000)}… (8000 more characters)`);
  });

  it("names the side and the first schema issues of a refused list item", () => {
    const error = Object.assign(named("ResponseValidationError"), {
      issues: Array.from({ length: 12 }, (_, i) => ({ path: `value.0.customTags.${i}`, message: "bad" })),
    });
    const reason = invalidItemReason("sentinel", error as never);
    expect(
      reason.startsWith("sentinel returned an incident that fails its schema: value.0.customTags.0: bad"),
    ).toBe(true);
    expect(reason.endsWith("and 2 more issues")).toBe(true);
  });
});
