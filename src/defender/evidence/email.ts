/** Email and Teams evidence (Defender for Office 365). */
import { emailSenderRef, userAccountRef } from "../complexTypes";
import {
  antispamTeamsDirectionSchema,
  mailboxConfigurationTypeSchema,
  teamsDeliveryLocationSchema,
  teamsMessageDeliveryActionSchema,
} from "../enums";
import { bool, dateTime, int, type Loose, opt, optList, str, strList } from "../schema/fields";
import { evidenceRef, evidenceType } from "./base";

export const mailboxEvidenceShape = evidenceType("mailboxEvidence", {
  displayName: str,
  primaryAddress: str,
  upn: str,
  userAccount: opt(userAccountRef),
});
/**
 * Evidence of an Exchange Online mailbox and the account that owns it. Graph `@odata.type`:
 * `#microsoft.graph.security.mailboxEvidence`.
 */
export type MailboxEvidence = Loose<typeof mailboxEvidenceShape>;

export const analyzedMessageEvidenceShape = evidenceType("analyzedMessageEvidence", {
  antiSpamDirection: str,
  attachmentsCount: int,
  deliveryAction: str,
  deliveryLocation: str,
  internetMessageId: str,
  language: str,
  networkMessageId: str,
  p1Sender: opt(emailSenderRef),
  p2Sender: opt(emailSenderRef),
  receivedDateTime: dateTime,
  recipientEmailAddress: str,
  senderIp: str,
  subject: str,
  threatDetectionMethods: strList,
  threats: strList,
  urlCount: int,
  urls: strList,
  urn: str,
});
/**
 * Evidence of an email message Defender for Office 365 analyzed: senders, recipient, delivery, threats and URLs.
 * Graph `@odata.type`: `#microsoft.graph.security.analyzedMessageEvidence`.
 */
export type AnalyzedMessageEvidence = Loose<typeof analyzedMessageEvidenceShape>;

export const mailClusterEvidenceShape = evidenceType("mailClusterEvidence", {
  clusterBy: str,
  clusterByValue: str,
  emailCount: int,
  networkMessageIds: strList,
  query: str,
  urn: str,
});
/**
 * Evidence of a cluster of similar email messages (grouped by a property such as sender or URL). Graph `@odata.type`:
 * `#microsoft.graph.security.mailClusterEvidence`.
 */
export type MailClusterEvidence = Loose<typeof mailClusterEvidenceShape>;

export const mailboxConfigurationEvidenceShape = evidenceType("mailboxConfigurationEvidence", {
  configurationId: str,
  configurationType: opt(mailboxConfigurationTypeSchema),
  displayName: str,
  externalDirectoryObjectId: str,
  mailboxPrimaryAddress: str,
  upn: str,
});
/**
 * Evidence of a mailbox configuration change, such as a forwarding or delegation rule. Graph `@odata.type`:
 * `#microsoft.graph.security.mailboxConfigurationEvidence`.
 */
export type MailboxConfigurationEvidence = Loose<typeof mailboxConfigurationEvidenceShape>;

export const submissionMailEvidenceShape = evidenceType("submissionMailEvidence", {
  networkMessageId: str,
  recipient: str,
  reportType: str,
  sender: str,
  senderIp: str,
  subject: str,
  submissionDateTime: dateTime,
  submissionId: str,
  submitter: str,
});
/**
 * Evidence of an email message a user or admin submitted for analysis. Graph `@odata.type`:
 * `#microsoft.graph.security.submissionMailEvidence`.
 */
export type SubmissionMailEvidence = Loose<typeof submissionMailEvidenceShape>;

export const teamsMessageEvidenceShape = evidenceType("teamsMessageEvidence", {
  campaignId: str,
  channelId: str,
  deliveryAction: opt(teamsMessageDeliveryActionSchema),
  deliveryLocation: opt(teamsDeliveryLocationSchema),
  files: optList(evidenceRef("fileEvidence")),
  groupId: str,
  isExternal: bool,
  isOwned: bool,
  lastModifiedDateTime: dateTime,
  messageDirection: opt(antispamTeamsDirectionSchema),
  messageId: str,
  owningTenantId: str,
  parentMessageId: str,
  receivedDateTime: dateTime,
  recipients: strList,
  senderFromAddress: str,
  senderIP: str,
  sourceAppName: str,
  sourceId: str,
  subject: str,
  suspiciousRecipients: strList,
  threadId: str,
  threadType: str,
  urls: optList(evidenceRef("urlEvidence")),
});
/**
 * Evidence of a Microsoft Teams message: sender, recipients, delivery, files and URLs. Graph `@odata.type`:
 * `#microsoft.graph.security.teamsMessageEvidence`.
 */
export type TeamsMessageEvidence = Loose<typeof teamsMessageEvidenceShape>;
