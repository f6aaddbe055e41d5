/** A bounded list column: distinct clean strings up to a count and a byte budget, counting what it left out. */
import { sanitizeText } from "../text";
import { clipChars, scalarText } from "./clip";

/** JSON bytes one list column may use (a quarter of the service's field limit). */
const LIST_MAX_BYTES = 16_384;

/** Collects distinct (case-insensitive) clean values up to a count and a byte budget. */
export class EntityList {
  readonly values: string[] = [];
  private readonly seen = new Set<string>();
  private bytes = 2;
  dropped = 0;
  constructor(
    private readonly maxItems: number,
    private readonly maxLength: number,
  ) {}
  add(value: unknown): void {
    const s = scalarText(value);
    if (s === undefined) return;
    const clean = clipChars(
      sanitizeText(s.length > this.maxLength * 2 ? s.slice(0, this.maxLength * 2) : s).text.trim(),
      this.maxLength,
    );
    if (clean === "") return;
    const key = clean.toLowerCase();
    if (this.seen.has(key)) return;
    const size = Buffer.byteLength(clean) + 3;
    if (this.values.length >= this.maxItems || this.bytes + size > LIST_MAX_BYTES) {
      this.dropped++;
      return;
    }
    this.bytes += size;
    this.seen.add(key);
    this.values.push(clean);
  }
}
