/**
 * The emulator cannot run KQL, so it reads an analytics rule's query structurally: the table it starts from,
 * time filters on `ingestion_time()` / `TimeGenerated`, and a few row operators (`where` with simple
 * comparisons, `extend`, `project`, `project-away`, `project-rename`, `take`/`limit`, `order by`). Anything
 * else is listed in `notes` and left out, so tests can see what was not interpreted.
 */
import { parseKqlTimespan } from "./durations";

type Row = Record<string, unknown>;
type Step = (rows: Row[]) => Row[];

export interface QueryPlan {
  /** The table the query reads (undefined when the query does not start with a table name). */
  table: string | undefined;
  /** `where ingestion_time() > ago(X)`: only rows ingested within X before the run. */
  ingestionLookbackMs: number | undefined;
  /** `where TimeGenerated > ago(X)`: only rows generated within X before the run. */
  timeGeneratedLookbackMs: number | undefined;
  /** Row operators, in order. */
  steps: Step[];
  /** Parts of the query the emulator did not interpret. */
  notes: string[];
}

/** Splits at top-level occurrences of `sep` (outside quotes and brackets); a RegExp is matched sticky. */
export function splitTopLevel(text: string, sep: string | RegExp): string[] {
  const sticky = typeof sep === "string" ? undefined : new RegExp(sep.source, `${sep.flags.replace(/[gy]/g, "")}y`);
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
const asText = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));

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

/** One conjunct of a `where`; time filters fill the plan instead of filtering rows. */
function conjunct(text: string, plan: QueryPlan): Predicate | undefined {
  const time = /^(ingestion_time\(\)|TimeGenerated)\s*>=?\s*ago\(\s*([^)]+)\)$/i.exec(text);
  if (time) {
    const ms = parseKqlTimespan(time[2]!);
    if (ms === undefined) return undefined;
    if (time[1]!.toLowerCase().startsWith("ingestion")) plan.ingestionLookbackMs = ms;
    else plan.timeGeneratedLookbackMs = ms;
    return () => true;
  }
  const emptiness = /^(isnotempty|isempty|isnotnull|isnull)\((.+)\)$/i.exec(text);
  if (emptiness) {
    const get = scalar(emptiness[2]!);
    if (!get) return undefined;
    const fn = emptiness[1]!.toLowerCase();
    const empty = (v: unknown) => (fn.endsWith("empty") ? v === undefined || v === null || v === "" : v === undefined || v === null);
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

function assignments(body: string, plan: QueryPlan, op: string): { name: string; get: (row: Row) => unknown }[] {
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
      return (rows) => rows.map((r) => ({ ...r, ...Object.fromEntries(list.map((a) => [a.name, a.get(r)])) }));
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
  const plan: QueryPlan = { table: undefined, ingestionLookbackMs: undefined, timeGeneratedLookbackMs: undefined, steps: [], notes: [] };
  const statements = splitTopLevel(stripComments(query), ";");
  const tabular = statements.filter((s) => !/^let\s/i.test(s));
  if (tabular.length < statements.length) plan.notes.push("let statements (not interpreted)");
  const [source, ...operators] = splitTopLevel(tabular[tabular.length - 1] ?? "", "|");
  plan.table = source === undefined ? undefined : column(source);
  if (plan.table === undefined) plan.notes.push(`${source ?? "(empty query)"} (not a table name: the query returns nothing)`);
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
