/**
 * Microsoft Graph's own data model (CSDL, test/fixtures/official/graph/metadata) is the oracle for the Defender
 * models: every property of every type reachable from incident, alert, alertComment and alertEvidence is known
 * to the plain zod shapes with a compatible type, every enum lists the same members in the same order, and each
 * of the 48 evidence types is parsed as its own typed member. Type compatibility is checked twice: on what the
 * field schema declares, and on behaviour (a valid value for the Edm type is read back unchanged, a value of the
 * wrong JSON type is refused), through the fast reader, its interpreted fallback and the zod reference.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import {
  alertEvidenceSchema,
  defenderAlertSchema,
  defenderEnumValues,
  defenderTypeShapes,
  evidenceSchemas,
  isEvidenceType,
  isGenericEvidence,
  type KnownEvidenceMap,
  type KnownEvidenceType,
  knownEvidenceTypes,
  parseWarningsOf,
} from "../../src/defender/models";
import { fastSchema } from "../../src/defender/schema/fastSchema";
import { compileTypeReader, objectReader } from "../../src/defender/schema/reader";
import { referenceSchemaFor, topEvidenceReference } from "../../src/defender/schema/reference";
import { fieldSpecOf, type ValueKind } from "../../src/defender/schema/registry";
import { evolvedMembers } from "../../src/testing/enums";
import { FIXTURES_ROOT } from "../helpers/fixtures";

// ---------------------------------------------------------------------------------------------------------------
// The CSDL

interface CsdlProperty {
  name: string;
  type: string;
}
interface CsdlType {
  name: string;
  kind: "complex" | "entity";
  base: string | undefined;
  open: boolean;
  properties: CsdlProperty[];
}

const xml = readFileSync(join(FIXTURES_ROOT, "graph/metadata/security-incidents.v1.0.csdl.xml"), "utf8");
const schema = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  isArray: (name) =>
    ["EnumType", "Member", "ComplexType", "EntityType", "Property", "NavigationProperty"].includes(name),
}).parse(xml).Schema;

type XmlNode = Record<string, unknown> & { Name: string };
const nodes = (value: unknown) => (value ?? []) as XmlNode[];
const self = (type: string) => type.replace(/^self\./, "");

const csdlEnums = new Map<string, string[]>(
  nodes(schema.EnumType).map((e) => [e.Name, nodes(e.Member).map((m) => m.Name)]),
);
const csdlTypes = new Map<string, CsdlType>(
  [
    ...nodes(schema.ComplexType).map((t) => ({ t, kind: "complex" as const })),
    ...nodes(schema.EntityType).map((t) => ({ t, kind: "entity" as const })),
  ].map(({ t, kind }) => [
    t.Name,
    {
      name: t.Name,
      kind,
      base: typeof t.BaseType === "string" ? self(t.BaseType) : undefined,
      open: t.OpenType === "true",
      properties: [...nodes(t.Property), ...nodes(t.NavigationProperty)].map((p) => ({
        name: p.Name,
        type: String(p.Type),
      })),
    },
  ]),
);

/** Own and inherited properties; `graph.entity` (outside the cut) contributes `id`. */
function allProperties(type: CsdlType): CsdlProperty[] {
  if (type.base === "graph.entity") return [{ name: "id", type: "Edm.String" }, ...type.properties];
  const base = type.base === undefined ? undefined : csdlTypes.get(type.base);
  return [...(base ? allProperties(base) : []), ...type.properties];
}

const derivedEvidence = [...csdlTypes.values()].filter((t) => t.base === "alertEvidence").map((t) => t.name);
const isEvidence = (name: string) => name === "alertEvidence" || derivedEvidence.includes(name);
/** Every modelled type: all but the open `dictionary`, which the model reads as a JSON object. */
const modelledTypes = [...csdlTypes.values()].filter((t) => !t.open);

// ---------------------------------------------------------------------------------------------------------------
// What the model says

/** The model kind a CSDL type should have. */
function expectedKind(type: string): ValueKind {
  const collection = /^Collection\((.+)\)$/.exec(type);
  if (collection) return { kind: "list", item: expectedKind(collection[1]!), tolerant: false };
  switch (type) {
    case "Edm.String":
    case "Edm.Guid":
      return { kind: "string" };
    case "Edm.DateTimeOffset":
      return { kind: "dateTime" };
    case "Edm.Int32":
    case "Edm.Int64":
      return { kind: "int" };
    case "Edm.Double":
      return { kind: "double" };
    case "Edm.Boolean":
      return { kind: "boolean" };
  }
  const name = self(type);
  if (csdlEnums.has(name)) return { kind: "enum", enumName: name };
  if (csdlTypes.get(name)?.open) return { kind: "dictionary" };
  if (csdlTypes.has(name)) return { kind: "object", typeName: name };
  throw new Error(`type ${type} is outside the cut`);
}

