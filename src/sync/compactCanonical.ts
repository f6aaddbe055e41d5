import type { CanonicalIncident } from "../mapping";
import { sha256 } from "./deterministicName";

/** Long free-text fields are kept in the ledger as a digest: the merge only needs to know if they moved. */
const DIGEST_OVER = 64;
const PREFIX = "sha256:";

function digestText(value: string | undefined): string | undefined {
  if (value === undefined || value.length <= DIGEST_OVER || value.startsWith(PREFIX)) return value;
  return `${PREFIX}${sha256(value).slice(0, 32)}`;
}

/**
 * The form a canonical view is stored in as a merge base: description and closing comment longer than
 * 64 characters become digests, which keeps a ledger record near 600 bytes (100,000 of them fit the
 * engine's memory budget). Compare a current view with a base only after compacting it the same way.
 */
export function compactCanonical(c: CanonicalIncident): CanonicalIncident {
  return { ...c, description: digestText(c.description) ?? "", closingComment: digestText(c.closingComment) };
}
