import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { isResponseValidationError, type ResponseValidationError } from "../../src/core/errors";
import { parseItems } from "../../src/core/parseItems";

const schema = z.object({ id: z.string(), n: z.number().optional() });
const url = "https://graph.microsoft.com/v1.0/security/incidents";

describe("parseItems", () => {
  it("returns parsed items when all are valid", () => {
    expect(parseItems("defender", [{ id: "a" }, { id: "b", n: 1 }], schema, undefined, url)).toEqual([
      { id: "a" },
      { id: "b", n: 1 },
    ]);
  });

  it("without a handler throws a ResponseValidationError naming the item's path", () => {
    let error: unknown;
    try {
      parseItems("defender", [{ id: "a" }, { id: 7 }], schema, undefined, url);
    } catch (e) {
      error = e;
    }
    expect(isResponseValidationError(error)).toBe(true);
    const e = error as ResponseValidationError;
    expect(e.issues[0]?.path).toBe("value.1.id");
    expect(e.message).toContain("value.1.id");
    expect(e.service).toBe("defender");
    expect(e.request.url).toBe(url);
  });

  it("with a handler skips invalid items, reports each, and keeps the valid ones in order", () => {
    const onInvalid = vi.fn();
    const raw = [{ id: "a" }, "not an object", { id: "c", n: "x" }, { id: "d" }];
    expect(parseItems("sentinel", raw, schema, onInvalid, url)).toEqual([{ id: "a" }, { id: "d" }]);
    expect(onInvalid).toHaveBeenCalledTimes(2);
    const [firstError, firstRaw] = onInvalid.mock.calls[0]!;
    expect(firstRaw).toBe("not an object");
    expect((firstError as ResponseValidationError).issues[0]?.path).toBe("value.1");
    const [secondError, secondRaw] = onInvalid.mock.calls[1]!;
    expect(secondRaw).toEqual({ id: "c", n: "x" });
    expect((secondError as ResponseValidationError).issues.map((i) => i.path)).toEqual(["value.2.n"]);
  });
});
