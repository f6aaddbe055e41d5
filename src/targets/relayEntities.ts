/**
 * The first account, host and file of an alert's evidence, split into the identifiers a Sentinel analytics
 * rule can map (Account: Name, UPNSuffix, NTDomain; Host: HostName, DnsDomain, NTDomain; File: Name,
 * Directory; FileHash: Algorithm, Value — see learn.microsoft.com/azure/sentinel/entities-reference).
 *
 * The flat lists of `src/mapping/alertRow/entities.ts` (used for IPs, URLs and mailboxes) keep one string per
 * entity; these structured fields need the parts, so they are read here from the raw evidence, as defensively
 * as there (any field may have any type).
 */
import type { DefenderAlert } from "../defender/models";
import { asArray, asRecord, own, ownString } from "../mapping/guards";
import { clip, sanitizeText } from "../mapping/text";

/** The structured entity columns of a relay row (empty string: not present in the evidence). */
export interface RelayEntityFields {
  AccountUpn: string;
  AccountName: string;
  AccountNTDomain: string;
  AccountUPNSuffix: string;
  AccountAadUserId: string;
  HostName: string;
  HostDnsDomain: string;
  HostNTDomain: string;
  HostMdeDeviceId: string;
  FileName: string;
  FileDirectory: string;
  FileSha256: string;
  FileHashAlgorithm: string;
}

type Rec = Readonly<Record<string, unknown>> | undefined;

/** Identifier values are short; anything longer than this is cut (with "…"). */
const MAX_IDENTIFIER_CHARS = 512;
const SHA256 = /^[0-9a-fA-F]{64}$/;

/** A clean, trimmed, bounded string of a record's own string property ("" when absent). */
function field(record: Rec, key: string): string {
  const value = ownString(record, key);
  if (value === undefined) return "";
  const head = value.length > MAX_IDENTIFIER_CHARS * 2 ? value.slice(0, MAX_IDENTIFIER_CHARS * 2) : value;
  return clip(sanitizeText(head).text.trim(), MAX_IDENTIFIER_CHARS);
}

function kindOf(evidence: Rec): string {
  const type = ownString(evidence, "@odata.type") ?? "";
  return type.slice(type.lastIndexOf(".") + 1).toLowerCase();
}

type AccountFields = Pick<
  RelayEntityFields,
  "AccountUpn" | "AccountName" | "AccountNTDomain" | "AccountUPNSuffix" | "AccountAadUserId"
>;

/** A Graph `userAccount` as account columns; undefined when it names nobody. */
function accountOf(account: Rec): AccountFields | undefined {
  const upn = field(account, "userPrincipalName");
  const at = upn.lastIndexOf("@");
  const fields: AccountFields = {
    AccountUpn: upn,
    // Name is the part before the UPN suffix when there is a UPN (Name + UPNSuffix is a strong identifier).
    AccountName: at > 0 ? upn.slice(0, at) : field(account, "accountName"),
    AccountNTDomain: field(account, "domainName"),
    AccountUPNSuffix: at > 0 ? upn.slice(at + 1) : "",
    AccountAadUserId: field(account, "azureAdUserId"),
  };
  return fields.AccountName || fields.AccountUpn || fields.AccountAadUserId ? fields : undefined;
}

/** The accounts one evidence item carries, in the order they appear. */
function accountsOf(evidence: Rec): Rec[] {
  switch (kindOf(evidence)) {
    case "userevidence":
    case "processevidence":
    case "mailboxevidence":
      return [asRecord(own(evidence, "userAccount"))];
    case "deviceevidence":
      return asArray(own(evidence, "loggedOnUsers")).map(asRecord);
    default:
      return [];
  }
}

type HostFields = Pick<RelayEntityFields, "HostName" | "HostDnsDomain" | "HostNTDomain" | "HostMdeDeviceId">;

