/**
 * The OData `$filter` / `$orderby` subset the two services answer to: comparisons (`eq ne gt ge lt le`) of a
 * property with a literal, `and`, `or`, `not`, parentheses. Literals: strings with `''` escaping, unquoted
 * DateTimeOffset with up to 7 fractional digits, numbers, `true`/`false`/`null`. Anything else — functions,
 * lambdas, unknown or non-filterable properties, mismatched types — is an `ODataQueryError` (the routes
 * answer 400 with its message).
 */
import { parseTimestamp } from "./time";

/**
 * How an OData query compares a property: as a string, an enum member (string literal), a date-time
 * (`DateTimeOffset`) or a number.
 */
export type FieldType = "string" | "enum" | "datetime" | "number";

/**
 * How an emulated collection exposes one property to OData queries: its type, how to read it from an item, and
 * whether it can be filtered and sorted on.
 */
export interface FieldSpec<T> {
  type: FieldType;
  get(item: T): unknown;
  /** Default true. */
  filterable?: boolean;
  /** Default false. */
  sortable?: boolean;
}

/**
 * The OData properties of an emulated collection, for `parseFilter` and `parseOrderBy`: the filterable and sortable
 * fields and the other known properties.
 */
export interface CollectionSpec<T> {
  /** OData type name used in messages, e.g. `microsoft.graph.security.incident`. */
  typeName: string;
  fields: Record<string, FieldSpec<T>>;
  /** Properties of the type that exist but can be neither filtered nor sorted on. */
  otherProperties?: readonly string[];
  /** Accept quoted ISO strings where a DateTimeOffset is expected (ARM is lenient; Graph is not). */
  quotedDateTimes?: boolean;
}

/**
 * An OData `$filter` or `$orderby` the emulated services do not accept (unsupported syntax, unknown or non-filterable
 * property, type mismatch); the routes answer 400 with its message.
 */
export class ODataQueryError extends Error {
  override name = "ODataQueryError";
}

type Literal =
  | { type: "string"; value: string }
  | { type: "datetime"; ticks: bigint; text: string }
  | { type: "number"; value: number }
  | { type: "boolean"; value: boolean }
  | { type: "null" };

type Op = "eq" | "ne" | "gt" | "ge" | "lt" | "le";

type Node =
  | { kind: "and" | "or"; left: Node; right: Node }
  | { kind: "not"; expr: Node }
  | { kind: "cmp"; field: string; op: Op; value: Literal };

type Token =
  | { t: "ident"; v: string; pos: number }
  | { t: "string"; v: string; pos: number }
  | { t: "datetime"; v: string; ticks: bigint; pos: number }
  | { t: "number"; v: number; pos: number }
  | { t: "("; pos: number }
  | { t: ")"; pos: number }
  | { t: ","; pos: number }
  | { t: "/"; pos: number }
  | { t: ":"; pos: number };

