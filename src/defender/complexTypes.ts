/**
 * The complex types of the Graph security data model that are not evidence: comments, file details, accounts,
 * and the small records evidence is made of. Shapes are plain zod shapes (see `schema/fields.ts`).
 */
import { containerPortProtocolSchema, fileHashAlgorithmSchema, vmCloudProviderSchema } from "./enums";
import {
  dateTime,
  defineType,
  double,
  int,
  type Loose,
  objectOf,
  opt,
  optList,
  type ReplaceKeys,
  str,
} from "./schema/fields";

// ---------------------------------------------------------------------------------------------------------------
// Comments

/** Incident doc samples still use the legacy names `createdBy`/`createdTime`; they are read as the v1.0 names. */
function renameLegacyCommentKeys(c: Record<string, unknown>): Record<string, unknown> {
  if (!Object.hasOwn(c, "createdBy") && !Object.hasOwn(c, "createdTime")) return c;
  const { createdBy, createdTime, ...rest } = c;
  return {
    ...rest,
    createdByDisplayName: rest.createdByDisplayName ?? createdBy,
    createdDateTime: rest.createdDateTime ?? createdTime,
  };
}

export const alertCommentShape = defineType(
  "alertComment",
  "complex",
  {
    comment: str,
    createdByDisplayName: str,
    createdDateTime: dateTime,
    createdBy: str,
    createdTime: dateTime,
  },
  { post: renameLegacyCommentKeys },
);
/** `alertComment`, always with the v1.0 names `createdByDisplayName`/`createdDateTime`. */
export type AlertComment = ReplaceKeys<
  Loose<typeof alertCommentShape>,
  "createdBy" | "createdTime",
  { createdByDisplayName?: string | null; createdDateTime?: string | null }
>;

// ---------------------------------------------------------------------------------------------------------------
// Records evidence is made of

export const fileDetailsShape = defineType("fileDetails", "complex", {
  fileName: str,
  filePath: str,
  filePublisher: str,
  fileSize: int,
  sha1: str,
  sha256: str,
  sha256Ac: str,
  md5: str,
  signer: str,
  issuer: str,
});
/** Graph `fileDetails`: a file's name, path, size (bytes), publisher, signer and hashes (SHA-1, SHA-256, MD5). */
export type FileDetails = Loose<typeof fileDetailsShape>;

export const resourceAccessEventShape = defineType("resourceAccessEvent", "complex", {
  accessDateTime: dateTime,
  accountId: str,
  ipAddress: str,
  resourceIdentifier: str,
});
/** Graph `resourceAccessEvent`: an access to a resource by an account, from an IP address, at a time. */
export type ResourceAccessEvent = Loose<typeof resourceAccessEventShape>;

export const userAccountShape = defineType("userAccount", "complex", {
  accountName: str,
  domainName: str,
  userSid: str,
  azureAdUserId: str,
  userPrincipalName: str,
  displayName: str,
  activeDirectoryObjectGuid: str,
  tenantId: str,
  resourceAccessEvents: optList(objectOf<ResourceAccessEvent>("resourceAccessEvent")),
});
/** Graph `userAccount`: the identifiers of a user account (account and domain name, SID, Entra object ID, UPN). */
export type UserAccount = Loose<typeof userAccountShape>;

export const vmMetadataShape = defineType("vmMetadata", "complex", {
  vmId: str,
  cloudProvider: opt(vmCloudProviderSchema),
  resourceId: str,
  subscriptionId: str,
});
/**
 * Graph `vmMetadata`: the cloud virtual machine a device is (VM ID, cloud provider, resource and subscription ID).
 */
export type VmMetadata = Loose<typeof vmMetadataShape>;

export const loggedOnUserShape = defineType("loggedOnUser", "complex", { accountName: str, domainName: str });
/** Graph `loggedOnUser`: a user logged on to a device (account and domain name). */
export type LoggedOnUser = Loose<typeof loggedOnUserShape>;

export const emailSenderShape = defineType("emailSender", "complex", {
  displayName: str,
  domainName: str,
  emailAddress: str,
});
/** Graph `emailSender`: the sender of an email message (display name, domain and address). */
export type EmailSender = Loose<typeof emailSenderShape>;

export const geoLocationShape = defineType("geoLocation", "complex", {
  city: str,
  countryName: str,
  state: str,
  latitude: double,
  longitude: double,
});
/** Graph `geoLocation`: where an IP address is (city, state, country, latitude and longitude in degrees). */
export type GeoLocation = Loose<typeof geoLocationShape>;

export const streamShape = defineType("stream", "complex", { name: str });
/** Graph `stream`: the data stream (source) an evidence item came from, by name. */
export type Stream = Loose<typeof streamShape>;

export const fileHashShape = defineType("fileHash", "complex", {
  algorithm: opt(fileHashAlgorithmSchema),
  value: str,
});
/** Graph `fileHash`: a file hash value and its algorithm. */
export type FileHash = Loose<typeof fileHashShape>;

export const kubernetesServicePortShape = defineType("kubernetesServicePort", "complex", {
  appProtocol: str,
  name: str,
  nodePort: int,
  port: int,
  protocol: opt(containerPortProtocolSchema),
  targetPort: str,
});
/** Graph `kubernetesServicePort`: a port a Kubernetes service exposes (port, target port, node port, protocol). */
export type KubernetesServicePort = Loose<typeof kubernetesServicePortShape>;

// The schemas these types are read with as fields of others.
export const alertCommentRef = objectOf<AlertComment>("alertComment");
export const fileDetailsRef = objectOf<FileDetails>("fileDetails");
export const userAccountRef = objectOf<UserAccount>("userAccount");
export const vmMetadataRef = objectOf<VmMetadata>("vmMetadata");
export const loggedOnUserRef = objectOf<LoggedOnUser>("loggedOnUser");
export const emailSenderRef = objectOf<EmailSender>("emailSender");
export const geoLocationRef = objectOf<GeoLocation>("geoLocation");
export const streamRef = objectOf<Stream>("stream");
export const fileHashRef = objectOf<FileHash>("fileHash");
export const kubernetesServicePortRef = objectOf<KubernetesServicePort>("kubernetesServicePort");
export const resourceAccessEventRef = objectOf<ResourceAccessEvent>("resourceAccessEvent");

/** The complex types above, by Graph name. */
export const complexTypeShapes = {
  alertComment: alertCommentShape,
  fileDetails: fileDetailsShape,
  resourceAccessEvent: resourceAccessEventShape,
  userAccount: userAccountShape,
  vmMetadata: vmMetadataShape,
  loggedOnUser: loggedOnUserShape,
  emailSender: emailSenderShape,
  geoLocation: geoLocationShape,
  stream: streamShape,
  fileHash: fileHashShape,
  kubernetesServicePort: kubernetesServicePortShape,
};
