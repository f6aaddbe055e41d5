/**
 * Authentication as the emulator sees it. Graph requests are routed to a tenant by their bearer token:
 * `emulator-token:<tenantId>` (what `emu.credential` hands out), or a JWT whose `tid` claim names the
 * tenant; any other non-empty token means the default tenant. ARM accepts any bearer token; the token is
 * the "principal" its throttling buckets are keyed by.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

/**
 * Prefix of the emulator's bearer tokens, `emulator-token:`; the tenant ID follows it, and Graph requests are routed
 * to that tenant.
 */
export const EMULATOR_TOKEN_PREFIX = "emulator-token:";
/** App id the emulator attributes API writes to (`lastModifiedBy: "API-App:<id>"`). */
export const EMULATOR_APP_ID = "6f9c1a52-3e0b-4f43-9d1e-5a0b7c2d8e41";
/** Object id of the emulator's service principal (author of API-written Sentinel comments). */
export const EMULATOR_APP_OBJECT_ID = "0c6a2c4e-8d7f-4b1a-9e3c-2f5d6a7b8c90";
export const EMULATOR_APP_NAME = "defender-sentinel-sync";

/** A TokenCredential whose tokens the emulator accepts, routed to `tenantId`. */
export function createEmulatorCredential(tenantId: string, now: () => number = Date.now): TokenCredential {
  return {
    async getToken(_scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
      return { token: `${EMULATOR_TOKEN_PREFIX}${tenantId}`, expiresOnTimestamp: now() + 3_600_000 };
    },
  };
}

export interface BearerInfo {
  token: string;
  /** Tenant named by the token, if it names one. */
  tenantId?: string;
  /** App id named by the token (JWT `appid`/`azp`). */
  appId?: string;
}

/** Reads `Authorization: Bearer <token>`; undefined when missing or empty. */
export function readBearer(headers: Headers): BearerInfo | undefined {
  const auth = headers.get("authorization");
  if (!auth) return undefined;
  const m = /^Bearer\s+(\S.*)$/i.exec(auth.trim());
  if (!m) return undefined;
  const token = m[1]!.trim();
  if (token.startsWith(EMULATOR_TOKEN_PREFIX)) {
    return { token, tenantId: token.slice(EMULATOR_TOKEN_PREFIX.length) || undefined };
  }
  const parts = token.split(".");
  if (parts.length === 3) {
    try {
      const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as Record<
        string,
        unknown
      >;
      return {
        token,
        tenantId: typeof claims.tid === "string" ? claims.tid : undefined,
        appId:
          typeof claims.appid === "string"
            ? claims.appid
            : typeof claims.azp === "string"
              ? claims.azp
              : undefined,
      };
    } catch {
      // not a JWT: an opaque token
    }
  }
  return { token };
}

export const GRAPH_WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

export function armWwwAuthenticate(missing: boolean): string {
  return missing
    ? `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="The authentication failed because of missing 'Authorization' header."`
    : `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="The access token is invalid."`;
}
