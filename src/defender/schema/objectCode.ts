/**
 * Compiles the reader of one object type. Where the runtime allows `new Function` (as zod itself does for its
 * object parsing), the reader is generated code reading each property by its literal name: objects of one type
 * parsed from JSON share a hidden class, so every property read stays monomorphic, where a loop over the shape's
 * keys would make every read a slow generic lookup. Elsewhere (code generation disabled), a closure loop with the
 * same behaviour is used.
 *
 * Only property names from the package's own shapes reach the generated code, each as a JSON string literal.
 */
import { isGraphDateTime } from "./fields";
import {
  expected,
  fail,
  isPlainObject,
  type Reader,
  type ReadIssue,
  type ReadState,
  takeIssues,
} from "./readState";

/** A scalar field checked in place: never changed by reading, so no call and no copy is needed. */
export interface InlineCheck {
  readonly kind: "string" | "dateTime" | "double" | "boolean";
  /** `null` and absence are accepted. */
  readonly nullable: boolean;
}

export interface ObjectPlan {
  readonly typeName: string;
  readonly keys: readonly string[];
  readonly readers: readonly Reader[];
  readonly inline: readonly (InlineCheck | undefined)[];
  /** Fields kept as sent, with `onKeptRaw`, when their value is bad. */
  readonly tolerant: readonly boolean[];
  readonly onKeptRaw: (st: ReadState, key: string, issues: readonly ReadIssue[]) => void;
  readonly post: ((value: Record<string, unknown>) => Record<string, unknown>) | undefined;
}

function scalarOk(kind: InlineCheck["kind"], v: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof v === "string";
    case "dateTime":
      return typeof v === "string" && isGraphDateTime(v);
    case "double":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
  }
}

function badScalar(st: ReadState, key: string, kind: InlineCheck["kind"], v: unknown): void {
  const message =
    kind === "dateTime" && typeof v === "string"
      ? "Invalid date-time"
      : expected(kind === "dateTime" ? "string" : kind === "double" ? "number" : kind, v);
  fail(st, key, message, v);
}

/** A copy of `v` with the changed fields (pairs of key and value), or `v` when nothing changed. */
function applyChanges(v: Record<string, unknown>, changes: unknown[] | undefined): Record<string, unknown> {
  if (changes === undefined) return v;
  const out = { ...v };
  for (let i = 0; i < changes.length; i += 2) out[changes[i] as string] = changes[i + 1];
  return out;
}

function notObject(v: unknown, st: ReadState, key: string | number | undefined): unknown {
  return fail(st, key, expected("object", v), v);
}

/**
 * Deeper than any Graph payload nests (incident → alert → evidence → a few levels of nested evidence): refused
 * as an issue, where following it would end in a stack overflow.
 */
export const MAX_NESTING = 64;

function tooDeep(v: unknown, st: ReadState, key: string | number | undefined): unknown {
  return fail(st, key, `Nested more than ${MAX_NESTING} levels deep`, v);
}

const SCALAR_TEST: Readonly<Record<InlineCheck["kind"], string>> = {
  string: 'typeof b !== "string"',
  dateTime: 'typeof b !== "string" || !isDate(b)',
  double: 'typeof b !== "number"',
  boolean: 'typeof b !== "boolean"',
};

function fieldCode(plan: ObjectPlan, i: number): string {
  const key = JSON.stringify(plan.keys[i]);
  const check = plan.inline[i];
  if (plan.tolerant[i]) {
    return [
      `b = v[${key}]; ib = st.issues.length; wb = st.warnings.length; a = r[${i}](b, st, ${key});`,
      `t = takeIssues(st, ib, wb); if (t !== undefined) { onKeptRaw(st, ${key}, t); a = b; }`,
      `if (a !== b) (c ??= []).push(${key}, a);`,
    ].join("\n");
  }
  if (check !== undefined) {
    const test = check.nullable ? `b != null && (${SCALAR_TEST[check.kind]})` : SCALAR_TEST[check.kind];
    return `b = v[${key}]; if (${test}) badScalar(st, ${key}, ${JSON.stringify(check.kind)}, b);`;
  }
  return `b = v[${key}]; a = r[${i}](b, st, ${key}); if (a !== b) (c ??= []).push(${key}, a);`;
}

function generated(plan: ObjectPlan): Reader | undefined {
  const body = [
    "return function (v, st, key) {",
    "if (typeof v !== 'object' || v === null || Array.isArray(v)) return notObject(v, st, key);",
    `if (st.path.length > ${MAX_NESTING}) return tooDeep(v, st, key);`,
    "if (key !== undefined) st.path.push(key);",
    "let a, b, c, ib, wb, t;",
    ...plan.keys.map((_, i) => fieldCode(plan, i)),
    "if (key !== undefined) st.path.pop();",
    "const out = applyChanges(v, c);",
    "return post === undefined ? out : post(out);",
    "};",
  ].join("\n");
  try {
    const make = new Function(
      "r",
      "post",
      "onKeptRaw",
      "takeIssues",
      "badScalar",
      "notObject",
      "tooDeep",
      "applyChanges",
      "isDate",
      body,
    );
    return make(
      plan.readers,
      plan.post,
      plan.onKeptRaw,
      takeIssues,
      badScalar,
      notObject,
      tooDeep,
      applyChanges,
      isGraphDateTime,
    ) as Reader;
  } catch {
    return undefined;
  }
}

/** The same reader without code generation. */
function interpreted(plan: ObjectPlan): Reader {
  const { keys, readers, inline, tolerant, post } = plan;
  return (v, st, key) => {
    if (!isPlainObject(v)) return notObject(v, st, key);
    if (st.path.length > MAX_NESTING) return tooDeep(v, st, key);
    if (key !== undefined) st.path.push(key);
    let changes: unknown[] | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const before = v[k];
      const check = inline[i];
      if (check !== undefined && !tolerant[i]) {
        if (!(check.nullable && before == null) && !scalarOk(check.kind, before))
          badScalar(st, k, check.kind, before);
        continue;
      }
      const issuesBefore = st.issues.length;
      const warningsBefore = st.warnings.length;
      let after = readers[i]!(before, st, k);
      if (tolerant[i]) {
        const issues = takeIssues(st, issuesBefore, warningsBefore);
        if (issues !== undefined) {
          plan.onKeptRaw(st, k, issues);
          after = before;
        }
      }
      if (after !== before) (changes ??= []).push(k, after);
    }
    if (key !== undefined) st.path.pop();
    const out = applyChanges(v, changes);
    return post === undefined ? out : post(out);
  };
}

/** Whether this runtime allows code generation (it does not under some content security policies). */
const codeGeneration = (() => {
  try {
    return new Function("return true")() === true;
  } catch {
    return false;
  }
})();

/** The reader of `plan`: generated code where allowed (unless `useCodeGeneration` is false), else a closure. */
export function compileObjectReader(plan: ObjectPlan, useCodeGeneration = codeGeneration): Reader {
  return (useCodeGeneration ? generated(plan) : undefined) ?? interpreted(plan);
}
