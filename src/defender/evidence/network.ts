/** Network evidence: IP addresses, URLs, DNS lookups and connections. */
import { geoLocationRef, streamRef } from "../complexTypes";
import { protocolTypeSchema } from "../enums";
import { int, type Loose, opt, optList, str } from "../schema/fields";
import { evidenceRef, evidenceType } from "./base";

export const ipEvidenceShape = evidenceType("ipEvidence", {
  countryLetterCode: str,
  ipAddress: str,
  location: opt(geoLocationRef),
  stream: opt(streamRef),
});
/**
 * Evidence of an IP address, with its country and geolocation. Graph `@odata.type`:
 * `#microsoft.graph.security.ipEvidence`.
 */
export type IpEvidence = Loose<typeof ipEvidenceShape>;

export const urlEvidenceShape = evidenceType("urlEvidence", {
  url: str,
});
/** Evidence of a URL. Graph `@odata.type`: `#microsoft.graph.security.urlEvidence`. */
export type UrlEvidence = Loose<typeof urlEvidenceShape>;

export const dnsEvidenceShape = evidenceType("dnsEvidence", {
  dnsServerIp: opt(evidenceRef("ipEvidence")),
  domainName: str,
  hostIpAddress: opt(evidenceRef("ipEvidence")),
  ipAddresses: optList(evidenceRef("ipEvidence")),
});
/**
 * Evidence of a DNS lookup: the domain name, the DNS server, the querying host and the resolved IPs. Graph
 * `@odata.type`: `#microsoft.graph.security.dnsEvidence`.
 */
export type DnsEvidence = Loose<typeof dnsEvidenceShape>;

export const networkConnectionEvidenceShape = evidenceType("networkConnectionEvidence", {
  destinationAddress: opt(evidenceRef("ipEvidence")),
  destinationPort: int,
  protocol: opt(protocolTypeSchema),
  sourceAddress: opt(evidenceRef("ipEvidence")),
  sourcePort: int,
});
/**
 * Evidence of a network connection: source and destination addresses and ports, and protocol. Graph `@odata.type`:
 * `#microsoft.graph.security.networkConnectionEvidence`.
 */
export type NetworkConnectionEvidence = Loose<typeof networkConnectionEvidenceShape>;
