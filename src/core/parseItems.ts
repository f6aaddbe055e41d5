import type { z } from "zod";
import { ResponseValidationError, type ServiceName } from "./errors";
import { zodIssues } from "./validationIssues";

/** Called for a list item that fails its schema; the rest of the page is still returned. */
export type InvalidItemHandler = (error: ResponseValidationError, raw: unknown) => void;

/**
 * Parses list items one by one so that one malformed item cannot hide a whole page. Without a handler the
 * first invalid item throws (a direct caller sees the typed error); the SyncEngine passes a handler and
 * quarantines the item instead.
 */
export function parseItems<T>(
  service: ServiceName,
  raw: unknown[],
  schema: z.ZodType<T>,
  onInvalid: InvalidItemHandler | undefined,
  requestUrl: string,
): T[] {
  const out: T[] = [];
  raw.forEach((item, index) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) {
      out.push(parsed.data);
      return;
    }
    const issues = zodIssues(parsed.error, `value.${index}`);
    const error = new ResponseValidationError(
      `${service} list item ${index} failed schema validation at ${issues[0]?.path ?? "(root)"}`,
      { service, statusCode: 200, request: { method: "GET", url: requestUrl, headers: {} }, issues },
    );
    if (!onInvalid) throw error;
    onInvalid(error, item);
  });
  return out;
}
