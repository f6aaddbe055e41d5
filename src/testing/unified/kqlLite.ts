/**
 * The emulator cannot run KQL, so it reads an analytics rule's query structurally: the table it starts from,
 * time filters on `ingestion_time()` / `TimeGenerated`, and a few row operators (`where` with simple
 * comparisons, `extend`, `project`, `project-away`, `project-rename`, `take`/`limit`, `order by`). Anything
 * else is listed in `notes` and left out, so tests can see what was not interpreted.
 */
import { parseKqlTimespan } from "./durations";

type Row = Record<string, unknown>;
type Step = (rows: Row[]) => Row[];

/**
 * A time filter relative to the query's `now()`: `col > ago(X)` keeps rows after now − X (`afterAgoMs` X),
 * `col < ago(Y)` rows before now − Y, `col between (ago(X) .. ago(Y))` both.
 */
export interface TimeFilter {
  on: "ingestionTime" | "TimeGenerated";
  afterAgoMs?: number;
  /** `>=` and `between` include the bound; `>` and `<` do not. */
  afterInclusive?: boolean;
  beforeInclusive?: boolean;
  beforeAgoMs?: number;
}

export interface QueryPlan {
  /** The table the query reads (undefined when the query does not start with a table name). */
  table: string | undefined;
  /** Filters on `ingestion_time()` and `TimeGenerated` against `ago(…)`. */
  timeFilters: TimeFilter[];
  /** Row operators, in order. */
  steps: Step[];
  /** Parts of the query the emulator did not interpret. */
  notes: string[];
}

