import { describe, expect, it } from "vitest";
import * as main from "../../src/index";

type ErrorClass = new (...args: never[]) => Error;

/** Every class the main entry exports that is an Error subclass. */
const errorClasses: [string, ErrorClass][] = [];
for (const [name, value] of Object.entries(main as Record<string, unknown>)) {
  if (typeof value === "function" && value.prototype instanceof Error)
    errorClasses.push([name, value as ErrorClass]);
}

/**
 * An instance built without knowing each constructor's signature: every constructor accepts these loose
 * arguments (they only end up in messages and fields), and the guard looks at nothing but the instance.
 */
function instanceOf(errorClass: ErrorClass): Error {
  return Reflect.construct(errorClass, ["lane", "renewFailed", []]) as Error;
}

describe("isSyncSdkError", () => {
  it("finds the error classes of the main entry", () => {
    expect(errorClasses.length).toBeGreaterThanOrEqual(20);
  });

  it.each(errorClasses)("is true for %s", (_name, errorClass) => {
    const error = instanceOf(errorClass);
    expect(error).toBeInstanceOf(main.SyncSdkError);
    expect(main.isSyncSdkError(error)).toBe(true);
  });

  it("is false for other errors and non-errors", () => {
    expect(main.isSyncSdkError(new Error("x"))).toBe(false);
    expect(main.isSyncSdkError(new TypeError("x"))).toBe(false);
    expect(main.isSyncSdkError({ message: "x" })).toBe(false);
    expect(main.isSyncSdkError(undefined)).toBe(false);
  });
});
