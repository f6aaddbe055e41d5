import { describe, expect, it } from "vitest";
import { andFilters, odataString } from "../../src/core/odata";

/**
 * Reads one OData string literal from the start of `text` ('' is an escaped quote) and returns what follows it;
 * a value that broke out of its literal leaves a non-empty rest.
 */
function restAfterLiteral(text: string): { value: string; rest: string } {
  expect(text.startsWith("'")).toBe(true);
  let value = "";
  let i = 1;
  while (i < text.length) {
    if (text[i] === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return { value, rest: text.slice(i + 1) };
    }
    value += text[i];
    i++;
  }
  throw new Error("unterminated literal");
}

describe("odataString", () => {
  it("doubles single quotes", () => {
    expect(odataString("O'Brien")).toBe("'O''Brien'");
    expect(odataString("")).toBe("''");
    expect(odataString("''")).toBe("''''''");
  });

  it("keeps an injection attempt inside the literal", () => {
    const attack = "x' or status eq 'Active') or (1 eq 1 or 'a";
    const literal = odataString(attack);
    const { value, rest } = restAfterLiteral(literal);
    expect(rest).toBe("");
    expect(value).toBe(attack);
    const filter = `properties/title eq ${literal}`;
    expect(restAfterLiteral(filter.slice("properties/title eq ".length)).rest).toBe("");
  });
});

describe("andFilters", () => {
  it("drops empty clauses and returns a single clause unchanged", () => {
    expect(andFilters()).toBeUndefined();
    expect(andFilters(undefined, "", "   ")).toBeUndefined();
    expect(andFilters(undefined, "status eq 'active'")).toBe("status eq 'active'");
  });

  it("parenthesizes each clause so a caller's `or` keeps its meaning", () => {
    expect(
      andFilters(
        "lastUpdateDateTime ge 2024-01-01T00:00:00.0000000Z",
        "severity eq 'high' or severity eq 'medium'",
      ),
    ).toBe(
      "(lastUpdateDateTime ge 2024-01-01T00:00:00.0000000Z) and (severity eq 'high' or severity eq 'medium')",
    );
  });
});