/** Splits at top-level occurrences of `sep` (outside quotes and brackets); a RegExp is matched sticky. */
export function splitTopLevel(text: string, sep: string | RegExp): string[] {
  const sticky =
    typeof sep === "string" ? undefined : new RegExp(sep.source, `${sep.flags.replace(/[gy]/g, "")}y`);
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0) {
      let m: string | undefined;
      if (sticky) {
        sticky.lastIndex = i;
        m = sticky.exec(text)?.[0];
      } else if (text.startsWith(sep as string, i)) m = sep as string;
      if (m) {
        parts.push(text.slice(start, i));
        start = i + m.length;
        i += m.length - 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function stripComments(query: string): string {
  return query
    .split("\n")
    .map((line) => splitTopLevel(`${line} `, "//")[0] ?? "")
    .join("\n");
}

function literal(text: string): { value: unknown } | undefined {
  const t = text.trim();
  const quoted = /^(?:@)?(["'])(.*)\1$/s.exec(t);
  if (quoted) return { value: quoted[2]!.replace(/\\(.)/g, "$1") };
  if (/^-?\d+(\.\d+)?$/.test(t)) return { value: Number(t) };
  if (/^(true|false)$/i.test(t)) return { value: t.toLowerCase() === "true" };
  return undefined;
}

const IDENT = /^(?:\[\s*['"](.+)['"]\s*\]|([A-Za-z_][\w]*))$/;
const column = (text: string) => {
  const m = IDENT.exec(text.trim());
  return m ? (m[1] ?? m[2]) : undefined;
};
const asText = (v: unknown) =>
  v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);

/** Evaluates a scalar expression the interpreter knows; undefined means "not interpreted". */
function scalar(expr: string): ((row: Row) => unknown) | undefined {
  const lit = literal(expr);
  if (lit) return () => lit.value;
  const col = column(expr);
  if (col) return (row) => row[col];
  const call = /^(\w+)\s*\((.*)\)$/s.exec(expr.trim());
  if (!call) return undefined;
  const args = splitTopLevel(call[2]!, ",").map(scalar);
  if (args.some((a) => a === undefined)) return undefined;
  const fns = args as ((row: Row) => unknown)[];
  switch (call[1]!.toLowerCase()) {
    case "tostring":
      return (row) => asText(fns[0]?.(row));
    case "toint":
    case "tolong":
    case "todouble":
    case "toreal":
      return (row) => {
        const n = Number(fns[0]?.(row));
        return Number.isNaN(n) ? null : n;
      };
    case "strcat":
      return (row) => fns.map((f) => asText(f(row))).join("");
    case "coalesce":
      return (row) => fns.map((f) => f(row)).find((v) => v !== undefined && v !== null && v !== "") ?? null;
    default:
      return undefined;
  }
}

type Predicate = (row: Row) => boolean;

const TIME_COLUMN = String.raw`(ingestion_time\(\)|TimeGenerated)`;
const AGO = String.raw`ago\(\s*([^()]+?)\s*\)`;
const TIME_COMPARE = new RegExp(String.raw`^${TIME_COLUMN}\s*(>=?|<=?)\s*${AGO}$`, "i");
const TIME_BETWEEN = new RegExp(
  String.raw`^${TIME_COLUMN}\s+between\s*\(\s*${AGO}\s*\.\.\s*${AGO}\s*\)$`,
  "i",
);

/** A time filter against `ago()`; undefined when `text` is not one (or its timespan is unreadable). */
function timeFilter(text: string): TimeFilter | undefined {
  const on = (col: string) => (col.toLowerCase().startsWith("ingestion") ? "ingestionTime" : "TimeGenerated");
  const cmp = TIME_COMPARE.exec(text);
  if (cmp) {
    const ms = parseKqlTimespan(cmp[3]!);
    if (ms === undefined) return undefined;
    const inclusive = cmp[2]!.endsWith("=");
    return cmp[2]!.startsWith(">")
      ? { on: on(cmp[1]!), afterAgoMs: ms, afterInclusive: inclusive }
      : { on: on(cmp[1]!), beforeAgoMs: ms, beforeInclusive: inclusive };
  }
  const between = TIME_BETWEEN.exec(text);
  if (!between) return undefined;
  const [from, to] = [parseKqlTimespan(between[2]!), parseKqlTimespan(between[3]!)];
  if (from === undefined || to === undefined) return undefined;
  // KQL's between includes both ends.
  return {
    on: on(between[1]!),
    afterAgoMs: from,
    beforeAgoMs: to,
    afterInclusive: true,
    beforeInclusive: true,
  };
}

/** One conjunct of a `where`; time filters fill the plan instead of filtering rows. */
function conjunct(text: string, plan: QueryPlan): Predicate | undefined {
  const time = timeFilter(text);
  if (time) {
    plan.timeFilters.push(time);
    return () => true;
  }
  const emptiness = /^(isnotempty|isempty|isnotnull|isnull)\((.+)\)$/i.exec(text);
  if (emptiness) {
    const get = scalar(emptiness[2]!);
    if (!get) return undefined;
    const fn = emptiness[1]!.toLowerCase();
    const empty = (v: unknown) =>
      fn.endsWith("empty") ? v === undefined || v === null || v === "" : v === undefined || v === null;
    return fn.startsWith("isnot") ? (r) => !empty(get(r)) : (r) => empty(get(r));
  }
  const cmp = /^(.+?)\s*(==|!=|=~|!~)\s*(.+)$/.exec(text);
  if (!cmp) return undefined;
  const [left, right] = [scalar(cmp[1]!), scalar(cmp[3]!)];
  if (!left || !right) return undefined;
  const fold = cmp[2]!.includes("~");
  const eq = (r: Row) => {
    const [a, b] = [asText(left(r)), asText(right(r))];
    return fold ? a.toLowerCase() === b.toLowerCase() : a === b;
  };
  return cmp[2]!.startsWith("!") ? (r) => !eq(r) : eq;
}

function whereStep(body: string, plan: QueryPlan): Step | undefined {
  if (splitTopLevel(body, /\s+or\s+/i).length > 1) {
    plan.notes.push(`where ${body} (an 'or' is not interpreted: every row passes)`);
    return undefined;
  }
  const predicates: Predicate[] = [];
  for (const part of splitTopLevel(body, /\s+and\s+/i)) {
    const p = conjunct(part, plan);
    if (p) predicates.push(p);
    else plan.notes.push(`where ${part} (not interpreted: every row passes)`);
  }
  return (rows) => rows.filter((r) => predicates.every((p) => p(r)));
}

function assignments(
  body: string,
  plan: QueryPlan,
  op: string,
): { name: string; get: (row: Row) => unknown }[] {
  const out: { name: string; get: (row: Row) => unknown }[] = [];
  for (const part of splitTopLevel(body, ",")) {
    const m = /^([A-Za-z_][\w]*)\s*=\s*(.+)$/s.exec(part);
    const name = m ? m[1]! : column(part);
    const get = m ? scalar(m[2]!) : name ? (r: Row) => r[name] : undefined;
    if (!name || !get) {
      plan.notes.push(`${op} ${part} (not interpreted)`);
      continue;
    }
    out.push({ name, get });
  }
  return out;
}

function orderStep(body: string): Step | undefined {
  const keys = splitTopLevel(body, ",").map((k) => /^(\S+)(?:\s+(asc|desc))?$/i.exec(k));
  if (keys.some((k) => !k || !column(k[1]!))) return undefined;
  return (rows) =>
    [...rows].sort((a, b) => {
      for (const k of keys) {
        const col = column(k![1]!)!;
        const c = asText(a[col]).localeCompare(asText(b[col]));
        if (c !== 0) return (k![2] ?? "desc").toLowerCase() === "asc" ? c : -c;
      }
      return 0;
    });
}

/** `summarize arg_max(Col, *) by Key1, Key2` (or arg_min): one row per key, the one with the extreme `Col`. */
function argExtremeStep(body: string): Step | undefined {
  const m = /^(arg_max|arg_min)\(\s*(\w+)\s*,\s*\*\s*\)\s+by\s+(.+)$/is.exec(body);
  if (!m) return undefined;
  const by = splitTopLevel(m[3]!, ",").map((k) => column(k));
  if (by.some((k) => k === undefined)) return undefined;
  const [fn, col] = [m[1]!.toLowerCase(), m[2]!];
  return (rows) => {
    const best = new Map<string, Row>();
    for (const r of rows) {
      const key = JSON.stringify(by.map((k) => asText(r[k!])));
      const prev = best.get(key);
      const c = prev ? asText(r[col]).localeCompare(asText(prev[col])) : 0;
      if (!prev || (fn === "arg_max" ? c > 0 : c < 0)) best.set(key, r);
    }
    return [...best.values()];
  };
}

function operatorStep(segment: string, plan: QueryPlan): Step | undefined {
  const m = /^([a-z-]+)(?:\s+by)?\s*(.*)$/is.exec(segment);
  const op = m?.[1]?.toLowerCase() ?? "";
  const body = m?.[2]?.trim() ?? "";
  switch (op) {
    case "where":
    case "filter":
      return whereStep(body, plan);
    case "extend": {
      const list = assignments(body, plan, op);
      return (rows) =>
        rows.map((r) => ({ ...r, ...Object.fromEntries(list.map((a) => [a.name, a.get(r)])) }));
    }
    case "project": {
      const list = assignments(body, plan, op);
      return (rows) => rows.map((r) => Object.fromEntries(list.map((a) => [a.name, a.get(r)])));
    }
    case "project-away": {
      const drop = new Set(splitTopLevel(body, ",").map((c) => column(c) ?? c));
      return (rows) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.has(k))));
    }
    case "project-rename": {
      const renames = splitTopLevel(body, ",").map((p) => /^(\w+)\s*=\s*(\w+)$/.exec(p));
      if (renames.some((r) => !r)) break;
      return (rows) =>
        rows.map((r) => {
          const out = { ...r };
          for (const [, to, from] of renames as RegExpExecArray[]) {
            out[to!] = r[from!];
            delete out[from!];
          }
          return out;
        });
    }
    case "take":
    case "limit": {
      const n = Number(body);
      if (!Number.isInteger(n) || n < 0) break;
      return (rows) => rows.slice(0, n);
    }
    case "summarize": {
      const step = argExtremeStep(body);
      if (step) return step;
      break;
    }
    case "order":
    case "sort": {
      const step = orderStep(body);
      if (step) return step;
      break;
    }
  }
  plan.notes.push(`${segment} (operator not interpreted)`);
  return undefined;
}

/** Reads a rule query into a plan (never throws: what it cannot read goes to `notes`). */
export function planQuery(query: string): QueryPlan {
  const plan: QueryPlan = { table: undefined, timeFilters: [], steps: [], notes: [] };
  const statements = splitTopLevel(stripComments(query), ";");
  const tabular = statements.filter((s) => !/^let\s/i.test(s));
  if (tabular.length < statements.length) plan.notes.push("let statements (not interpreted)");
  const [source, ...operators] = splitTopLevel(tabular[tabular.length - 1] ?? "", "|");
  plan.table = source === undefined ? undefined : column(source);
  if (plan.table === undefined)
    plan.notes.push(`${source ?? "(empty query)"} (not a table name: the query returns nothing)`);
  for (const segment of operators) {
    const step = operatorStep(segment, plan);
    if (step) plan.steps.push(step);
  }
  return plan;
}

/** Applies the plan's row operators. */
export function applySteps(plan: QueryPlan, rows: Row[]): Row[] {
  return plan.steps.reduce((acc, step) => step(acc), rows);
}
