/**
 * Text hygiene shared by every text field: control characters other than tab, LF and CR are removed, and lone
 * UTF-16 surrogates (which are not valid Unicode and which services may reject) become U+FFFD.
 */

// C0 controls except \t \n \r, DEL, and C1 controls.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NEEDS_WORK = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF]/;

/** The cleaned text and how many characters were removed or replaced. */
export interface SanitizedText {
  text: string;
  removed: number;
}

/**
 * Removes control characters (except `\t`, `\n`, `\r`) and replaces lone surrogates with U+FFFD. Returns the
 * input unchanged (same string) when there is nothing to do, which is the common case.
 */
export function sanitizeText(input: string): SanitizedText {
  if (!NEEDS_WORK.test(input)) return { text: input, removed: 0 };
  let removed = 0;
  const text = input
    .replace(CONTROL_CHARS, () => {
      removed++;
      return "";
    })
    .replace(LONE_SURROGATE, () => {
      removed++;
      return "\uFFFD";
    });
  return { text, removed };
}

// Any whitespace other than single spaces.
const SPACE_RUN = /[^\S ]| {2}/;

/** Collapses every run of whitespace (including newlines) into one space and trims: for one-line summaries. */
export function oneLine(input: string): string {
  return SPACE_RUN.test(input) ? input.replace(/\s+/g, " ").trim() : input.trim();
}

/** Cuts `input` to at most `max` characters without splitting a surrogate pair; appends `ellipsis` when cut. */
export function clip(input: string, max: number, ellipsis = "…"): string {
  if (input.length <= max) return input;
  let keep = Math.max(0, max - ellipsis.length);
  if (keep > 0 && isHighSurrogate(input.charCodeAt(keep - 1))) keep--;
  return input.slice(0, keep) + ellipsis;
}

export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
