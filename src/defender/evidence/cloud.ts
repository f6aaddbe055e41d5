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
export type AmazonResourceEvidence = Loose<typeof amazonResourceEvidenceShape>;

export const azureResourceEvidenceShape = evidenceType("azureResourceEvidence", {
  resourceId: str,
  resourceName: str,
  resourceType: str,
});
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
export type GoogleCloudResourceEvidence = Loose<typeof googleCloudResourceEvidenceShape>;

export const blobContainerEvidenceShape = evidenceType("blobContainerEvidence", {
  name: str,
  storageResource: opt(evidenceRef("azureResourceEvidence")),
  url: str,
});
export type BlobContainerEvidence = Loose<typeof blobContainerEvidenceShape>;

export const blobEvidenceShape = evidenceType("blobEvidence", {
  blobContainer: opt(evidenceRef("blobContainerEvidence")),
  etag: str,
  fileHashes: optList(fileHashRef),
  name: str,
  url: str,
});
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
export type SasTokenEvidence = Loose<typeof sasTokenEvidenceShape>;

export const gitHubOrganizationEvidenceShape = evidenceType("gitHubOrganizationEvidence", {
  company: str,
  displayName: str,
  email: str,
  login: str,
  orgId: str,
  webUrl: str,
});
export type GitHubOrganizationEvidence = Loose<typeof gitHubOrganizationEvidenceShape>;

export const gitHubRepoEvidenceShape = evidenceType("gitHubRepoEvidence", {
  baseUrl: str,
  login: str,
  owner: str,
  ownerType: str,
  repoId: str,
});
export type GitHubRepoEvidence = Loose<typeof gitHubRepoEvidenceShape>;

export const gitHubUserEvidenceShape = evidenceType("gitHubUserEvidence", {
  email: str,
  login: str,
  name: str,
  userId: str,
  webUrl: str,
});
export type GitHubUserEvidence = Loose<typeof gitHubUserEvidenceShape>;
