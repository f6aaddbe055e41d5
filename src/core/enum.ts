import { z } from "zod";

/**
 * The value type of an evolvable enum: the documented members (for autocompletion and exhaustive `switch`es)
 * plus any other string, because both services add members without a version bump (Graph `unknownFutureValue`
 * and later members, ARM `modelAsString: true`).
 */
export type EvolvableEnumValue<T extends readonly string[]> = T[number] | (string & {});

export interface EvolvableEnumOptions<T extends readonly string[]> {
  /**
   * Legacy or misspelled wire values to normalize, keyed by their lower-cased spelling
   * (e.g. `{ compromiseduser: "compromisedAccount" }`).
   */
  aliases?: Readonly<Record<string, T[number]>>;
}

/**
 * A string schema that never rejects a string: documented values are matched case-insensitively and returned
 * in their documented spelling (Graph doc samples send `"TruePositive"` where the enum says `truePositive`),
 * aliases are mapped to their documented value, and anything else is kept verbatim.
 */
export function evolvableEnum<const T extends readonly string[]>(
  values: T,
  options: EvolvableEnumOptions<T> = {},
) {
  const lookup = new Map<string, T[number]>();
  for (const value of values) lookup.set(value.toLowerCase(), value);
  for (const [alias, value] of Object.entries(options.aliases ?? {})) {
    lookup.set(alias.toLowerCase(), value);
  }
  return z.string().transform((raw): EvolvableEnumValue<T> => lookup.get(raw.toLowerCase()) ?? raw);
}
