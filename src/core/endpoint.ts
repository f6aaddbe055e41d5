import { InvalidArgumentError } from "./errors";

const loopbackHostnames = new Set(["localhost", "[::1]", "::1"]);

/** True for 127.0.0.0/8, ::1 and localhost: the only hosts allowed over plain http (the emulator). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (loopbackHostnames.has(host)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Parses and checks a configured endpoint: https anywhere, http only on loopback. Returns it without a
 * trailing slash.
 */
export function parseEndpoint(endpoint: string, argument = "endpoint"): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InvalidArgumentError(argument, `"${endpoint}" is not an absolute URL`);
  }
  if (url.username || url.password) throw new InvalidArgumentError(argument, "must not contain credentials");
  if (url.search || url.hash)
    throw new InvalidArgumentError(argument, "must not contain a query or fragment");
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname)) {
      throw new InvalidArgumentError(argument, "plain http is only allowed for loopback hosts; use https");
    }
  } else if (url.protocol !== "https:") {
    throw new InvalidArgumentError(argument, `unsupported protocol ${url.protocol}`);
  }
  url.pathname = url.pathname.replace(/\/+$/, "");
  return url;
}

/**
 * The AAD scope for a resource endpoint: `<origin>/.default`. This covers the public cloud
 * (graph.microsoft.com, management.azure.com) and the sovereign clouds (graph.microsoft.us,
 * dod-graph.microsoft.us, management.usgovcloudapi.net, management.chinacloudapi.cn, …).
 */
export function scopeForEndpoint(endpoint: URL): string {
  return `${endpoint.origin}/.default`;
}
