/**
 * The key entities of an alert's evidence flattened into small string lists (`Accounts`, `Hosts`, `IPs`, `Urls`,
 * `FileHashes`, `Mailboxes`), so they survive any trimming of the `Evidence` column. Every field is read
 * defensively: any of them may have any type.
 */
import { asArray, asRecord, own, ownString } from "../guards";
import type { WarningSink } from "../result";
import { EntityList } from "./entityList";
import type { AlertRowLimits } from "./limits";
import type { AlertRow } from "./schema";

type EntityColumn = "Accounts" | "Hosts" | "IPs" | "Urls" | "FileHashes" | "Mailboxes";
type Entities = Record<EntityColumn, EntityList>;

function accountName(account: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (account === undefined) return undefined;
  const upn = ownString(account, "userPrincipalName");
  if (upn?.trim()) return upn;
  const name = ownString(account, "accountName");
  const domain = ownString(account, "domainName");
  if (name?.trim()) return domain?.trim() ? `${domain}\\${name}` : name;
  return ownString(account, "displayName") ?? ownString(account, "azureAdUserId");
}

const HEX = /^[0-9a-fA-F]{32,128}$/;

function addHashes(list: EntityList, details: Readonly<Record<string, unknown>> | undefined): void {
  for (const field of ["sha256", "sha1", "md5"]) {
    const value = ownString(details, field)?.trim();
    if (value !== undefined && HEX.test(value)) list.add(value.toLowerCase());
  }
}

/** Adds the key entities of one evidence item (read defensively: any field may have any type). */
function collectEntities(raw: unknown, out: Entities): void {
  const e = asRecord(raw);
  const type = ownString(e, "@odata.type");
  if (type === undefined) return;
  const kind = type.slice(type.lastIndexOf(".") + 1).toLowerCase();
  switch (kind) {
    case "deviceevidence":
      out.Hosts.add(ownString(e, "deviceDnsName") ?? ownString(e, "hostName"));
      for (const user of asArray(own(e, "loggedOnUsers"))) out.Accounts.add(accountName(asRecord(user)));
      break;
    case "userevidence":
      out.Accounts.add(accountName(asRecord(own(e, "userAccount"))));
      break;
    case "ipevidence":
      out.IPs.add(own(e, "ipAddress"));
      break;
    case "urlevidence":
      out.Urls.add(own(e, "url"));
      break;
    case "fileevidence":
      addHashes(out.FileHashes, asRecord(own(e, "fileDetails")));
      break;
    case "processevidence":
      addHashes(out.FileHashes, asRecord(own(e, "imageFile")));
      addHashes(out.FileHashes, asRecord(own(e, "parentProcessImageFile")));
      out.Accounts.add(accountName(asRecord(own(e, "userAccount"))));
      break;
    case "filehashevidence": {
      const value = ownString(e, "value")?.trim();
      if (value !== undefined && HEX.test(value)) out.FileHashes.add(value.toLowerCase());
      break;
    }
    case "mailboxevidence":
      out.Mailboxes.add(ownString(e, "primaryAddress") ?? ownString(e, "upn"));
      out.Accounts.add(accountName(asRecord(own(e, "userAccount"))));
      break;
    case "analyzedmessageevidence":
      out.Mailboxes.add(own(e, "recipientEmailAddress"));
      out.Mailboxes.add(ownString(asRecord(own(e, "p1Sender")), "emailAddress"));
      out.IPs.add(own(e, "senderIp"));
      for (const url of asArray(own(e, "urls"))) out.Urls.add(url);
      break;
    default:
      break;
  }
}

/** The entity columns of an alert's raw `evidence`, with a warning for each list that left values out. */
export function entityColumns(
  evidenceRaw: unknown,
  limits: Readonly<AlertRowLimits>,
  warn: WarningSink,
): Pick<AlertRow, EntityColumn> {
  const make = () => new EntityList(limits.listMaxItems, limits.listItemMaxLength);
  const entities: Entities = {
    Accounts: make(),
    Hosts: make(),
    IPs: make(),
    Urls: make(),
    FileHashes: make(),
    Mailboxes: make(),
  };
  for (const item of asArray(evidenceRaw)) collectEntities(item, entities);
  for (const [column, list] of Object.entries(entities)) {
    if (list.dropped > 0)
      warn({ field: column, kind: "truncated", message: `${list.dropped} value(s) left out` });
  }
  return {
    Accounts: entities.Accounts.values,
    Hosts: entities.Hosts.values,
    IPs: entities.IPs.values,
    Urls: entities.Urls.values,
    FileHashes: entities.FileHashes.values,
    Mailboxes: entities.Mailboxes.values,
  };
}
