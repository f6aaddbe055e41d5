import { createHash, type Hash } from "node:crypto";

/** Text is handed to the hash in chunks of about this many characters. */
const CHUNK = 64 * 1024;

interface Frame {
  container: object;
  /** Own enumerable keys of an object; undefined for an array. */
  keys: string[] | undefined;
  index: number;
  wroteMember: boolean;
}

/**
 * sha256 (hex) of `JSON.stringify(value)` (of "" when that is undefined), computed without recursion and without
 * building the text: a payload nested 100,000 levels deep, or one whose JSON exceeds the longest string the
 * runtime can hold, still gets its digest instead of throwing RangeError. A cycle (never present in parsed
 * JSON) is hashed as the string "[Circular]" rather than throwing.
 */
export function payloadDigest(value: unknown): string {
  const out = new HashWriter(createHash("sha256"));
  const stack: Frame[] = [];
  const ancestors = new Set<object>();
  const open = (v: unknown): void => {
    if (typeof v === "string") out.writeString(v);
    else if (v === null || typeof v !== "object") out.write(primitiveJson(v) ?? "null");
    else if (ancestors.has(v)) out.write('"[Circular]"');
    else {
      ancestors.add(v);
      const isArray = Array.isArray(v);
      stack.push({ container: v, keys: isArray ? undefined : Object.keys(v), index: 0, wroteMember: false });
      out.write(isArray ? "[" : "{");
    }
  };
  const top = toJsonValue(value, "");
  if (top !== null && typeof top !== "object" && primitiveJson(top) === undefined) return out.digest();
  open(top);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.keys === undefined) {
      const items = frame.container as unknown[];
      if (frame.index >= items.length) {
        close(frame, "]");
        continue;
      }
      const i = frame.index++;
      if (i > 0) out.write(",");
      open(toJsonValue(items[i], String(i)));
      continue;
    }
    if (frame.index >= frame.keys.length) {
      close(frame, "}");
      continue;
    }
    const key = frame.keys[frame.index++]!;
    const member = toJsonValue((frame.container as Record<string, unknown>)[key], key);
    if (member !== null && typeof member !== "object" && primitiveJson(member) === undefined) continue;
    if (frame.wroteMember) out.write(",");
    frame.wroteMember = true;
    out.writeString(key);
    out.write(":");
    open(member);
  }
  return out.digest();

  function close(frame: Frame, bracket: string): void {
    out.write(bracket);
    ancestors.delete(frame.container);
    stack.pop();
  }
}

/** Applies `toJSON` (Dates and the like), as JSON.stringify does. */
function toJsonValue(value: unknown, key: string): unknown {
  if (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  )
    return (value as { toJSON(key: string): unknown }).toJSON(key);
  return value;
}

/** JSON text of a primitive; undefined for what JSON.stringify leaves out (undefined, functions, symbols). */
function primitiveJson(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return `${value}n`; // JSON.stringify throws here; a digest must not.
    default:
      return value === null ? "null" : undefined;
  }
}

/** Feeds text to the hash in bounded chunks. */
class HashWriter {
  private buffer = "";
  constructor(private readonly hash: Hash) {}

  write(text: string): void {
    if (text.length > CHUNK) {
      this.flush();
      this.hash.update(text, "utf8");
      return;
    }
    this.buffer += text;
    if (this.buffer.length >= CHUNK) this.flush();
  }

  /** A JSON string literal, escaped piecewise so a huge string never needs a second huge copy. */
  writeString(value: string): void {
    if (value.length <= CHUNK) {
      this.write(JSON.stringify(value));
      return;
    }
    this.write('"');
    for (let start = 0; start < value.length; ) {
      let end = Math.min(value.length, start + CHUNK);
      // Never split a surrogate pair: JSON.stringify escapes a lone half differently.
      const last = value.charCodeAt(end - 1);
      if (end < value.length && last >= 0xd800 && last <= 0xdbff) end--;
      this.write(JSON.stringify(value.slice(start, end)).slice(1, -1));
      start = end;
    }
    this.write('"');
  }

  digest(): string {
    this.flush();
    return this.hash.digest("hex");
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    this.hash.update(this.buffer, "utf8");
    this.buffer = "";
  }
}
