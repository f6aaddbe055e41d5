/**
 * The side tables behind the Graph security models: what each field schema accepts (so a fast reader can be
 * compiled from the plain zod shapes) and every named type and enum, keyed by its name in Microsoft Graph's
 * `microsoft.graph.security` data model.
 */
import type { z } from "zod";
import { odataTypeKey } from "./odataType";

/** What a value of a field is, in terms of the Graph data model (Edm types, enums, named types). */
export type ValueKind =
  | { readonly kind: "string" }
  | { readonly kind: "dateTime" }
  | { readonly kind: "int" }
  | { readonly kind: "double" }
  | { readonly kind: "boolean" }
  | { readonly kind: "dictionary" }
  /** `@odata.type`; `typeName` set on evidence types, whose discriminator must name them. */
  | { readonly kind: "odataType"; readonly typeName?: string }
  | { readonly kind: "enum"; readonly enumName: string }
  /** A named complex/entity type, or an evidence type (`alertEvidence`: any evidence, dispatched). */
  | { readonly kind: "object"; readonly typeName: string }
  /** `tolerant`: an item that fails is kept (raw or generic) with a warning instead of failing the list. */
  | { readonly kind: "list"; readonly item: ValueKind; readonly tolerant: boolean };

/**
 * `required`: must be present and valid; `nullish`: `null` and absence are kept as they are; `emptyList`: a
 * list where `null` and absence read as `[]`.
 */
export type Presence = "required" | "nullish" | "emptyList";

export interface FieldSpec {
  readonly value: ValueKind;
  readonly presence: Presence;
}

/** A plain zod shape: property name → zod schema. */
export type Shape = Readonly<Record<string, z.ZodType>>;

export interface TypeEntry {
  /** The type's name in `microsoft.graph.security`, e.g. `userAccount`, `deviceEvidence`. */
  readonly name: string;
  readonly kind: "entity" | "complex" | "evidence";
  readonly shape: Shape;
  /**
   * Renames legacy properties after the fields are read. Receives the object the fields produced (which may be
   * the caller's own object when nothing changed) and must return a new object rather than mutate it.
   */
  readonly post?: (value: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Fields whose bad value is kept as sent with a warning instead of failing the object, when the type is read
   * on its own (an incident; an alert from alerts_v2), not inside another.
   */
  readonly tolerantFields?: ReadonlySet<string>;
}

const fieldSpecs = new WeakMap<z.ZodType, FieldSpec>();
const types = new Map<string, TypeEntry>();
const enums = new Map<string, EnumEntry>();

export interface EnumEntry {
  readonly name: string;
  readonly values: readonly string[];
  /** Legacy spellings, keyed lower-case. */
  readonly aliases: Readonly<Record<string, string>>;
}

/** Records what `schema` accepts; returns it unchanged. */
export function withSpec<T extends z.ZodType>(schema: T, spec: FieldSpec): T {
  fieldSpecs.set(schema, spec);
  return schema;
}

/** What a field schema built by `fields.ts` accepts; `undefined` for any other schema. */
export function fieldSpecOf(schema: z.ZodType): FieldSpec | undefined {
  return fieldSpecs.get(schema);
}

export function registerType(entry: TypeEntry): void {
  if (types.has(entry.name)) throw new Error(`Graph type ${entry.name} is defined twice`);
  types.set(entry.name, entry);
}

export function registerEnum(entry: EnumEntry): void {
  if (enums.has(entry.name)) throw new Error(`Graph enum ${entry.name} is defined twice`);
  enums.set(entry.name, entry);
}

export function typeEntry(name: string): TypeEntry {
  const entry = types.get(name);
  if (entry === undefined) throw new Error(`Graph type ${name} is not modelled`);
  return entry;
}

export function enumEntry(name: string): EnumEntry {
  const entry = enums.get(name);
  if (entry === undefined) throw new Error(`Graph enum ${name} is not modelled`);
  return entry;
}

/** Every modelled type, in definition order. */
export function typeEntries(): readonly TypeEntry[] {
  return [...types.values()];
}

/** Every modelled enum, in definition order. */
export function enumEntries(): readonly EnumEntry[] {
  return [...enums.values()];
}

let evidenceByKey: Map<string, TypeEntry> | undefined;
const spellings = new Map<string, TypeEntry | null>();
const MAX_SPELLINGS = 512;

/**
 * The evidence type an `@odata.type` names (any spelling), or `undefined` for a type this package does not know.
 * Spellings seen are remembered (bounded), since a page repeats the same few many times.
 */
export function evidenceEntryFor(odataType: string): TypeEntry | undefined {
  const seen = spellings.get(odataType);
  if (seen !== undefined) return seen ?? undefined;
  evidenceByKey ??= new Map(
    typeEntries()
      .filter((t) => t.kind === "evidence")
      .map((t) => [t.name.toLowerCase(), t]),
  );
  const entry = evidenceByKey.get(odataTypeKey(odataType));
  if (spellings.size < MAX_SPELLINGS) spellings.set(odataType, entry ?? null);
  return entry;
}
