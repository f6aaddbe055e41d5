import { createHttpHeaders } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  ConflictError,
  HttpResponseError,
  InvalidArgumentError,
  isAbortError,
  isAuthenticationError,
  isAuthorizationError,
  isBadRequestError,
  isConflictError,
  isConnectionError,
  isHttpResponseError,
  isInvalidArgumentError,
  isMappingError,
  isNotFoundError,
  isPagingError,
  isRequestTimeoutError,
  isResponseTooLargeError,
  isResponseValidationError,
  isServiceUnavailableError,
  isSyncSdkError,
  isThrottledError,
  isUntrustedHostError,
  MappingError,
  PagingError,
  RequestAbortedError,
  RequestTimeoutError,
  ResponseTooLargeError,
  SyncSdkError,
  ThrottledError,
  UntrustedHostError,
} from "../../src/core/errors";
import { redactRequest, redactUrl } from "../../src/core/redaction";

const request = { method: "GET", url: "https://graph.microsoft.com/v1.0/security/incidents", headers: {} };

describe("error guards", () => {
  it("recognize an error from 'another copy' of the package by its name", () => {
    const foreign = { name: "ConflictError", message: "Newer version of resource exists", statusCode: 409 };
    expect(isConflictError(foreign)).toBe(true);
    expect(isHttpResponseError(foreign)).toBe(true);
    expect(isSyncSdkError(foreign)).toBe(true);
    expect(isNotFoundError(foreign)).toBe(false);
    expect(foreign instanceof ConflictError).toBe(false);
  });

  it.each([
    ["BadRequestError", isBadRequestError],
    ["AuthenticationError", isAuthenticationError],
    ["AuthorizationError", isAuthorizationError],
    ["NotFoundError", isNotFoundError],
    ["ThrottledError", isThrottledError],
    ["ServiceUnavailableError", isServiceUnavailableError],
    ["ResponseValidationError", isResponseValidationError],
    ["ResponseTooLargeError", isResponseTooLargeError],
  ] as const)("%s is an HttpResponseError and a SyncSdkError", (name, guard) => {
    const e = { name };
    expect(guard(e)).toBe(true);
    expect(isHttpResponseError(e)).toBe(true);
    expect(isSyncSdkError(e)).toBe(true);
  });

  it.each([
    ["InvalidArgumentError", isInvalidArgumentError],
    ["UntrustedHostError", isUntrustedHostError],
    ["AbortError", isAbortError],
    ["ConnectionError", isConnectionError],
    ["MappingError", isMappingError],
    ["RequestTimeoutError", isRequestTimeoutError],
    ["PagingError", isPagingError],
  ] as const)("%s is a SyncSdkError but not an HttpResponseError", (name, guard) => {
    expect(guard({ name })).toBe(true);
    expect(isSyncSdkError({ name })).toBe(true);
    expect(isHttpResponseError({ name })).toBe(false);
  });

  it("reject non-objects and look-alikes", () => {
    for (const value of [
      null,
      undefined,
      "ConflictError",
      409,
      { name: "conflicterror" },
      { name: "Error" },
    ]) {
      expect(isConflictError(value)).toBe(false);
      expect(isSyncSdkError(value)).toBe(false);
    }
  });

  it("real instances carry their name, prototype chain and fields", () => {
    const e = new AuthenticationError("nope", { service: "defender", statusCode: 401, request });
    expect(e.name).toBe("AuthenticationError");
    expect(e).toBeInstanceOf(HttpResponseError);
    expect(e).toBeInstanceOf(SyncSdkError);
    expect(e).toBeInstanceOf(Error);
    expect(isAuthenticationError(e)).toBe(true);

    const t = new ThrottledError("slow down", {
      service: "sentinel",
      statusCode: 429,
      request,
      retryAfterInMs: 3000,
    });
    expect(t.retryAfterInMs).toBe(3000);

    const a = new InvalidArgumentError("id", "bad", [{ path: "id", message: "bad" }]);
    expect(a.message).toBe("Invalid id: bad");
    expect(a.argument).toBe("id");
    expect(a.issues).toHaveLength(1);

    expect(new RequestAbortedError("stop").name).toBe("AbortError");
    const m = new MappingError({ field: "severity", mapper: "toSentinel", message: "unknown" });
    expect(m.message).toContain("severity");
    expect(m.issues).toEqual([]);
  });

  it("UntrustedHostError names only the foreign origin, never its query", () => {
    const e = new UntrustedHostError(
      "https://evil.example.com/steal?$skipToken=SECRET-SKIP&code=abc",
      "https://graph.microsoft.com",
    );
    expect(e.message).toContain("https://evil.example.com");
    expect(e.message).not.toContain("SECRET-SKIP");
    expect(e.url).toBe("https://evil.example.com/steal");
    expect(JSON.stringify(e)).not.toContain("SECRET-SKIP");
  });
});

