/** Cloud resource evidence: Azure, AWS, Google Cloud, storage, GitHub. */
import { fileHashRef } from "../complexTypes";
import { googleCloudLocationTypeSchema } from "../enums";
import { dateTime, int, type Loose, opt, optList, str, strList } from "../schema/fields";
import { evidenceRef, evidenceType } from "./base";

export const amazonResourceEvidenceShape = evidenceType("amazonResourceEvidence", {
  amazonAccountId: str,
  amazonResourceId: str,
  resourceName: str,
  resourceType: str,
});
/**
 * Evidence of an Amazon Web Services resource: its account ID, resource ID, name and type. Graph `@odata.type`:
 * `#microsoft.graph.security.amazonResourceEvidence`.
 */
export type AmazonResourceEvidence = Loose<typeof amazonResourceEvidenceShape>;

export const azureResourceEvidenceShape = evidenceType("azureResourceEvidence", {
  resourceId: str,
  resourceName: str,
  resourceType: str,
});
/**
 * Evidence of an Azure resource, identified by its ARM resource ID. Graph `@odata.type`:
 * `#microsoft.graph.security.azureResourceEvidence`.
 */
export type AzureResourceEvidence = Loose<typeof azureResourceEvidenceShape>;

export const googleCloudResourceEvidenceShape = evidenceType("googleCloudResourceEvidence", {
  fullResourceName: str,
  location: str,
  locationType: opt(googleCloudLocationTypeSchema),
  projectId: str,
  projectNumber: int,
  resourceName: str,
  resourceType: str,
});
/**
 * Evidence of a Google Cloud resource: full resource name, project, location and type. Graph `@odata.type`:
 * `#microsoft.graph.security.googleCloudResourceEvidence`.
 */
export type GoogleCloudResourceEvidence = Loose<typeof googleCloudResourceEvidenceShape>;

export const blobContainerEvidenceShape = evidenceType("blobContainerEvidence", {
  name: str,
  storageResource: opt(evidenceRef("azureResourceEvidence")),
  url: str,
});
/**
 * Evidence of an Azure Storage blob container, with the storage account it belongs to. Graph `@odata.type`:
 * `#microsoft.graph.security.blobContainerEvidence`.
 */
export type BlobContainerEvidence = Loose<typeof blobContainerEvidenceShape>;

export const blobEvidenceShape = evidenceType("blobEvidence", {
  blobContainer: opt(evidenceRef("blobContainerEvidence")),
  etag: str,
  fileHashes: optList(fileHashRef),
  name: str,
  url: str,
});
/**
 * Evidence of a blob in Azure Storage: name, URL, ETag, file hashes and its container. Graph `@odata.type`:
 * `#microsoft.graph.security.blobEvidence`.
 */
export type BlobEvidence = Loose<typeof blobEvidenceShape>;

export const sasTokenEvidenceShape = evidenceType("sasTokenEvidence", {
  allowedIpAddresses: str,
  allowedResourceTypes: strList,
  allowedServices: strList,
  expiryDateTime: dateTime,
  permissions: strList,
  protocol: str,
  signatureHash: str,
  signedWith: str,
  startDateTime: dateTime,
  storageResource: opt(evidenceRef("azureResourceEvidence")),
});
/**
 * Evidence of an Azure Storage shared access signature (SAS) token: what it allows, for how long, and how it was
 * signed. Graph `@odata.type`: `#microsoft.graph.security.sasTokenEvidence`.
 */
export type SasTokenEvidence = Loose<typeof sasTokenEvidenceShape>;

export const gitHubOrganizationEvidenceShape = evidenceType("gitHubOrganizationEvidence", {
  company: str,
  displayName: str,
  email: str,
  login: str,
  orgId: str,
  webUrl: str,
});
/** Evidence of a GitHub organization. Graph `@odata.type`: `#microsoft.graph.security.gitHubOrganizationEvidence`. */
export type GitHubOrganizationEvidence = Loose<typeof gitHubOrganizationEvidenceShape>;

export const gitHubRepoEvidenceShape = evidenceType("gitHubRepoEvidence", {
  baseUrl: str,
  login: str,
  owner: str,
  ownerType: str,
  repoId: str,
});
/**
 * Evidence of a GitHub repository and its owner. Graph `@odata.type`: `#microsoft.graph.security.gitHubRepoEvidence`.
 */
export type GitHubRepoEvidence = Loose<typeof gitHubRepoEvidenceShape>;

export const gitHubUserEvidenceShape = evidenceType("gitHubUserEvidence", {
  email: str,
  login: str,
  name: str,
  userId: str,
  webUrl: str,
});
/** Evidence of a GitHub user account. Graph `@odata.type`: `#microsoft.graph.security.gitHubUserEvidence`. */
export type GitHubUserEvidence = Loose<typeof gitHubUserEvidenceShape>;
