/** ISO 8601 durations as analytics rules use them (`queryFrequency`, `queryPeriod`, lookbacks). */
import { z } from "zod";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Milliseconds of an ISO 8601 duration made of weeks, days, hours, minutes and seconds (`PT5M`, `P2DT1H30M`).
 * Years and months have no fixed length, so they (and anything malformed) give `undefined`.
 */
export function parseIsoDuration(value: string): number | undefined {
  const m = DURATION.exec(value);
  if (m === null) return undefined;
  const [, w, d, h, min, s] = m;
  return (
    Number(w ?? 0) * 7 * DAY_MS +
    Number(d ?? 0) * DAY_MS +
    Number(h ?? 0) * HOUR_MS +
    Number(min ?? 0) * MINUTE_MS +
    Math.round(Number(s ?? 0) * 1000)
  );
}

/** An ISO 8601 duration string (`PT5M`, `P1D`) as the rule schemas accept it. */
export const duration = z
  .string()
  .refine((s) => parseIsoDuration(s) !== undefined, "must be an ISO 8601 duration such as PT5M or P1D");