describe("errors of a hostile service", () => {
  it("a RequestTimeoutError is a ConnectionError (transient), and a ResponseTooLargeError a ResponseValidationError", () => {
    const t = new RequestTimeoutError("slow", { service: "defender", timeoutInMs: 100, request });
    expect(isConnectionError(t)).toBe(true);
    expect(isConnectionError({ name: "RequestTimeoutError" })).toBe(true);
    expect(isRequestTimeoutError({ name: "ConnectionError" })).toBe(false);
    expect(t).toMatchObject({ timeoutInMs: 100, service: "defender", request });

    const big = new ResponseTooLargeError("big", {
      service: "sentinel",
      statusCode: 200,
      request,
      maxResponseBytes: 10,
      receivedBytes: 11,
    });
    expect(isResponseValidationError(big)).toBe(true);
    expect(isResponseTooLargeError({ name: "ResponseValidationError" })).toBe(false);
    expect(big.issues).toEqual([{ path: "", message: "body larger than 10 bytes" }]);
    expect(big.declaredBytes).toBeUndefined();
  });

  it("a PagingError carries service, reason and page count", () => {
    const p = new PagingError({ service: "defender", reason: "emptyPages", pages: 10, message: "stopped" });
    expect(p).toBeInstanceOf(SyncSdkError);
    expect(p).toMatchObject({ name: "PagingError", service: "defender", reason: "emptyPages", pages: 10 });
  });
});

describe("redactRequest / redactUrl", () => {
  it("replaces Authorization and other non-allowlisted headers, keeps the safe ones", () => {
    const headers = createHttpHeaders({
      Authorization: "Bearer SECRET-TOKEN-123",
      Cookie: "session=abc",
      Accept: "application/json",
      Prefer: "include-unknown-enum-members",
      "x-ms-client-request-id": "rid",
    });
    const r = redactRequest("GET", "https://graph.microsoft.com/v1.0/security/incidents", headers);
    const text = JSON.stringify(r);
    expect(text).not.toContain("SECRET-TOKEN-123");
    expect(text).not.toContain("session=abc");
    expect(r.headers.Authorization).toBe("REDACTED");
    expect(r.headers.Cookie).toBe("REDACTED");
    expect(r.headers.Accept).toBe("application/json");
    expect(r.headers.Prefer).toBe("include-unknown-enum-members");
    expect(r.headers["x-ms-client-request-id"]).toBe("rid");
  });

  it("redacts $skipToken (any casing) and unknown parameters, keeps OData options and api-version", () => {
    const url =
      "https://management.azure.com/subscriptions/s/incidents?api-version=2025-09-01&$top=5&$filter=properties%2Fstatus%20eq%20'New'&$skipToken=SKIP-SECRET&$skiptoken=SKIP2&sig=SIG-SECRET";
    const out = redactUrl(url);
    expect(out).not.toContain("SKIP-SECRET");
    expect(out).not.toContain("SKIP2");
    expect(out).not.toContain("SIG-SECRET");
    const params = new URL(out).searchParams;
    expect(params.get("api-version")).toBe("2025-09-01");
    expect(params.get("$top")).toBe("5");
    expect(params.get("$filter")).toBe("properties/status eq 'New'");
    expect(params.get("$skipToken")).toBe("REDACTED");
    expect(params.get("sig")).toBe("REDACTED");
  });

  it("removes credentials embedded in the URL and survives garbage", () => {
    expect(redactUrl("https://user:pw@graph.microsoft.com/x")).toBe("https://graph.microsoft.com/x");
    expect(redactUrl("not a url")).toBe("<unparseable url>");
  });
});
