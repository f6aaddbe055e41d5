/**
 * Every evidence type of the Graph security data model (the 48 types derived from `alertEvidence`), each parsed
 * as its own typed member of the `AlertEvidence` union, discriminated by `@odata.type`.
 */
import type { z } from "zod";
import { isGenericEvidence } from "../parseWarnings";
import { fastSchema } from "../schema/fastSchema";
import type { Loose } from "../schema/fields";
import { canonicalOdataType } from "../schema/odataType";
import { objectReader, readEvidenceItem, readUnknownEvidence } from "../schema/reader";
import { alertEvidenceShape } from "./base";
import {
  type AmazonResourceEvidence,
  type AzureResourceEvidence,
  amazonResourceEvidenceShape,
  azureResourceEvidenceShape,
  type BlobContainerEvidence,
  type BlobEvidence,
  blobContainerEvidenceShape,
  blobEvidenceShape,
  type GitHubOrganizationEvidence,
  type GitHubRepoEvidence,
  type GitHubUserEvidence,
  type GoogleCloudResourceEvidence,
  gitHubOrganizationEvidenceShape,
  gitHubRepoEvidenceShape,
  gitHubUserEvidenceShape,
  googleCloudResourceEvidenceShape,
  type SasTokenEvidence,
  sasTokenEvidenceShape,
} from "./cloud";
import {
  type ContainerEvidence,
  type ContainerImageEvidence,
  type ContainerRegistryEvidence,
  containerEvidenceShape,
  containerImageEvidenceShape,
  containerRegistryEvidenceShape,
  type KubernetesClusterEvidence,
  type KubernetesControllerEvidence,
  type KubernetesNamespaceEvidence,
  type KubernetesPodEvidence,
  type KubernetesSecretEvidence,
  type KubernetesServiceAccountEvidence,
  type KubernetesServiceEvidence,
  kubernetesClusterEvidenceShape,
  kubernetesControllerEvidenceShape,
  kubernetesNamespaceEvidenceShape,
  kubernetesPodEvidenceShape,
  kubernetesSecretEvidenceShape,
  kubernetesServiceAccountEvidenceShape,
  kubernetesServiceEvidenceShape,
} from "./containers";
import {
  type DeviceEvidence,
  deviceEvidenceShape,
  type FileEvidence,
  type FileHashEvidence,
  fileEvidenceShape,
  fileHashEvidenceShape,
  type HostLogonSessionEvidence,
  hostLogonSessionEvidenceShape,
  type IoTDeviceEvidence,
  ioTDeviceEvidenceShape,
  type MalwareEvidence,
  malwareEvidenceShape,
  type NicEvidence,
  nicEvidenceShape,
  type ProcessEvidence,
  processEvidenceShape,
  type RegistryKeyEvidence,
  type RegistryValueEvidence,
  registryKeyEvidenceShape,
  registryValueEvidenceShape,
} from "./devices";
import {
  type AnalyzedMessageEvidence,
  analyzedMessageEvidenceShape,
  type MailboxConfigurationEvidence,
  type MailboxEvidence,
  type MailClusterEvidence,
  mailboxConfigurationEvidenceShape,
  mailboxEvidenceShape,
  mailClusterEvidenceShape,
  type SubmissionMailEvidence,
  submissionMailEvidenceShape,
  type TeamsMessageEvidence,
  teamsMessageEvidenceShape,
} from "./email";
import {
  type ActiveDirectoryDomainEvidence,
  type AiAgentEvidence,
  activeDirectoryDomainEvidenceShape,
  aiAgentEvidenceShape,
  type CloudApplicationEvidence,
  type CloudLogonRequestEvidence,
  type CloudLogonSessionEvidence,
  cloudApplicationEvidenceShape,
  cloudLogonRequestEvidenceShape,
  cloudLogonSessionEvidenceShape,
  type OauthApplicationEvidence,
  oauthApplicationEvidenceShape,
  type SecurityGroupEvidence,
  type ServicePrincipalEvidence,
  securityGroupEvidenceShape,
  servicePrincipalEvidenceShape,
  type UserEvidence,
  userEvidenceShape,
} from "./identity";
import {
  type DnsEvidence,
  dnsEvidenceShape,
  type IpEvidence,
  ipEvidenceShape,
  type NetworkConnectionEvidence,
  networkConnectionEvidenceShape,
  type UrlEvidence,
  urlEvidenceShape,
} from "./network";

