import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { isAuthenticationError, isConnectionError } from "../../src/core/errors";
import { type AuthenticationError, DefenderClient, SentinelClient } from "../../src/index";
import { useMswServer } from "../helpers/msw";

const recorder = useMswServer();

const FAST = { rateLimit: false, retryOptions: { retryDelayInMs: 1, maxRetries: 3 } } as const;
const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
const ARM_SCOPE = "https://management.azure.com/.default";
/** A JWT-shaped string a careless credential might put in its message. */
const JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldA";

/** A credential whose getToken fails the way @azure/identity's errors do (matched by `name`). */
function failingCredential(name: string, message: string): TokenCredential & { calls: number } {
  const credential = {
    calls: 0,
    async getToken(): Promise<AccessToken> {
      credential.calls++;
      const e = new Error(message);
      e.name = name;
      throw e;
    },
  };
  return credential;
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

function expectAuthError(e: unknown, scope: string): AuthenticationError {
  if (!isAuthenticationError(e)) throw e;
  expect(isConnectionError(e)).toBe(false);
  expect(e.message).toContain(scope);
  expect(e.scopes).toEqual([scope]);
  expect(e.statusCode).toBe(0);
  return e;
}

const failures = [
  ["AuthenticationError", "ClientSecretCredential authentication failed: invalid_client AADSTS7000215"],
  ["CredentialUnavailableError", "ManagedIdentityCredential: no managed identity endpoint found"],
] as const;

describe("a credential that cannot produce a token", () => {
  it.each(failures)(
    "%s from getToken is an AuthenticationError naming the scope, asked once",
    async (name, msg) => {
      const credential = failingCredential(name, msg);
      const e = expectAuthError(
        await caught(new DefenderClient(credential, FAST).getIncident("42")),
        GRAPH_SCOPE,
      );
      expect(e.service).toBe("defender");
      expect(e.message).toContain(msg);
      expect((e.cause as Error).name).toBe(name);
      expect(credential.calls).toBe(1);
      expect(recorder.requests).toHaveLength(0);
    },
  );

  it("is the same for a SentinelClient listing", async () => {
    const credential = failingCredential("AuthenticationError", "invalid_client");
    const client = new SentinelClient(credential, {
      ...FAST,
      subscriptionId: "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0",
      resourceGroupName: "myRg",
      workspaceName: "myWorkspace",
    });
    const e = expectAuthError(
      await caught(
        (async () => {
          for await (const _ of client.listIncidents()) break;
        })(),
      ),
      ARM_SCOPE,
    );
    expect(e.service).toBe("sentinel");
    expect(credential.calls).toBe(1);
  });

  it("is the same against a loopback endpoint (plain http bearer policy)", async () => {
    const credential = failingCredential("CredentialUnavailableError", "no credential");
    const client = new DefenderClient(credential, { ...FAST, endpoint: "http://127.0.0.1:9/v1.0" });
    expectAuthError(await caught(client.getIncident("42")), "http://127.0.0.1:9/.default");
    expect(credential.calls).toBe(1);
    expect(recorder.requests).toHaveLength(0);
  });

  it("keeps a token-shaped string from the credential's message out of ours", async () => {
    const credential = failingCredential("AuthenticationError", `refresh failed for assertion ${JWT}`);
    const e = expectAuthError(
      await caught(new DefenderClient(credential, FAST).getIncident("42")),
      GRAPH_SCOPE,
    );
    expect(e.message).not.toContain(JWT);
    expect(e.message).not.toContain("c2lnbmF0dXJlLXNlY3JldA");
    expect(JSON.stringify(e)).not.toContain(JWT);
  });
});
