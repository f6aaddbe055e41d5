import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

/** A token value that is easy to search for in error messages, logs and serialized errors. */
export const TEST_TOKEN = "SECRET-TOKEN-123";

export interface FakeCredential extends TokenCredential {
  /** The scopes of every `getToken` call, in order. */
  readonly calls: string[][];
}

/**
 * A TokenCredential that hands out a fixed token valid for an hour, and records the scopes it was asked for.
 * `getToken` is async so it behaves like a real credential (the pipeline awaits it).
 */
export function fakeCredential(token: string = TEST_TOKEN): FakeCredential {
  const calls: string[][] = [];
  return {
    calls,
    async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
      calls.push(Array.isArray(scopes) ? [...scopes] : [scopes]);
      return { token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 };
    },
  };
}