export { alertEvidenceBaseShape, alertEvidenceShape, type NestedEvidence } from "./base";
export * from "./cloud";
export * from "./containers";
export * from "./devices";
export * from "./email";
export * from "./identity";
export * from "./network";

/** The evidence types this package parses into typed members, by their Graph name. */
export const knownEvidenceTypes = [
  "activeDirectoryDomainEvidence",
  "aiAgentEvidence",
  "amazonResourceEvidence",
  "analyzedMessageEvidence",
  "azureResourceEvidence",
  "blobContainerEvidence",
  "blobEvidence",
  "cloudApplicationEvidence",
  "cloudLogonRequestEvidence",
  "cloudLogonSessionEvidence",
  "containerEvidence",
  "containerImageEvidence",
  "containerRegistryEvidence",
  "deviceEvidence",
  "dnsEvidence",
  "fileEvidence",
  "fileHashEvidence",
  "gitHubOrganizationEvidence",
  "gitHubRepoEvidence",
  "gitHubUserEvidence",
  "googleCloudResourceEvidence",
  "hostLogonSessionEvidence",
  "ioTDeviceEvidence",
  "ipEvidence",
  "kubernetesClusterEvidence",
  "kubernetesControllerEvidence",
  "kubernetesNamespaceEvidence",
  "kubernetesPodEvidence",
  "kubernetesSecretEvidence",
  "kubernetesServiceAccountEvidence",
  "kubernetesServiceEvidence",
  "mailClusterEvidence",
  "mailboxConfigurationEvidence",
  "mailboxEvidence",
  "malwareEvidence",
  "networkConnectionEvidence",
  "nicEvidence",
  "oauthApplicationEvidence",
  "processEvidence",
  "registryKeyEvidence",
  "registryValueEvidence",
  "sasTokenEvidence",
  "securityGroupEvidence",
  "servicePrincipalEvidence",
  "submissionMailEvidence",
  "teamsMessageEvidence",
  "urlEvidence",
  "userEvidence",
] as const;
/**
 * The short name of an evidence type this package knows and parses into its own type (`userEvidence`, `ipEvidence`,
 * ...); the Graph `@odata.type` is `#microsoft.graph.security.` followed by this name.
 */
export type KnownEvidenceType = (typeof knownEvidenceTypes)[number];

/** The parsed type of each known evidence kind, keyed by its short name. */
export interface KnownEvidenceMap {
  activeDirectoryDomainEvidence: ActiveDirectoryDomainEvidence;
  aiAgentEvidence: AiAgentEvidence;
  amazonResourceEvidence: AmazonResourceEvidence;
  analyzedMessageEvidence: AnalyzedMessageEvidence;
  azureResourceEvidence: AzureResourceEvidence;
  blobContainerEvidence: BlobContainerEvidence;
  blobEvidence: BlobEvidence;
  cloudApplicationEvidence: CloudApplicationEvidence;
  cloudLogonRequestEvidence: CloudLogonRequestEvidence;
  cloudLogonSessionEvidence: CloudLogonSessionEvidence;
  containerEvidence: ContainerEvidence;
  containerImageEvidence: ContainerImageEvidence;
  containerRegistryEvidence: ContainerRegistryEvidence;
  deviceEvidence: DeviceEvidence;
  dnsEvidence: DnsEvidence;
  fileEvidence: FileEvidence;
  fileHashEvidence: FileHashEvidence;
  gitHubOrganizationEvidence: GitHubOrganizationEvidence;
  gitHubRepoEvidence: GitHubRepoEvidence;
  gitHubUserEvidence: GitHubUserEvidence;
  googleCloudResourceEvidence: GoogleCloudResourceEvidence;
  hostLogonSessionEvidence: HostLogonSessionEvidence;
  ioTDeviceEvidence: IoTDeviceEvidence;
  ipEvidence: IpEvidence;
  kubernetesClusterEvidence: KubernetesClusterEvidence;
  kubernetesControllerEvidence: KubernetesControllerEvidence;
  kubernetesNamespaceEvidence: KubernetesNamespaceEvidence;
  kubernetesPodEvidence: KubernetesPodEvidence;
  kubernetesSecretEvidence: KubernetesSecretEvidence;
  kubernetesServiceAccountEvidence: KubernetesServiceAccountEvidence;
  kubernetesServiceEvidence: KubernetesServiceEvidence;
  mailClusterEvidence: MailClusterEvidence;
  mailboxConfigurationEvidence: MailboxConfigurationEvidence;
  mailboxEvidence: MailboxEvidence;
  malwareEvidence: MalwareEvidence;
  networkConnectionEvidence: NetworkConnectionEvidence;
  nicEvidence: NicEvidence;
  oauthApplicationEvidence: OauthApplicationEvidence;
  processEvidence: ProcessEvidence;
  registryKeyEvidence: RegistryKeyEvidence;
  registryValueEvidence: RegistryValueEvidence;
  sasTokenEvidence: SasTokenEvidence;
  securityGroupEvidence: SecurityGroupEvidence;
  servicePrincipalEvidence: ServicePrincipalEvidence;
  submissionMailEvidence: SubmissionMailEvidence;
  teamsMessageEvidence: TeamsMessageEvidence;
  urlEvidence: UrlEvidence;
  userEvidence: UserEvidence;
}

