/**
 * The zod reading of each modelled type, straight from its plain shape (`z.looseObject`): what nested object
 * fields validate against, and the reference the fast reader (`reader.ts`) is tested to agree with.
 */
import { z } from "zod";
import { evidenceEntryFor, type Shape, type TypeEntry, typeEntry } from "./registry";

const cache = new Map<string, z.ZodType>();

function cached(key: string, build: () => z.ZodType): z.ZodType {
  let schema = cache.get(key);
  if (schema === undefined) {
    schema = build();
    cache.set(key, schema);
  }
  return schema;
}

function objectSchema(entry: TypeEntry, shape: Shape): z.ZodType {
  const object = z.looseObject(shape as Record<string, z.ZodType>);
  const post = entry.post;
  return post === undefined ? object : object.transform((v) => post(v as Record<string, unknown>));
}

/** An evidence object as a top-level item of `alert.evidence`: its `@odata.type` must name its type. */
export function topEvidenceReference(typeName: string): z.ZodType {
  return cached(`top:${typeName}`, () => {
    const entry = typeEntry(typeName);
    return objectSchema(entry, entry.shape);
  });
}

/**
 * An evidence object nested in another (e.g. `podIp` of a pod): it may omit `@odata.type`, since the property
 * declares its type.
 */
function nestedEvidenceReference(typeName: string): z.ZodType {
  return cached(`nested:${typeName}`, () => {
    const entry = typeEntry(typeName);
    const odataType = entry.shape["@odata.type"];
    const shape =
      odataType === undefined ? entry.shape : { ...entry.shape, "@odata.type": odataType.nullish() };
    return objectSchema(entry, shape);
  });
}

/** `alertEvidence` nested: dispatched on `@odata.type`; an unknown or missing type reads as the base type. */
const anyNestedEvidence = z.unknown().transform((value, ctx) => {
  const odataType = (value as { "@odata.type"?: unknown } | null)?.["@odata.type"];
  const entry = typeof odataType === "string" ? evidenceEntryFor(odataType) : undefined;
  const parsed = nestedEvidenceReference(entry?.name ?? "alertEvidence").safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: "custom", message: issue.message, path: issue.path } as never);
  return z.NEVER;
});

/** The zod schema a field referring to `typeName` validates against. */
export function referenceSchemaFor(typeName: string): z.ZodType {
  if (typeName === "alertEvidence") return anyNestedEvidence;
  const entry = typeEntry(typeName);
  if (entry.kind === "evidence") return nestedEvidenceReference(typeName);
  return cached(typeName, () => objectSchema(entry, entry.shape));
}