/** Tolerance is a reading policy, not a type: compared without it. */
function withoutTolerance(kind: ValueKind): ValueKind {
  return kind.kind === "list" ? { ...kind, item: withoutTolerance(kind.item), tolerant: false } : kind;
}

function modelKind(typeName: string, property: string): ValueKind | undefined {
  const field = defenderTypeShapes[typeName]?.[property];
  const spec = field && fieldSpecOf(field);
  return spec && withoutTolerance(spec.value);
}

/** Properties the model keeps beyond the CSDL: `@odata.type`, and legacy names some doc samples still send. */
const LEGACY_PROPERTIES: Record<string, string[]> = {
  incident: ["tags"],
  alertComment: ["createdBy", "createdTime"],
};

// ---------------------------------------------------------------------------------------------------------------
// Samples

const GUID = "0b9e2b47-3f5b-4a4e-9f07-7a5c1b2d3e4f";
const MAX_DEPTH = 2;

/** A valid value of a CSDL type, as the wire would carry it; `undefined` past the nesting limit. */
function sampleValue(type: string, depth: number, property: string): unknown {
  const collection = /^Collection\((.+)\)$/.exec(type);
  if (collection) {
    const item = sampleValue(collection[1]!, depth, property);
    return item === undefined ? [] : [item];
  }
  switch (type) {
    case "Edm.String":
      return `${property} value`;
    case "Edm.Guid":
      return GUID;
    case "Edm.DateTimeOffset":
      return "2024-05-01T10:00:00.1234567Z";
    case "Edm.Int32":
    case "Edm.Int64":
      return 42;
    case "Edm.Double":
      return 47.6;
    case "Edm.Boolean":
      return true;
  }
  const name = self(type);
  const members = csdlEnums.get(name);
  if (members) return members.at(-1) === "unknownFutureValue" ? members[1] : members.at(-1);
  const target = csdlTypes.get(name)!;
  if (target.open) return { anyKey: "any value", nested: { n: 1 } };
  if (depth >= MAX_DEPTH) return undefined;
  // A property typed `alertEvidence` holds any evidence type: it must say which.
  if (name === "alertEvidence") return sample("azureResourceEvidence", depth + 1, true);
  return sample(name, depth + 1, false);
}

/** A valid instance of a CSDL type with every property set. Evidence names its type when `typed`. */
function sample(name: string, depth = 0, typed = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typed && isEvidence(name)) out["@odata.type"] = `#microsoft.graph.security.${name}`;
  for (const p of allProperties(csdlTypes.get(name)!)) {
    const value = sampleValue(p.type, depth, p.name);
    if (value !== undefined) out[p.name] = value;
  }
  return out;
}

/** A value of the wrong JSON type for a CSDL type. */
function wrongValue(type: string): unknown {
  if (type.startsWith("Collection(")) return "not a list";
  switch (type) {
    case "Edm.Int32":
    case "Edm.Int64":
    case "Edm.Double":
      return true;
    case "Edm.Boolean":
      return "yes";
    case "Edm.DateTimeOffset":
      return "yesterday";
  }
  return csdlTypes.has(self(type)) ? "not an object" : 42;
}

