import { describe, expect, it } from "vitest";
import { isLoopbackHost, parseEndpoint, scopeForEndpoint } from "../../src/core/endpoint";
import { isInvalidArgumentError } from "../../src/core/errors";

function refused(endpoint: string): unknown {
  try {
    parseEndpoint(endpoint);
  } catch (e) {
    return e;
  }
  throw new Error(`${endpoint} was accepted`);
}

describe("parseEndpoint", () => {
  it("accepts https anywhere and strips a trailing slash", () => {
    expect(parseEndpoint("https://graph.microsoft.com/v1.0/").toString()).toBe(
      "https://graph.microsoft.com/v1.0",
    );
    expect(parseEndpoint("https://management.azure.com").origin).toBe("https://management.azure.com");
    expect(parseEndpoint("https://management.usgovcloudapi.net").hostname).toBe(
      "management.usgovcloudapi.net",
    );
  });

  it.each([
    "http://127.0.0.1:8080",
    "http://127.5.6.7",
    "http://localhost:3000/v1.0",
    "http://LOCALHOST",
    "http://[::1]:9000",
  ])("allows plain http on the loopback host %s", (endpoint) => {
    expect(parseEndpoint(endpoint).protocol).toBe("http:");
  });

  it.each([
    "http://graph.microsoft.com/v1.0",
    "http://localhost.evil.example",
    "http://127.0.0.1.nip.io",
    "http://10.0.0.1",
    "http://[::2]",
  ])("refuses plain http on the non-loopback host %s", (endpoint) => {
    const e = refused(endpoint);
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toMatch(/loopback/);
  });

  it.each([
    ["https://user:pass@graph.microsoft.com", /credentials/],
    ["https://token@graph.microsoft.com", /credentials/],
    ["https://graph.microsoft.com/v1.0?x=1", /query/],
    ["https://graph.microsoft.com/v1.0#frag", /query or fragment/],
    ["ftp://graph.microsoft.com", /protocol/],
    ["graph.microsoft.com", /absolute URL/],
  ])("refuses %s", (endpoint, message) => {
    const e = refused(endpoint);
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toMatch(message);
  });
});

describe("isLoopbackHost", () => {
  it("knows 127.0.0.0/8, ::1 and localhost only", () => {
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("127.255.0.9")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("128.0.0.1")).toBe(false);
    expect(isLoopbackHost("example.com")).toBe(false);
  });
});

describe("scopeForEndpoint", () => {
  it.each([
    ["https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default"],
    ["https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default"],
    ["https://dod-graph.microsoft.us/v1.0", "https://dod-graph.microsoft.us/.default"],
    ["https://management.azure.com", "https://management.azure.com/.default"],
    ["https://management.usgovcloudapi.net/", "https://management.usgovcloudapi.net/.default"],
    ["https://management.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default"],
  ])("%s → %s", (endpoint, scope) => {
    expect(scopeForEndpoint(parseEndpoint(endpoint))).toBe(scope);
  });
});
