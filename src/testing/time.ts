/**
 * Timestamps as both services send them: UTC with 7 fractional digits ("2021-09-30T09:35:45.1133333Z").
 * Internally a timestamp is a bigint count of 100 ns ticks since the Unix epoch.
 */
import type { Rng } from "./prng";

const TICKS_PER_MS = 10_000n;
const DATETIME_LITERAL =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})$/i;

/** `ticks` (100 ns since epoch) as `YYYY-MM-DDTHH:MM:SS.fffffffZ`. */
export function formatTicks(ticks: bigint): string {
  const ms = ticks / TICKS_PER_MS;
  const sub = ticks % TICKS_PER_MS;
  const iso = new Date(Number(ms)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 20)}${iso.slice(20, 23)}${sub.toString().padStart(4, "0")}Z`;
}

export function ticksFromDate(date: Date): bigint {
  return BigInt(date.getTime()) * TICKS_PER_MS;
}

/**
 * Parses an ISO 8601 / OData DateTimeOffset with up to `maxFraction` fractional digits into ticks.
 * Returns undefined when the text is not such a timestamp (or has too many digits).
 */
export function parseTimestamp(text: string, maxFraction = 7): bigint | undefined {
  // $filter on timestamps evaluates this for every stored item on every list request: memoized, so that a
  // 100,000-incident tenant does not spend its time in this regex.
  const key = maxFraction === 7 ? text : `${maxFraction}|${text}`;
  if (parsedTimestamps.has(key)) return parsedTimestamps.get(key);
  const value = parseTimestampUncached(text, maxFraction);
  if (parsedTimestamps.size >= MAX_MEMOIZED_TIMESTAMPS) parsedTimestamps.clear();
  parsedTimestamps.set(key, value);
  return value;
}

const MAX_MEMOIZED_TIMESTAMPS = 1_000_000;
const parsedTimestamps = new Map<string, bigint | undefined>();

function parseTimestampUncached(text: string, maxFraction: number): bigint | undefined {
  const m = DATETIME_LITERAL.exec(text);
  if (!m) return undefined;
  const fraction = m[7] ?? "";
  if (fraction.length > maxFraction) return undefined;
  const base = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? "00"}${m[8]!.toUpperCase() === "Z" ? "Z" : m[8]}`;
  const ms = Date.parse(base);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * TICKS_PER_MS + BigInt(fraction.padEnd(7, "0").slice(0, 7) || "0");
}

/** Normalizes any timestamp string to the 7-digit UTC form (undefined when unparseable). */
export function normalizeTimestamp(text: string): string | undefined {
  const t = parseTimestamp(text, 9);
  return t === undefined ? undefined : formatTicks(t);
}

/**
 * The emulator clock: reads `now()` and hands out strictly increasing 7-digit timestamps, with a seeded
 * sub-millisecond part so values look like the services' ("…45.1133333Z") and are still reproducible.
 */
export class EmulatorClock {
  private last = 0n;

  constructor(
    private readonly now: () => Date,
    private readonly rng: Rng,
  ) {}

  /** Current time in ms (for token buckets and delays). */
  nowMs(): number {
    return this.now().getTime();
  }

  /** A fresh timestamp, later than every timestamp handed out before. */
  stamp(): string {
    return this.stampAt(this.now());
  }

  /** A fresh timestamp at `time` (an event due earlier than now, e.g. a rule run), still strictly increasing. */
  stampAt(time: Date): string {
    let ticks = ticksFromDate(time) + BigInt(this.rng.int(0, 9999));
    if (ticks <= this.last) ticks = this.last + 1n;
    this.last = ticks;
    return formatTicks(ticks);
  }

  /** Makes later stamps come after `timestamp` (used when seeding data that may end "now"). */
  observe(timestamp: string): void {
    const t = parseTimestamp(timestamp, 9);
    if (t !== undefined && t > this.last) this.last = t;
  }

  reset(): void {
    this.last = 0n;
  }
}

/** Graph's `innerError.date`: seconds precision, no zone suffix ("2024-05-01T10:11:12"). */
export function graphErrorDate(date: Date): string {
  return date.toISOString().slice(0, 19);
}
