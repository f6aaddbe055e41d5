/** A GUID in its 8-4-4-4-12 hex form, either case (how Azure ids, Sentinel names and object ids are written). */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a GUID (`format: uuid` in the Azure specs). */
export function isGuid(value: unknown): value is string {
  return typeof value === "string" && GUID_PATTERN.test(value);
}
