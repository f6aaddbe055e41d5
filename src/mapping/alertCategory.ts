import { asArray, own } from "./guards";

/**
 * The MITRE ATT&CK tactics of an alert, as one text: `categories` (comma-separated), else the single `category`
 * Graph still fills for older consumers (https://learn.microsoft.com/graph/api/resources/security-alert). Any
 * value may come back (callers read it defensively); `undefined` when the alert has neither.
 */
export function alertCategoryValue(alert: Readonly<Record<string, unknown>> | undefined): unknown {
  const categories = asArray(own(alert, "categories")).filter(
    (c): c is string => typeof c === "string" && c.trim() !== "",
  );
  return categories.length > 0 ? categories.join(", ") : own(alert, "category");
}
