/** Container and Kubernetes evidence (Defender for Containers). */
import { kubernetesServicePortRef } from "../complexTypes";
import { kubernetesPlatformSchema, kubernetesServiceTypeSchema } from "../enums";
import { bool, dictionary, type Loose, opt, optList, str, strList } from "../schema/fields";
import { evidenceRef, evidenceType } from "./base";

export const containerEvidenceShape = evidenceType("containerEvidence", {
  args: strList,
  command: strList,
  containerId: str,
  image: opt(evidenceRef("containerImageEvidence")),
  isPrivileged: bool,
  name: str,
  pod: opt(evidenceRef("kubernetesPodEvidence")),
});
export type ContainerEvidence = Loose<typeof containerEvidenceShape>;

export const containerImageEvidenceShape = evidenceType("containerImageEvidence", {
  digestImage: opt(evidenceRef("containerImageEvidence")),
  imageId: str,
  registry: opt(evidenceRef("containerRegistryEvidence")),
});
export type ContainerImageEvidence = Loose<typeof containerImageEvidenceShape>;

export const containerRegistryEvidenceShape = evidenceType("containerRegistryEvidence", {
  registry: str,
});
export type ContainerRegistryEvidence = Loose<typeof containerRegistryEvidenceShape>;

export const kubernetesClusterEvidenceShape = evidenceType("kubernetesClusterEvidence", {
  cloudResource: opt(evidenceRef("alertEvidence")),
  distribution: str,
  name: str,
  platform: opt(kubernetesPlatformSchema),
  version: str,
});
export type KubernetesClusterEvidence = Loose<typeof kubernetesClusterEvidenceShape>;

export const kubernetesControllerEvidenceShape = evidenceType("kubernetesControllerEvidence", {
  labels: dictionary,
  name: str,
  namespace: opt(evidenceRef("kubernetesNamespaceEvidence")),
  type: str,
});
export type KubernetesControllerEvidence = Loose<typeof kubernetesControllerEvidenceShape>;

export const kubernetesNamespaceEvidenceShape = evidenceType("kubernetesNamespaceEvidence", {
  cluster: opt(evidenceRef("kubernetesClusterEvidence")),
  labels: dictionary,
  name: str,
});
export type KubernetesNamespaceEvidence = Loose<typeof kubernetesNamespaceEvidenceShape>;

export const kubernetesPodEvidenceShape = evidenceType("kubernetesPodEvidence", {
  containers: optList(evidenceRef("containerEvidence")),
  controller: opt(evidenceRef("kubernetesControllerEvidence")),
  ephemeralContainers: optList(evidenceRef("containerEvidence")),
  initContainers: optList(evidenceRef("containerEvidence")),
  labels: dictionary,
  name: str,
  namespace: opt(evidenceRef("kubernetesNamespaceEvidence")),
  podIp: opt(evidenceRef("ipEvidence")),
  serviceAccount: opt(evidenceRef("kubernetesServiceAccountEvidence")),
});
export type KubernetesPodEvidence = Loose<typeof kubernetesPodEvidenceShape>;

export const kubernetesSecretEvidenceShape = evidenceType("kubernetesSecretEvidence", {
  name: str,
  namespace: opt(evidenceRef("kubernetesNamespaceEvidence")),
  secretType: str,
});
export type KubernetesSecretEvidence = Loose<typeof kubernetesSecretEvidenceShape>;

export const kubernetesServiceAccountEvidenceShape = evidenceType("kubernetesServiceAccountEvidence", {
  name: str,
  namespace: opt(evidenceRef("kubernetesNamespaceEvidence")),
});
export type KubernetesServiceAccountEvidence = Loose<typeof kubernetesServiceAccountEvidenceShape>;

export const kubernetesServiceEvidenceShape = evidenceType("kubernetesServiceEvidence", {
  clusterIP: opt(evidenceRef("ipEvidence")),
  externalIPs: optList(evidenceRef("ipEvidence")),
  labels: dictionary,
  name: str,
  namespace: opt(evidenceRef("kubernetesNamespaceEvidence")),
  selector: dictionary,
  servicePorts: optList(kubernetesServicePortRef),
  serviceType: opt(kubernetesServiceTypeSchema),
});
export type KubernetesServiceEvidence = Loose<typeof kubernetesServiceEvidenceShape>;
