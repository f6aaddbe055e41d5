/** Identity and application evidence: users, groups, domains, sign-in sessions, apps, AI agents. */
import { streamRef, userAccountRef } from "../complexTypes";
import { aiAgentPlatformSchema, servicePrincipalTypeSchema } from "../enums";
import { dateTime, int, type Loose, opt, optList, str } from "../schema/fields";
import { evidenceRef, evidenceType } from "./base";

export const userEvidenceShape = evidenceType("userEvidence", {
  stream: opt(streamRef),
  userAccount: opt(userAccountRef),
});
/**
 * Evidence of a user account involved in an alert (its `userAccount` details). Graph `@odata.type`:
 * `#microsoft.graph.security.userEvidence`.
 */
export type UserEvidence = Loose<typeof userEvidenceShape>;

export const securityGroupEvidenceShape = evidenceType("securityGroupEvidence", {
  activeDirectoryObjectGuid: str,
  displayName: str,
  distinguishedName: str,
  friendlyName: str,
  securityGroupId: str,
  sid: str,
});
/**
 * Evidence of an Active Directory or Microsoft Entra security group. Graph `@odata.type`:
 * `#microsoft.graph.security.securityGroupEvidence`.
 */
export type SecurityGroupEvidence = Loose<typeof securityGroupEvidenceShape>;

export const activeDirectoryDomainEvidenceShape = evidenceType("activeDirectoryDomainEvidence", {
  activeDirectoryDomainName: str,
  trustedDomains: optList(evidenceRef("activeDirectoryDomainEvidence")),
});
/**
 * Evidence of an on-premises Active Directory domain and the domains it trusts. Graph `@odata.type`:
 * `#microsoft.graph.security.activeDirectoryDomainEvidence`.
 */
export type ActiveDirectoryDomainEvidence = Loose<typeof activeDirectoryDomainEvidenceShape>;

export const cloudLogonRequestEvidenceShape = evidenceType("cloudLogonRequestEvidence", {
  requestId: str,
});
/**
 * Evidence of a Microsoft Entra sign-in request, by its request ID. Graph `@odata.type`:
 * `#microsoft.graph.security.cloudLogonRequestEvidence`.
 */
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
/**
 * Evidence of a cloud sign-in session: the account, device, browser, protocol and start time. Graph `@odata.type`:
 * `#microsoft.graph.security.cloudLogonSessionEvidence`.
 */
export type CloudLogonSessionEvidence = Loose<typeof cloudLogonSessionEvidenceShape>;

export const servicePrincipalEvidenceShape = evidenceType("servicePrincipalEvidence", {
  appId: str,
  appOwnerTenantId: str,
  servicePrincipalName: str,
  servicePrincipalObjectId: str,
  servicePrincipalType: opt(servicePrincipalTypeSchema),
  tenantId: str,
});
/**
 * Evidence of a Microsoft Entra service principal (an application's identity in a tenant). Graph `@odata.type`:
 * `#microsoft.graph.security.servicePrincipalEvidence`.
 */
export type ServicePrincipalEvidence = Loose<typeof servicePrincipalEvidenceShape>;

export const oauthApplicationEvidenceShape = evidenceType("oauthApplicationEvidence", {
  appId: str,
  displayName: str,
  objectId: str,
  publisher: str,
});
/**
 * Evidence of an OAuth application registered in Microsoft Entra ID. Graph `@odata.type`:
 * `#microsoft.graph.security.oauthApplicationEvidence`.
 */
export type OauthApplicationEvidence = Loose<typeof oauthApplicationEvidenceShape>;

export const cloudApplicationEvidenceShape = evidenceType("cloudApplicationEvidence", {
  appId: int,
  displayName: str,
  instanceId: int,
  instanceName: str,
  saasAppId: int,
  stream: opt(streamRef),
});
/**
 * Evidence of a cloud (SaaS) application seen by Defender for Cloud Apps. Graph `@odata.type`:
 * `#microsoft.graph.security.cloudApplicationEvidence`.
 */
export type CloudApplicationEvidence = Loose<typeof cloudApplicationEvidenceShape>;

export const aiAgentEvidenceShape = evidenceType("aiAgentEvidence", {
  agentId: str,
  agentName: str,
  hostingPlatformType: opt(aiAgentPlatformSchema),
  instructions: str,
});
/**
 * Evidence of an AI agent: its ID, name, hosting platform and instructions. Graph `@odata.type`:
 * `#microsoft.graph.security.aiAgentEvidence`.
 */
export type AiAgentEvidence = Loose<typeof aiAgentEvidenceShape>;
