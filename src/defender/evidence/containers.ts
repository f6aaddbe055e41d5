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
/**
 * Evidence of a container: its image, command, arguments, privilege and the pod it runs in. Graph `@odata.type`:
 * `#microsoft.graph.security.containerEvidence`.
 */
export type ContainerEvidence = Loose<typeof containerEvidenceShape>;

export const containerImageEvidenceShape = evidenceType("containerImageEvidence", {
  digestImage: opt(evidenceRef("containerImageEvidence")),
  imageId: str,
  registry: opt(evidenceRef("containerRegistryEvidence")),
});
/**
 * Evidence of a container image, its digest image and registry. Graph `@odata.type`:
 * `#microsoft.graph.security.containerImageEvidence`.
 */
export type ContainerImageEvidence = Loose<typeof containerImageEvidenceShape>;

export const containerRegistryEvidenceShape = evidenceType("containerRegistryEvidence", {
  registry: str,
});
/** Evidence of a container registry. Graph `@odata.type`: `#microsoft.graph.security.containerRegistryEvidence`. */
export type ContainerRegistryEvidence = Loose<typeof containerRegistryEvidenceShape>;

export const kubernetesClusterEvidenceShape = evidenceType("kubernetesClusterEvidence", {
  cloudResource: opt(evidenceRef("alertEvidence")),
  distribution: str,
  name: str,
  platform: opt(kubernetesPlatformSchema),
  version: str,
});
/**
 * Evidence of a Kubernetes cluster: its name, platform, distribution, version and cloud resource. Graph
 * `@odata.type`: `#microsoft.graph.security.kubernetesClusterEvidence`.
 */
export type KubernetesClusterEvidence = Loose<typeof kubernetesClusterEvidenceShape>;

export const kubernetesControllerEvidenceShape = evidenceType("kubernetesControllerEvidence", {
  labels: dictionary,
  name: str,
  namespace: opt(evidenceRef("kubernetesNamespaceEvidence")),
  type: str,
});
/**
 * Evidence of a Kubernetes controller (a Deployment, ReplicaSet, DaemonSet or similar) and its namespace. Graph
 * `@odata.type`: `#microsoft.graph.security.kubernetesControllerEvidence`.
 */
export type KubernetesControllerEvidence = Loose<typeof kubernetesControllerEvidenceShape>;

export const kubernetesNamespaceEvidenceShape = evidenceType("kubernetesNamespaceEvidence", {
  cluster: opt(evidenceRef("kubernetesClusterEvidence")),
  labels: dictionary,
  name: str,
});
/**
 * Evidence of a Kubernetes namespace and the cluster it is in. Graph `@odata.type`:
 * `#microsoft.graph.security.kubernetesNamespaceEvidence`.
 */
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
/**
 * Evidence of a Kubernetes pod: its containers, controller, namespace, IP and service account. Graph `@odata.type`:
 * `#microsoft.graph.security.kubernetesPodEvidence`.
 */
export type KubernetesPodEvidence = Loose<typeof kubernetesPodEvidenceShape>;

export const kubernetesSecretEvidenceShape = evidenceType("kubernetesSecretEvidence", {
  name: str,
  namespace: opt(evidenceRef("kubernetesNamespaceEvidence")),
  secretType: str,
});
/**
 * Evidence of a Kubernetes secret (its name and type, never its data). Graph `@odata.type`:
 * `#microsoft.graph.security.kubernetesSecretEvidence`.
 */
export type KubernetesSecretEvidence = Loose<typeof kubernetesSecretEvidenceShape>;

export const kubernetesServiceAccountEvidenceShape = evidenceType("kubernetesServiceAccountEvidence", {
  name: str,
  namespace: opt(evidenceRef("kubernetesNamespaceEvidence")),
});
/**
 * Evidence of a Kubernetes service account. Graph `@odata.type`:
 * `#microsoft.graph.security.kubernetesServiceAccountEvidence`.
 */
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
/**
 * Evidence of a Kubernetes service: its type, IPs, ports, selector and namespace. Graph `@odata.type`:
 * `#microsoft.graph.security.kubernetesServiceEvidence`.
 */
export type KubernetesServiceEvidence = Loose<typeof kubernetesServiceEvidenceShape>;