/** Evidence of a type not modelled here, without a type, or malformed: the base fields plus all it carried. */
export type UnknownEvidence = Loose<typeof alertEvidenceShape>;

/** Any evidence item: a known type (narrow with `isEvidenceType`) or generic evidence. */
export type AlertEvidence = KnownEvidenceMap[KnownEvidenceType] | UnknownEvidence;

/** The shape of each known evidence type, by Graph name. */
export const knownEvidenceShapes = {
  activeDirectoryDomainEvidence: activeDirectoryDomainEvidenceShape,
  aiAgentEvidence: aiAgentEvidenceShape,
  amazonResourceEvidence: amazonResourceEvidenceShape,
  analyzedMessageEvidence: analyzedMessageEvidenceShape,
  azureResourceEvidence: azureResourceEvidenceShape,
  blobContainerEvidence: blobContainerEvidenceShape,
  blobEvidence: blobEvidenceShape,
  cloudApplicationEvidence: cloudApplicationEvidenceShape,
  cloudLogonRequestEvidence: cloudLogonRequestEvidenceShape,
  cloudLogonSessionEvidence: cloudLogonSessionEvidenceShape,
  containerEvidence: containerEvidenceShape,
  containerImageEvidence: containerImageEvidenceShape,
  containerRegistryEvidence: containerRegistryEvidenceShape,
  deviceEvidence: deviceEvidenceShape,
  dnsEvidence: dnsEvidenceShape,
  fileEvidence: fileEvidenceShape,
  fileHashEvidence: fileHashEvidenceShape,
  gitHubOrganizationEvidence: gitHubOrganizationEvidenceShape,
  gitHubRepoEvidence: gitHubRepoEvidenceShape,
  gitHubUserEvidence: gitHubUserEvidenceShape,
  googleCloudResourceEvidence: googleCloudResourceEvidenceShape,
  hostLogonSessionEvidence: hostLogonSessionEvidenceShape,
  ioTDeviceEvidence: ioTDeviceEvidenceShape,
  ipEvidence: ipEvidenceShape,
  kubernetesClusterEvidence: kubernetesClusterEvidenceShape,
  kubernetesControllerEvidence: kubernetesControllerEvidenceShape,
  kubernetesNamespaceEvidence: kubernetesNamespaceEvidenceShape,
  kubernetesPodEvidence: kubernetesPodEvidenceShape,
  kubernetesSecretEvidence: kubernetesSecretEvidenceShape,
  kubernetesServiceAccountEvidence: kubernetesServiceAccountEvidenceShape,
  kubernetesServiceEvidence: kubernetesServiceEvidenceShape,
  mailClusterEvidence: mailClusterEvidenceShape,
  mailboxConfigurationEvidence: mailboxConfigurationEvidenceShape,
  mailboxEvidence: mailboxEvidenceShape,
  malwareEvidence: malwareEvidenceShape,
  networkConnectionEvidence: networkConnectionEvidenceShape,
  nicEvidence: nicEvidenceShape,
  oauthApplicationEvidence: oauthApplicationEvidenceShape,
  processEvidence: processEvidenceShape,
  registryKeyEvidence: registryKeyEvidenceShape,
  registryValueEvidence: registryValueEvidenceShape,
  sasTokenEvidence: sasTokenEvidenceShape,
  securityGroupEvidence: securityGroupEvidenceShape,
  servicePrincipalEvidence: servicePrincipalEvidenceShape,
  submissionMailEvidence: submissionMailEvidenceShape,
  teamsMessageEvidence: teamsMessageEvidenceShape,
  urlEvidence: urlEvidenceShape,
  userEvidence: userEvidenceShape,
};

