/** `@odata.type` spellings of `microsoft.graph.security` types. */

export const SECURITY_NAMESPACE = "#microsoft.graph.security.";

/** The canonical `@odata.type` of a security type, e.g. `#microsoft.graph.security.fileEvidence`. */
export function canonicalOdataType<const N extends string>(name: N): `#microsoft.graph.security.${N}` {
  return `${SECURITY_NAMESPACE}${name}`;
}

/**
 * A case-insensitive key for a type however its `@odata.type` is spelled:
 * `"#microsoft.graph.security.fileEvidence"`, `"microsoft.graph.security.FileEvidence"` → `"fileevidence"`.
 */
export function odataTypeKey(odataType: string): string {
  const lower = odataType.toLowerCase();
  const withoutHash = lower.startsWith("#") ? lower.slice(1) : lower;
  const prefix = SECURITY_NAMESPACE.slice(1);
  return withoutHash.startsWith(prefix) ? withoutHash.slice(prefix.length) : withoutHash;
}