const OPS = new Set<string>(["eq", "ne", "gt", "ge", "lt", "le"]);
const OP_KIND: Record<Op, string> = {
  eq: "Equal",
  ne: "NotEqual",
  gt: "GreaterThan",
  ge: "GreaterThanOrEqual",
  lt: "LessThan",
  le: "LessThanOrEqual",
};
const EDM: Record<FieldType, string> = {
  string: "Edm.String",
  enum: "Edm.String",
  datetime: "Edm.DateTimeOffset",
  number: "Edm.Int32",
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "(" || c === ")" || c === "," || c === "/" || c === ":") {
      tokens.push({ t: c, pos: i } as Token);
      i++;
      continue;
    }
    if (c === "'") {
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= text.length)
          throw new ODataQueryError(
            `Syntax error: unterminated string literal at position ${i} in '${text}'.`,
          );
        const ch = text[j]!;
        if (ch === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += ch;
        j++;
      }
      tokens.push({ t: "string", v: value, pos: i });
      i = j + 1;
      continue;
    }
    if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9][0-9A-Za-z:.+-]*/.exec(text.slice(i));
      const word = m?.[0] ?? c;
      if (/^\d{4}-\d{2}-\d{2}T/i.test(word)) {
        const ticks = parseTimestamp(word, 7);
        if (ticks === undefined) {
          throw new ODataQueryError(
            `The DateTimeOffset text '${word}' should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range.`,
          );
        }
        tokens.push({ t: "datetime", v: word, ticks, pos: i });
      } else if (/^-?\d+(\.\d+)?$/.test(word)) {
        tokens.push({ t: "number", v: Number(word), pos: i });
      } else {
        throw new ODataQueryError(`Syntax error at position ${i} in '${text}'.`);
      }
      i += word.length;
      continue;
    }
    if (/[A-Za-z_@$]/.test(c)) {
      const m = /^[A-Za-z_@$][A-Za-z0-9_.@$]*/.exec(text.slice(i))!;
      tokens.push({ t: "ident", v: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    throw new ODataQueryError(`Syntax error: character '${c}' is not valid at position ${i} in '${text}'.`);
  }
  return tokens;
}

class Parser<T> {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly spec: CollectionSpec<T>,
  ) {}

  parse(): Node {
    if (this.tokens.length === 0) throw new ODataQueryError("The $filter query option is empty.");
    const node = this.or();
    const extra = this.tokens[this.i];
    if (extra) throw this.syntax(extra.pos);
    return node;
  }

  private syntax(pos: number): ODataQueryError {
    return new ODataQueryError(`Syntax error at position ${pos} in '${this.text}'.`);
  }

  private peekWord(word: string): boolean {
    const t = this.tokens[this.i];
    return t?.t === "ident" && t.v.toLowerCase() === word;
  }

  private or(): Node {
    let left = this.and();
    while (this.peekWord("or")) {
      this.i++;
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.peekWord("and")) {
      this.i++;
      left = { kind: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.peekWord("not")) {
      this.i++;
      return { kind: "not", expr: this.unary() };
    }
    const t = this.tokens[this.i];
    if (!t) throw this.syntax(this.text.length);
    if (t.t === "(") {
      this.i++;
      const inner = this.or();
      const close = this.tokens[this.i];
      if (close?.t !== ")") throw this.syntax(close?.pos ?? this.text.length);
      this.i++;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Node {
    const first = this.tokens[this.i];
    if (first?.t !== "ident") throw this.syntax(first?.pos ?? this.text.length);
    let path = first.v;
    this.i++;
    while (this.tokens[this.i]?.t === "/") {
      const next = this.tokens[this.i + 1];
      if (next?.t !== "ident") throw this.syntax(next?.pos ?? this.text.length);
      path += `/${next.v}`;
      this.i += 2;
    }
    if (this.tokens[this.i]?.t === "(") {
      const fn = path.split("/").at(-1) ?? path;
      throw new ODataQueryError(
        `An unknown function with name '${fn}' was found, or it is not supported in $filter.`,
      );
    }
    const opTok = this.tokens[this.i];
    if (opTok?.t !== "ident" || !OPS.has(opTok.v.toLowerCase()))
      throw this.syntax(opTok?.pos ?? this.text.length);
    const op = opTok.v.toLowerCase() as Op;
    this.i++;
    const value = this.check(path, op, this.literal());
    return { kind: "cmp", field: path, op, value };
  }

  private literal(): Literal {
    const t = this.tokens[this.i];
    if (!t) throw this.syntax(this.text.length);
    this.i++;
    switch (t.t) {
      case "string":
        return { type: "string", value: t.v };
      case "datetime":
        return { type: "datetime", ticks: t.ticks, text: t.v };
      case "number":
        return { type: "number", value: t.v };
      case "ident": {
        const w = t.v.toLowerCase();
        if (w === "null") return { type: "null" };
        if (w === "true" || w === "false") return { type: "boolean", value: w === "true" };
        throw new ODataQueryError(
          `The right operand of a comparison must be a literal; found '${t.v}' at position ${t.pos} in '${this.text}'.`,
        );
      }
      default:
        throw this.syntax(t.pos);
    }
  }

  /** Validates a comparison; returns the literal (a quoted DateTimeOffset is converted where allowed). */
  private check(path: string, op: Op, value: Literal): Literal {
    const field = this.spec.fields[path];
    if (!field) {
      if (this.spec.otherProperties?.includes(path)) {
        throw new ODataQueryError(`The property '${path}' cannot be used in the $filter query option.`);
      }
      throw new ODataQueryError(`Could not find a property named '${path}' on type '${this.spec.typeName}'.`);
    }
    if (field.filterable === false) {
      throw new ODataQueryError(`The property '${path}' cannot be used in the $filter query option.`);
    }
    if (value.type === "null") {
      if (op !== "eq" && op !== "ne") throw this.incompatible(field.type, "Edm.Null", op);
      return value;
    }
    const mismatch = () => this.incompatible(field.type, literalEdm(value), op);
    switch (field.type) {
      case "datetime":
        if (value.type === "datetime") return value;
        if (value.type === "string" && this.spec.quotedDateTimes) {
          const ticks = parseTimestamp(value.value, 7);
          if (ticks !== undefined) return { type: "datetime", ticks, text: value.value };
        }
        throw mismatch();
      case "number":
        if (value.type !== "number") throw mismatch();
        return value;
      case "string":
      case "enum":
        if (value.type !== "string") throw mismatch();
        if (op !== "eq" && op !== "ne") {
          throw new ODataQueryError(
            `The operator '${op}' is not supported for the property '${path}' in $filter.`,
          );
        }
        return value;
    }
  }

  private incompatible(type: FieldType, other: string, op: Op): ODataQueryError {
    return new ODataQueryError(
      `A binary operator with incompatible types was detected. Found operand types '${EDM[type]}' and '${other}' for operator kind '${OP_KIND[op]}'.`,
    );
  }
}

function literalEdm(value: Literal): string {
  switch (value.type) {
    case "string":
      return "Edm.String";
    case "datetime":
      return "Edm.DateTimeOffset";
    case "number":
      return Number.isInteger(value.value) ? "Edm.Int32" : "Edm.Double";
    case "boolean":
      return "Edm.Boolean";
    case "null":
      return "Edm.Null";
  }
}

function compare(a: bigint | number | string, b: bigint | number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function applyOp(op: Op, c: number): boolean {
  switch (op) {
    case "eq":
      return c === 0;
    case "ne":
      return c !== 0;
    case "gt":
      return c > 0;
    case "ge":
      return c >= 0;
    case "lt":
      return c < 0;
    case "le":
      return c <= 0;
  }
}

function evaluate<T>(node: Node, item: T, spec: CollectionSpec<T>): boolean {
  switch (node.kind) {
    case "and":
      return evaluate(node.left, item, spec) && evaluate(node.right, item, spec);
    case "or":
      return evaluate(node.left, item, spec) || evaluate(node.right, item, spec);
    case "not":
      return !evaluate(node.expr, item, spec);
    case "cmp": {
      const field = spec.fields[node.field]!;
      const raw = field.get(item);
      const isNull = raw === null || raw === undefined;
      if (node.value.type === "null") return node.op === "eq" ? isNull : !isNull;
      if (isNull) return node.op === "ne";
      switch (node.value.type) {
        case "datetime": {
          const ticks = typeof raw === "string" ? parseTimestamp(raw, 9) : undefined;
          if (ticks === undefined) return false;
          return applyOp(node.op, compare(ticks, node.value.ticks));
        }
        case "number":
          return applyOp(node.op, compare(Number(raw), node.value.value));
        case "string": {
          const a = String(raw);
          const b = node.value.value;
          const c = field.type === "enum" ? compare(a.toLowerCase(), b.toLowerCase()) : compare(a, b);
          return applyOp(node.op, c);
        }
        default:
          return false;
      }
    }
  }
}

/** Parses `$filter` text into a predicate; throws ODataQueryError for anything outside the subset. */
export function parseFilter<T>(text: string, spec: CollectionSpec<T>): (item: T) => boolean {
  const node = new Parser(text, tokenize(text), spec).parse();
  return (item) => evaluate(node, item, spec);
}

/** Parses `$orderby` (`field [asc|desc], …`) into a comparator; only sortable fields are accepted. */
export function parseOrderBy<T>(text: string, spec: CollectionSpec<T>): (a: T, b: T) => number {
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (parts.length === 0) throw new ODataQueryError("The $orderby query option is empty.");
  const keys = parts.map((part) => {
    const m = /^([A-Za-z_][A-Za-z0-9_/]*)(?:\s+(asc|desc))?$/i.exec(part);
    if (!m) throw new ODataQueryError(`Syntax error in $orderby '${text}'.`);
    const name = m[1]!;
    const field = spec.fields[name];
    if (!field) {
      if (spec.otherProperties?.includes(name)) {
        throw new ODataQueryError(`The property '${name}' cannot be used in the $orderby query option.`);
      }
      throw new ODataQueryError(`Could not find a property named '${name}' on type '${spec.typeName}'.`);
    }
    if (!field.sortable)
      throw new ODataQueryError(`The property '${name}' cannot be used in the $orderby query option.`);
    return { field, desc: (m[2] ?? "asc").toLowerCase() === "desc" };
  });
  return (a, b) => {
    for (const { field, desc } of keys) {
      const c = compareValues(field, field.get(a), field.get(b));
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  };
}

function compareValues<T>(field: FieldSpec<T>, a: unknown, b: unknown): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an ? -1 : 1;
  if (field.type === "datetime") {
    const ta = parseTimestamp(String(a), 9) ?? 0n;
    const tb = parseTimestamp(String(b), 9) ?? 0n;
    return compare(ta, tb);
  }
  if (field.type === "number") return compare(Number(a), Number(b));
  return compare(String(a), String(b));
}