/** A `deviceEvidence` as host columns: `deviceDnsName` (an FQDN) supplies what `hostName`/`dnsDomain` lack. */
function hostOf(device: Rec): HostFields | undefined {
  const fqdn = field(device, "deviceDnsName");
  const dot = fqdn.indexOf(".");
  const fields: HostFields = {
    HostName: field(device, "hostName") || (dot > 0 ? fqdn.slice(0, dot) : fqdn),
    HostDnsDomain: field(device, "dnsDomain") || (dot > 0 ? fqdn.slice(dot + 1) : ""),
    HostNTDomain: field(device, "ntDomain"),
    HostMdeDeviceId: field(device, "mdeDeviceId"),
  };
  return fields.HostName || fields.HostMdeDeviceId ? fields : undefined;
}

type FileFields = Pick<RelayEntityFields, "FileName" | "FileDirectory" | "FileSha256" | "FileHashAlgorithm">;

/** A Graph `fileDetails` as file columns; undefined without a name or a SHA-256. */
function fileOf(details: Rec): FileFields | undefined {
  const sha256 = field(details, "sha256");
  const fields: FileFields = {
    FileName: field(details, "fileName"),
    FileDirectory: field(details, "filePath"),
    FileSha256: SHA256.test(sha256) ? sha256.toLowerCase() : "",
    FileHashAlgorithm: SHA256.test(sha256) ? "SHA256" : "",
  };
  return fields.FileName || fields.FileSha256 ? fields : undefined;
}

/** The file details one evidence item carries (a file, or a process image). */
function fileDetailsOf(evidence: Rec): Rec {
  switch (kindOf(evidence)) {
    case "fileevidence":
      return asRecord(own(evidence, "fileDetails"));
    case "processevidence":
      return asRecord(own(evidence, "imageFile"));
    default:
      return undefined;
  }
}

/** A `fileHashEvidence` with a SHA-256 value (no file name is known then). */
function fileHashOf(evidence: Rec): FileFields | undefined {
  if (kindOf(evidence) !== "filehashevidence") return undefined;
  const value = field(evidence, "value");
  const algorithm = field(evidence, "algorithm").toLowerCase();
  if (!SHA256.test(value) || (algorithm !== "" && algorithm !== "sha256")) return undefined;
  return { FileName: "", FileDirectory: "", FileSha256: value.toLowerCase(), FileHashAlgorithm: "SHA256" };
}

const EMPTY: RelayEntityFields = {
  AccountUpn: "",
  AccountName: "",
  AccountNTDomain: "",
  AccountUPNSuffix: "",
  AccountAadUserId: "",
  HostName: "",
  HostDnsDomain: "",
  HostNTDomain: "",
  HostMdeDeviceId: "",
  FileName: "",
  FileDirectory: "",
  FileSha256: "",
  FileHashAlgorithm: "",
};

/**
 * The first account, host and file of the alert's evidence, in evidence order. A file with a SHA-256 wins over
 * an earlier one without (the FileHash entity needs it); a bare file-hash evidence is used only when no file or
 * process image is named at all (a hash is never paired with the name of another file).
 */
export function pickRelayEntities(alert: Pick<DefenderAlert, "evidence"> | unknown): RelayEntityFields {
  const items = asArray(own(asRecord(alert), "evidence")).map(asRecord);
  let account: AccountFields | undefined;
  let host: HostFields | undefined;
  let file: FileFields | undefined;
  let hashOnly: FileFields | undefined;
  for (const evidence of items) {
    for (const candidate of account ? [] : accountsOf(evidence)) account ??= accountOf(candidate);
    if (!host && kindOf(evidence) === "deviceevidence") host = hostOf(evidence);
    if (!file?.FileSha256) {
      const found = fileOf(fileDetailsOf(evidence));
      if (found && (!file || found.FileSha256)) file = found;
    }
    hashOnly ??= fileHashOf(evidence);
  }
  return { ...EMPTY, ...account, ...host, ...(file ?? hashOnly) };
}