/** Every evidence type, with the base type `alertEvidence`, by Graph name. */
export const evidenceTypeShapes = { alertEvidence: alertEvidenceShape, ...knownEvidenceShapes };

type EvidenceSchemas = { [K in KnownEvidenceType]: z.ZodType<KnownEvidenceMap[K], unknown> };

/** One schema per known evidence type: `@odata.type` must name the type (any spelling; output canonical). */
export const evidenceSchemas = Object.fromEntries(
  knownEvidenceTypes.map((name) => [name, fastSchema(objectReader(name, "top"), evidenceTypeShapes)]),
) as EvidenceSchemas;

export const deviceEvidenceSchema = evidenceSchemas.deviceEvidence;
export const userEvidenceSchema = evidenceSchemas.userEvidence;
export const ipEvidenceSchema = evidenceSchemas.ipEvidence;
export const urlEvidenceSchema = evidenceSchemas.urlEvidence;
export const fileEvidenceSchema = evidenceSchemas.fileEvidence;
export const processEvidenceSchema = evidenceSchemas.processEvidence;
export const mailboxEvidenceSchema = evidenceSchemas.mailboxEvidence;
export const analyzedMessageEvidenceSchema = evidenceSchemas.analyzedMessageEvidence;
export const mailClusterEvidenceSchema = evidenceSchemas.mailClusterEvidence;
export const cloudApplicationEvidenceSchema = evidenceSchemas.cloudApplicationEvidence;
export const oauthApplicationEvidenceSchema = evidenceSchemas.oauthApplicationEvidence;
export const registryKeyEvidenceSchema = evidenceSchemas.registryKeyEvidence;
export const registryValueEvidenceSchema = evidenceSchemas.registryValueEvidence;
export const securityGroupEvidenceSchema = evidenceSchemas.securityGroupEvidence;

/**
 * Evidence of a type this package does not model. It only matches such types, so a known type is never
 * silently downgraded; all its fields are kept.
 */
export const unknownEvidenceSchema = fastSchema<UnknownEvidence>(readUnknownEvidence, evidenceTypeShapes);

/**
 * One evidence item of any type: a known type is checked against its schema (and fails when it does not
 * match), an unknown one is read as the base type and kept whole, one without `@odata.type` is read as the base
 * type `#microsoft.graph.security.alertEvidence`. Inside an alert, evidence is read tolerantly instead: an item
 * that fails is kept as generic evidence with a warning (see `parseWarningsOf`).
 */
export const alertEvidenceSchema = fastSchema<AlertEvidence>(
  (value, st, key) => readEvidenceItem(value, st, key, true),
  evidenceTypeShapes,
);

/**
 * Narrows parsed evidence to one known type. Comparing `@odata.type` directly does not narrow fully, because
 * the generic member's `@odata.type` is a plain `string`, and an item kept generic because it did not match its
 * type still carries that type's name.
 */
export function isEvidenceType<K extends KnownEvidenceType>(
  evidence: AlertEvidence,
  type: K,
): evidence is KnownEvidenceMap[K] {
  return evidence["@odata.type"] === canonicalOdataType(type) && !isGenericEvidence(evidence);
}
