/** Identity and application evidence: users, groups, domains, sign-in sessions, apps, AI agents. */
import { streamRef, userAccountRef } from "../complexTypes";
import { aiAgentPlatformSchema, servicePrincipalTypeSchema } from "../enums";
import { dateTime, int, type Loose, opt, optList, str } from "../schema/fields";
import { evidenceRef, evidenceType } from "./base";

export const userEvidenceShape = evidenceType("userEvidence", {
  stream: opt(streamRef),
  userAccount: opt(userAccountRef),
});
export type UserEvidence = Loose<typeof userEvidenceShape>;

export const securityGroupEvidenceShape = evidenceType("securityGroupEvidence", {
  activeDirectoryObjectGuid: str,
  displayName: str,
  distinguishedName: str,
  friendlyName: str,
  securityGroupId: str,
  sid: str,
});
export type SecurityGroupEvidence = Loose<typeof securityGroupEvidenceShape>;

export const activeDirectoryDomainEvidenceShape = evidenceType("activeDirectoryDomainEvidence", {
  activeDirectoryDomainName: str,
  trustedDomains: optList(evidenceRef("activeDirectoryDomainEvidence")),
});
export type ActiveDirectoryDomainEvidence = Loose<typeof activeDirectoryDomainEvidenceShape>;

export const cloudLogonRequestEvidenceShape = evidenceType("cloudLogonRequestEvidence", {
  requestId: str,
});
export type CloudLogonRequestEvidence = Loose<typeof cloudLogonRequestEvidenceShape>;

export const cloudLogonSessionEvidenceShape = evidenceType("cloudLogonSessionEvidence", {
  account: opt(evidenceRef("userEvidence")),
  browser: str,
  deviceName: str,
  operatingSystem: str,
  previousLogonDateTime: dateTime,
  protocol: str,
  sessionId: str,
  startUtcDateTime: dateTime,
  userAgent: str,
});
export type CloudLogonSessionEvidence = Loose<typeof cloudLogonSessionEvidenceShape>;

export const servicePrincipalEvidenceShape = evidenceType("servicePrincipalEvidence", {
  appId: str,
  appOwnerTenantId: str,
  servicePrincipalName: str,
  servicePrincipalObjectId: str,
  servicePrincipalType: opt(servicePrincipalTypeSchema),
  tenantId: str,
});
export type ServicePrincipalEvidence = Loose<typeof servicePrincipalEvidenceShape>;

export const oauthApplicationEvidenceShape = evidenceType("oauthApplicationEvidence", {
  appId: str,
  displayName: str,
  objectId: str,
  publisher: str,
});
export type OauthApplicationEvidence = Loose<typeof oauthApplicationEvidenceShape>;

export const cloudApplicationEvidenceShape = evidenceType("cloudApplicationEvidence", {
  appId: int,
  displayName: str,
  instanceId: int,
  instanceName: str,
  saasAppId: int,
  stream: opt(streamRef),
});
export type CloudApplicationEvidence = Loose<typeof cloudApplicationEvidenceShape>;

export const aiAgentEvidenceShape = evidenceType("aiAgentEvidence", {
  agentId: str,
  agentName: str,
  hostingPlatformType: opt(aiAgentPlatformSchema),
  instructions: str,
});
export type AiAgentEvidence = Loose<typeof aiAgentEvidenceShape>;
