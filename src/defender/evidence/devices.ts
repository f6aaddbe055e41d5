/** Device, file, process, registry and malware evidence (Defender for Endpoint, IoT). */
import {
  fileDetailsRef,
  loggedOnUserRef,
  resourceAccessEventRef,
  userAccountRef,
  vmMetadataRef,
} from "../complexTypes";
import {
  defenderAvStatusSchema,
  detectionStatusSchema,
  deviceHealthStatusSchema,
  deviceRiskScoreSchema,
  fileHashAlgorithmSchema,
  ioTDeviceImportanceTypeSchema,
  onboardingStatusSchema,
} from "../enums";
import { bool, dateTime, int, type Loose, opt, optList, str, strList } from "../schema/fields";
import { evidenceRef, evidenceType } from "./base";

export const deviceEvidenceShape = evidenceType("deviceEvidence", {
  azureAdDeviceId: str,
  defenderAvStatus: opt(defenderAvStatusSchema),
  deviceDnsName: str,
  dnsDomain: str,
  firstSeenDateTime: dateTime,
  healthStatus: opt(deviceHealthStatusSchema),
  hostName: str,
  ipInterfaces: strList,
  lastExternalIpAddress: str,
  lastIpAddress: str,
  loggedOnUsers: optList(loggedOnUserRef),
  mdeDeviceId: str,
  ntDomain: str,
  onboardingStatus: opt(onboardingStatusSchema),
  osBuild: int,
  osPlatform: str,
  rbacGroupId: int,
  rbacGroupName: str,
  resourceAccessEvents: optList(resourceAccessEventRef),
  riskScore: opt(deviceRiskScoreSchema),
  version: str,
  vmMetadata: opt(vmMetadataRef),
});
/**
 * Evidence of a device (typically onboarded to Defender for Endpoint): names, IPs, health, risk, logged-on users.
 * Graph `@odata.type`: `#microsoft.graph.security.deviceEvidence`.
 */
export type DeviceEvidence = Loose<typeof deviceEvidenceShape>;

export const fileEvidenceShape = evidenceType("fileEvidence", {
  detectionStatus: opt(detectionStatusSchema),
  fileDetails: opt(fileDetailsRef),
  mdeDeviceId: str,
});
/**
 * Evidence of a file on a device, with its details and whether it was detected or blocked. Graph `@odata.type`:
 * `#microsoft.graph.security.fileEvidence`.
 */
export type FileEvidence = Loose<typeof fileEvidenceShape>;

export const fileHashEvidenceShape = evidenceType("fileHashEvidence", {
  algorithm: opt(fileHashAlgorithmSchema),
  value: str,
});
/**
 * Evidence of a file hash (algorithm and value). Graph `@odata.type`: `#microsoft.graph.security.fileHashEvidence`.
 */
export type FileHashEvidence = Loose<typeof fileHashEvidenceShape>;

export const processEvidenceShape = evidenceType("processEvidence", {
  detectionStatus: opt(detectionStatusSchema),
  imageFile: opt(fileDetailsRef),
  mdeDeviceId: str,
  parentProcessCreationDateTime: dateTime,
  parentProcessId: int,
  parentProcessImageFile: opt(fileDetailsRef),
  processCommandLine: str,
  processCreationDateTime: dateTime,
  processId: int,
  userAccount: opt(userAccountRef),
});
/**
 * Evidence of a process on a device: image file, command line, IDs, parent process and account. Graph `@odata.type`:
 * `#microsoft.graph.security.processEvidence`.
 */
export type ProcessEvidence = Loose<typeof processEvidenceShape>;

export const registryKeyEvidenceShape = evidenceType("registryKeyEvidence", {
  registryHive: str,
  registryKey: str,
});
/** Evidence of a Windows registry key. Graph `@odata.type`: `#microsoft.graph.security.registryKeyEvidence`. */
export type RegistryKeyEvidence = Loose<typeof registryKeyEvidenceShape>;

export const registryValueEvidenceShape = evidenceType("registryValueEvidence", {
  mdeDeviceId: str,
  registryHive: str,
  registryKey: str,
  registryValue: str,
  registryValueName: str,
  registryValueType: str,
});
/**
 * Evidence of a Windows registry value: hive, key, value name, type and data. Graph `@odata.type`:
 * `#microsoft.graph.security.registryValueEvidence`.
 */
export type RegistryValueEvidence = Loose<typeof registryValueEvidenceShape>;

export const malwareEvidenceShape = evidenceType("malwareEvidence", {
  category: str,
  files: optList(evidenceRef("fileEvidence")),
  name: str,
  processes: optList(evidenceRef("processEvidence")),
});
/**
 * Evidence of malware: its name and category, with the files and processes it was found in. Graph `@odata.type`:
 * `#microsoft.graph.security.malwareEvidence`.
 */
export type MalwareEvidence = Loose<typeof malwareEvidenceShape>;

export const hostLogonSessionEvidenceShape = evidenceType("hostLogonSessionEvidence", {
  account: opt(evidenceRef("userEvidence")),
  endUtcDateTime: dateTime,
  host: opt(evidenceRef("deviceEvidence")),
  sessionId: str,
  startUtcDateTime: dateTime,
});
/**
 * Evidence of a logon session on a host: the account, the device and when it started and ended. Graph `@odata.type`:
 * `#microsoft.graph.security.hostLogonSessionEvidence`.
 */
export type HostLogonSessionEvidence = Loose<typeof hostLogonSessionEvidenceShape>;

export const ioTDeviceEvidenceShape = evidenceType("ioTDeviceEvidence", {
  deviceId: str,
  deviceName: str,
  devicePageLink: str,
  deviceSubType: str,
  deviceType: str,
  importance: opt(ioTDeviceImportanceTypeSchema),
  ioTHub: opt(evidenceRef("azureResourceEvidence")),
  ioTSecurityAgentId: str,
  ipAddress: opt(evidenceRef("ipEvidence")),
  isAuthorized: bool,
  isProgramming: bool,
  isScanner: bool,
  macAddress: str,
  manufacturer: str,
  model: str,
  nics: optList(evidenceRef("nicEvidence")),
  operatingSystem: str,
  owners: strList,
  protocols: strList,
  purdueLayer: str,
  sensor: str,
  serialNumber: str,
  site: str,
  source: str,
  sourceRef: opt(evidenceRef("urlEvidence")),
  zone: str,
});
/**
 * Evidence of an IoT/OT device seen by Defender for IoT: identity, network, site and classification. Graph
 * `@odata.type`: `#microsoft.graph.security.ioTDeviceEvidence`.
 */
export type IoTDeviceEvidence = Loose<typeof ioTDeviceEvidenceShape>;

export const nicEvidenceShape = evidenceType("nicEvidence", {
  ipAddress: opt(evidenceRef("ipEvidence")),
  macAddress: str,
  vlans: strList,
});
/**
 * Evidence of a network interface card: its MAC address, IP address and VLANs. Graph `@odata.type`:
 * `#microsoft.graph.security.nicEvidence`.
 */
export type NicEvidence = Loose<typeof nicEvidenceShape>;
