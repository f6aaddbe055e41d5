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
export type IpEvidence = Loose<typeof ipEvidenceShape>;

export const urlEvidenceShape = evidenceType("urlEvidence", {
  url: str,
});
export type UrlEvidence = Loose<typeof urlEvidenceShape>;

export const dnsEvidenceShape = evidenceType("dnsEvidence", {
  dnsServerIp: opt(evidenceRef("ipEvidence")),
  domainName: str,
  hostIpAddress: opt(evidenceRef("ipEvidence")),
  ipAddresses: optList(evidenceRef("ipEvidence")),
});
export type DnsEvidence = Loose<typeof dnsEvidenceShape>;

export const networkConnectionEvidenceShape = evidenceType("networkConnectionEvidence", {
  destinationAddress: opt(evidenceRef("ipEvidence")),
  destinationPort: int,
  protocol: opt(protocolTypeSchema),
  sourceAddress: opt(evidenceRef("ipEvidence")),
  sourcePort: int,
});
export type NetworkConnectionEvidence = Loose<typeof networkConnectionEvidenceShape>;
