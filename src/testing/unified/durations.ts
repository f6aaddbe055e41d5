/**
 * Durations as the two languages of an analytics rule spell them: ISO 8601 in the ARM resource
 * (`queryFrequency: "PT1H"`, `lookbackDuration: "P2DT1H30M"`) and KQL timespans in its query (`ago(5m)`).
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const ISO_DURATION =
  /^P(?!$)(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/**
 * Milliseconds of an ISO 8601 duration without years or months (their length varies, and the service's
 * durations are fixed spans); undefined when `text` is not one.
 */
export function parseIsoDuration(text: string): number | undefined {
  const m = ISO_DURATION.exec(text.trim());
  if (!m) return undefined;
  const [w, d, h, min, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  return Math.round(w! * 7 * DAY_MS + d! * DAY_MS + h! * HOUR_MS + min! * MINUTE_MS + s! * 1000);
}

/** `ms` as an ISO 8601 duration (`PT5M`, `P1DT2H`), the form the service echoes. */
export function formatIsoDuration(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const hours = Math.floor(rest / HOUR_MS);
  rest -= hours * HOUR_MS;
  const minutes = Math.floor(rest / MINUTE_MS);
  const seconds = (rest - minutes * MINUTE_MS) / 1000;
  const time = `${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}${seconds ? `${seconds}S` : ""}`;
  return `P${days ? `${days}D` : ""}${time ? `T${time}` : days ? "" : "T0S"}`;
}

const KQL_TIMESPAN =
  /^(\d+(?:\.\d+)?)\s*(d|h|m|s|ms|min|sec|day|days|hr|hrs|hour|hours|minute|minutes|second|seconds)$/i;
const UNIT_MS: Record<string, number> = {
  d: DAY_MS,
  day: DAY_MS,
  days: DAY_MS,
  h: HOUR_MS,
  hr: HOUR_MS,
  hrs: HOUR_MS,
  hour: HOUR_MS,
  hours: HOUR_MS,
  m: MINUTE_MS,
  min: MINUTE_MS,
  minute: MINUTE_MS,
  minutes: MINUTE_MS,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  ms: 1,
};

/** Milliseconds of a KQL timespan literal (`5m`, `1.5h`, `2d`, `30s`); undefined otherwise. */
export function parseKqlTimespan(text: string): number | undefined {
  const m = KQL_TIMESPAN.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!);
}
