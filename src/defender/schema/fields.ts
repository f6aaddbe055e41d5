/**
 * Field builders of the Graph security models. Each returns an ordinary zod schema, so every type's shape stays a
 * plain, walkable zod shape, and records what it accepts (`registry.ts`), from which `reader.ts` compiles the
 * fast reader the exported schemas run. Both follow the same rules:
 * - read schemas are tolerant: unknown properties are kept, optional fields accept `null` and absence, enums
 *   accept any string (see `evolvableEnum`);
 * - Edm.Int32/Int64 accept numeric strings (OData IEEE754Compatible) and keep unsafe ones as strings;
 * - Edm.DateTimeOffset is a string that starts like an ISO 8601 date-time; its text is kept as sent (up to
 *   7 fractional digits, which `Date` would cut).
 */
import { z } from "zod";
import { evolvableEnum } from "../../core/enum";
import { canonicalOdataType, odataTypeKey } from "./odataType";
import { referenceSchemaFor } from "./reference";
import {
  type FieldSpec,
  fieldSpecOf,
  registerEnum,
  registerType,
  type Shape,
  type TypeEntry,
  type ValueKind,
  withSpec,
} from "./registry";

/** The value kind of a schema built here (a required value, or a list item). */
export function valueKindOf(schema: z.ZodType): ValueKind {
  const spec = fieldSpecOf(schema);
  if (spec === undefined) throw new Error("not a Graph model field schema");
  return spec.value;
}

function value<T extends z.ZodType>(schema: T, kind: ValueKind): T {
  return withSpec(schema, { value: kind, presence: "required" });
}

// ---------------------------------------------------------------------------------------------------------------
// Values

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Starts like `yyyy-mm-ddThh:mm` (the text itself is kept as sent). Character tests rather than a regular
 * expression: this runs on every date field of every alert and evidence item.
 */
export function isGraphDateTime(value: string): boolean {
  if (value.length < 16) return false;
  for (const i of DATE_DIGITS) if (!isDigit(value.charCodeAt(i))) return false;
  const t = value.charCodeAt(10);
  return (
    value.charCodeAt(4) === 45 &&
    value.charCodeAt(7) === 45 &&
    (t === 84 || t === 116) &&
    value.charCodeAt(13) === 58
  );
}
const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15] as const;

/** Numeric strings become numbers when that is lossless; other strings are kept rather than failing. */
export function intFromWire(v: number | string): number | string {
  if (typeof v === "number") return v;
  const n = Number(v);
  return v.trim() !== "" && Number.isSafeInteger(n) ? n : v;
}

export const stringValue = value(z.string(), { kind: "string" });
export const dateTimeValue = value(z.string().refine(isGraphDateTime, { message: "Invalid date-time" }), {
  kind: "dateTime",
});
export const intValue = value(z.union([z.number(), z.string()]).transform(intFromWire), { kind: "int" });
export const doubleValue = value(z.number(), { kind: "double" });
export const booleanValue = value(z.boolean(), { kind: "boolean" });
/** An open type (`dictionary`): any JSON object. */
export const dictionaryValue = value(z.record(z.string(), z.unknown()), { kind: "dictionary" });
/** `@odata.type` of an incident or alert: any value is kept (doc samples disagree on namespaces). */
export const anyOdataTypeValue = value(z.string(), { kind: "odataType" });

/**
 * The discriminator of one evidence type: matches it however `@odata.type` is spelled and outputs the canonical
 * spelling.
 */
export function evidenceOdataType<const N extends string>(name: N) {
  const canonical = canonicalOdataType(name);
  const key = name.toLowerCase();
  return value(
    z
      .string()
      .refine((v) => odataTypeKey(v) === key, { message: `Expected @odata.type ${canonical}` })
      .transform((): typeof canonical => canonical),
    { kind: "odataType", typeName: name },
  );
}

/** A Graph enum: the member list (in the data model's order) and its evolvable schema. */
export function defineEnum<const T extends readonly string[]>(
  name: string,
  values: T,
  aliases: Readonly<Record<string, T[number]>> = {},
) {
  registerEnum({ name, values, aliases });
  return value(evolvableEnum(values, { aliases }), { kind: "enum", enumName: name });
}

/** A named complex type (or a nested evidence object) by its Graph name; `T` is its parsed type. */
export function objectOf<T>(typeName: string): z.ZodType<T> {
  return value(z.lazy(() => referenceSchemaFor(typeName)) as unknown as z.ZodType<T>, {
    kind: "object",
    typeName,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Presence

/** `null` and absence are kept as they are. */
export function opt<T extends z.ZodType>(schema: T) {
  return withSpec(schema.nullish(), { value: valueKindOf(schema), presence: "nullish" });
}

/** A list kept as sent (`null` and absence too). */
export function optList<T extends z.ZodType>(item: T, options: { tolerant?: boolean } = {}) {
  const spec: FieldSpec = {
    value: { kind: "list", item: valueKindOf(item), tolerant: options.tolerant ?? false },
    presence: "nullish",
  };
  return withSpec(z.array(item).nullish(), spec);
}

/** A list that reads `null` and absence as empty, so callers never branch on "no list". */
export function list<T extends z.ZodType>(item: T, options: { tolerant?: boolean } = {}) {
  const spec: FieldSpec = {
    value: { kind: "list", item: valueKindOf(item), tolerant: options.tolerant ?? false },
    presence: "emptyList",
  };
  return withSpec(
    z
      .array(item)
      .nullish()
      .transform((v) => v ?? []),
    spec,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Common fields

export const str = opt(stringValue);
export const requiredStr = stringValue;
export const dateTime = opt(dateTimeValue);
export const int = opt(intValue);
export const double = opt(doubleValue);
export const bool = opt(booleanValue);
export const dictionary = opt(dictionaryValue);
export const strList = optList(stringValue);
export const anyOdataType = opt(anyOdataTypeValue);

// ---------------------------------------------------------------------------------------------------------------
// Types

/** The parsed type of a plain shape: its fields, plus any other property (kept as sent). */
export type Loose<S extends z.core.$ZodLooseShape> = z.output<z.ZodObject<S, z.core.$loose>>;

/** `T` with its intersections flattened into one object type, so editor hovers show plain properties. */
export type Simplify<T> = { [P in keyof T]: T[P] } & {};
/** `T` without `K`, plus `U`. Spread and rest would drop the `[k: string]: unknown` of loose objects; this keeps it. */
export type ReplaceKeys<T, K extends PropertyKey, U> = Simplify<
  { [P in keyof T as P extends K | keyof U ? never : P]: T[P] } & U
>;

export interface TypeOptions {
  post?: TypeEntry["post"];
  tolerantFields?: readonly string[];
}

/** Registers a named Graph type and returns its plain shape. */
export function defineType<const S extends z.core.$ZodLooseShape>(
  name: string,
  kind: TypeEntry["kind"],
  shape: S,
  options: TypeOptions = {},
): S {
  registerType({
    name,
    kind,
    shape: shape as unknown as Shape,
    post: options.post,
    tolerantFields: options.tolerantFields && new Set(options.tolerantFields),
  });
  return shape;
}