/** The strict readers of a type: compiled, interpreted, and the zod reference built from its plain shape. */
function readersOf(name: string): [string, z.ZodType][] {
  // Evidence types read as items of `alert.evidence` (must name their type); the rest as nested values.
  const mode = isEvidence(name) && name !== "alertEvidence" ? "top" : "nested";
  const model = defenderTypeShapes;
  return [
    ["compiled", fastSchema(objectReader(name, mode), model)],
    ["interpreted", fastSchema(compileTypeReader(name, mode, false), model)],
    ["zod reference", mode === "top" ? topEvidenceReference(name) : referenceSchemaFor(name)],
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Tests

describe("the CSDL cut", () => {
  it("has the 93 types reachable from incident, alert, alertComment and alertEvidence", () => {
    expect(csdlEnums.size + csdlTypes.size).toBe(93);
    expect(derivedEvidence).toHaveLength(48);
    for (const root of ["incident", "alert", "alertComment", "alertEvidence"])
      expect(csdlTypes.has(root)).toBe(true);
  });
});

describe("enums", () => {
  it("the model has exactly the CSDL enums", () => {
    expect(Object.keys(defenderEnumValues).sort()).toEqual([...csdlEnums.keys()].sort());
  });

  it.each([...csdlEnums])("%s: same members, same order", (name, members) => {
    expect(defenderEnumValues[name]).toEqual(members);
    // Members after unknownFutureValue are the evolvable ones (sent only with the Prefer header).
    const after = members.includes("unknownFutureValue")
      ? members.slice(members.indexOf("unknownFutureValue") + 1)
      : [];
    expect([...evolvedMembers(defenderEnumValues[name]!)]).toEqual(after);
  });
});

describe("types", () => {
  it("the model has exactly the CSDL types (the open dictionary is read as any JSON object)", () => {
    expect(Object.keys(defenderTypeShapes).sort()).toEqual(modelledTypes.map((t) => t.name).sort());
  });

  it.each(modelledTypes.map((t) => [t.name, t] as const))(
    "%s: every property is known with a compatible type, and nothing else",
    (name, type) => {
      const properties = allProperties(type);
      for (const p of properties) {
        expect({ property: p.name, kind: modelKind(name, p.name) }).toEqual({
          property: p.name,
          kind: expectedKind(p.type),
        });
      }
      const extra = Object.keys(defenderTypeShapes[name]!).filter(
        (k) => k !== "@odata.type" && !properties.some((p) => p.name === k),
      );
      expect(extra).toEqual(LEGACY_PROPERTIES[name] ?? []);
    },
  );

  it.each(modelledTypes.map((t) => [t.name] as const))(
    "%s: a value of every property is read back unchanged; a wrong JSON type is refused",
    (name) => {
      const valid = sample(name);
      const type = csdlTypes.get(name)!;
      for (const [reader, parser] of readersOf(name)) {
        const parsed = parser.safeParse(valid);
        expect({ reader, issues: parsed.error?.issues ?? [] }).toEqual({ reader, issues: [] });
        expect(parsed.data, reader).toEqual(valid);
        for (const p of allProperties(type)) {
          const bad = parser.safeParse({ ...valid, [p.name]: wrongValue(p.type) });
          expect({ reader, property: p.name, refused: !bad.success }).toEqual({
            reader,
            property: p.name,
            refused: true,
          });
          expect(bad.error?.issues[0]?.path, `${reader} ${p.name}`).toEqual([p.name]);
        }
      }
    },
  );

  it("Int64 accepts the OData string form; enums read any casing, and keep unknown members", () => {
    const device = evidenceSchemas.deviceEvidence.parse({
      ...sample("deviceEvidence"),
      osBuild: "22631",
      healthStatus: "Active",
      riskScore: "someFutureScore",
    });
    expect(device.osBuild).toBe(22631);
    expect(device.healthStatus).toBe("active");
    expect(device.riskScore).toBe("someFutureScore");
    expect(parseWarningsOf(device)).toEqual([
      expect.objectContaining({ code: "enumValueUnknown", enumName: "deviceRiskScore", path: "riskScore" }),
    ]);
  });
});

describe("the 48 evidence types", () => {
  it("are the known evidence types, each with its own schema and discriminator", () => {
    expect([...knownEvidenceTypes].sort()).toEqual([...derivedEvidence].sort());
    expect(new Set(Object.values(evidenceSchemas)).size).toBe(48);
    for (const name of knownEvidenceTypes) {
      const spec = fieldSpecOf(defenderTypeShapes[name]!["@odata.type"]!);
      expect(spec?.value).toEqual({ kind: "odataType", typeName: name });
    }
    expectTypeOf<keyof KnownEvidenceMap>().toEqualTypeOf<KnownEvidenceType>();
  });

  it.each(derivedEvidence.map((n) => [n] as const))(
    "%s parses as its own typed member, alone and inside an alert",
    (name) => {
      const raw = { ...sample(name), "@odata.type": `microsoft.graph.security.${name.toUpperCase()}` };
      const evidence = alertEvidenceSchema.parse(raw);
      expect(evidence["@odata.type"]).toBe(`#microsoft.graph.security.${name}`);
      expect(isEvidenceType(evidence, name as KnownEvidenceType)).toBe(true);
      expect(isGenericEvidence(evidence)).toBe(false);
      const others = knownEvidenceTypes.filter((t) => t !== name && isEvidenceType(evidence, t));
      expect(others).toEqual([]);

      const alert = defenderAlertSchema.parse({ id: "a1", evidence: [raw] });
      expect(parseWarningsOf(alert)).toEqual([]);
      expect(alert.evidence[0]).toEqual({ ...sample(name) });
      expect(isEvidenceType(alert.evidence[0]!, name as KnownEvidenceType)).toBe(true);
    },
  );
});
