import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

/**
 * A credential's `getToken` failed (@azure/identity's AuthenticationError for `invalid_client`,
 * CredentialUnavailableError, …). Internal: ServiceHttp turns it into the public AuthenticationError. It is
 * not a RestError, so the retry policy passes it straight through: a wrong secret does not heal by retrying.
 */
export class CredentialFailure extends Error {
  override name = "CredentialFailure";
  constructor(
    readonly scopes: string[],
    readonly failure: unknown,
  ) {
    super(`The credential could not get a token for ${scopes.join(", ")}`, { cause: failure });
  }
}

/** Wraps `getToken` so its failures are recognisable as such (aborts stay aborts). */
export function guardCredential(credential: TokenCredential): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      try {
        return await credential.getToken(scopes, options);
      } catch (e) {
        if ((e as { name?: unknown })?.name === "AbortError") throw e;
        throw new CredentialFailure(Array.isArray(scopes) ? [...scopes] : [scopes], e);
      }
    },
  };
}

/** The credential's own message, without anything that looks like a token or a secret, and not too long. */
export function describeCredentialFailure(failure: unknown): string {
  const name = (failure as { name?: unknown })?.name;
  const raw = failure instanceof Error ? failure.message : String(failure);
  const safe = raw
    .replace(/eyJ[\w-]*\.[\w-]*\.?[\w-]*/g, "[REDACTED]")
    .replace(/\b(bearer)\s+\S+/gi, "$1 [REDACTED]")
    .replace(
      /\b(client_secret|client_assertion|assertion|password|secret|token|code)=[^&\s]+/gi,
      "$1=[REDACTED]",
    );
  const short = safe.length > 500 ? `${safe.slice(0, 500)}…` : safe;
  return typeof name === "string" && name !== "Error" ? `${name}: ${short}` : short;
}
