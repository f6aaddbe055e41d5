import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstInOrder } from "../../src/testing/firstInOrder";

describe("firstInOrder", () => {
  it("equals a stable sort followed by slice, for any input and count", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 20 }), id: fc.nat() }), { maxLength: 400 }),
        fc.integer({ min: 0, max: 120 }),
        (items, count) => {
          const compare = (a: { key: number }, b: { key: number }) => a.key - b.key;
          expect(firstInOrder(items, count, compare)).toEqual([...items].sort(compare).slice(0, count));
        },
      ),
      { numRuns: 300 },
    );
  });
});
