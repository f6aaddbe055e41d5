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
export type AnalyzedMessageEvidence = Loose<typeof analyzedMessageEvidenceShape>;

export const mailClusterEvidenceShape = evidenceType("mailClusterEvidence", {
  clusterBy: str,
  clusterByValue: str,
  emailCount: int,
  networkMessageIds: strList,
  query: str,
  urn: str,
});
export type MailClusterEvidence = Loose<typeof mailClusterEvidenceShape>;

export const mailboxConfigurationEvidenceShape = evidenceType("mailboxConfigurationEvidence", {
  configurationId: str,
  configurationType: opt(mailboxConfigurationTypeSchema),
  displayName: str,
  externalDirectoryObjectId: str,
  mailboxPrimaryAddress: str,
  upn: str,
});
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
export type TeamsMessageEvidence = Loose<typeof teamsMessageEvidenceShape>;
