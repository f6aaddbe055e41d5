/**
 * Description: Defender `description` ⇄ canonical ⇄ Sentinel `description`.
 *
 * The Sentinel description is the incident's own description, then a blank line, a distinctive separator line
 * ({@link DESCRIPTION_SEPARATOR}) and the sections this package appends: a link to the Defender incident
 * (`incidentWebUrl`), the merge target, Defender's summary and a compact alert summary (severity, title, product,
 * category, key entities). Profiles may add sections derived from alerts and evidence.
 *
 * Reading a Sentinel description strips everything from the last separator line on, so the canonical
 * description is the own text on both sides. The whole description stays within `limits.descriptionMaxLength`
 * (5,000): the sections get up to `limits.descriptionSectionReserve` characters when the own text is long, and the
 * own text is cut with a visible marker (a `truncated` warning). A truncated own text compares equal to the full
 * Defender text (see `canonicalEquals`) and is never written back to Defender.
 */
import { alertCategoryValue } from "./alertCategory";
import { asArray, asRecord, own, ownString } from "./guards";
import { type MappingLimits, truncateWithMarker } from "./limits";
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "./mapper";
import type { WarningSink } from "./result";
import { clip, oneLine, sanitizeText } from "./text";

/** The line that separates the incident's own description from the sections this package appends. */
export const DESCRIPTION_SEPARATOR = "── Microsoft Defender XDR · synced by defender-sentinel-sync ──";

/** A block of lines appended below the separator. Lines are shown on one line each (newlines collapse). */
export interface DescriptionSection {
  /** Shown on its own line before the lines, e.g. "Alerts (3):". */
  readonly heading?: string;
  readonly lines: readonly string[];
}

/** Context of `description.toSentinel`: the render context plus the sections to append. */
export interface DescriptionRenderContext extends SentinelRenderContext {
  readonly sections: readonly DescriptionSection[];
}

/** The description mapper group; override any function through `createMappingProfile({ description })`. */
export interface DescriptionMapper {
  fromDefender(value: string | null | undefined, ctx: DefenderReadContext): string;
  /** The own text of a Sentinel description (appended sections stripped). */
  fromSentinel(value: string | null | undefined, ctx: SentinelReadContext): string;
  /**
   * The sections to append (default: link, merge target, summary, alert summary; without a Defender incident,
   * the sections of the existing Sentinel description are kept). Wrap it to add sections:
   * `sections: (ctx, next) => [...next(ctx), { heading: "MITRE", lines: [...] }]`.
   */
  sections(ctx: SentinelRenderContext): DescriptionSection[];
  /** The whole Sentinel description (own text + sections), within limits. */
  toSentinel(value: string, ctx: DescriptionRenderContext): string;
  /** `undefined`: leave Defender's description as it is. */
  toDefender(value: string, ctx: DefenderRenderContext): string | undefined;
}

/**
 * Splits a Sentinel description into the own text and the appended part (everything after the last separator
 * line that starts a paragraph). `appended` is undefined when there is no separator.
 */
export function splitSentinelDescription(text: string): { own: string; appended: string | undefined } {
  let idx = text.lastIndexOf(DESCRIPTION_SEPARATOR);
  while (idx >= 0) {
    const before = text.slice(0, idx);
    const after = text.slice(idx + DESCRIPTION_SEPARATOR.length);
    const startsParagraph = idx === 0 || before.endsWith("\n\n") || before.endsWith("\r\n\r\n");
    const endsLine = after === "" || after.startsWith("\n") || after.startsWith("\r\n");
    if (startsParagraph && endsLine) {
      return {
        own: idx === 0 ? "" : before.replace(/(?:\r?\n){2}$/, ""),
        appended: after.replace(/^\r?\n/, ""),
      };
    }
    if (idx === 0) break;
    idx = text.lastIndexOf(DESCRIPTION_SEPARATOR, idx - 1);
  }
  return { own: text, appended: undefined };
}

const MAX_LINE = 500;
const MAX_ALERT_LINES = 50;

/** One clean line: no control characters, no newlines, not the separator, at most 500 characters. */
function cleanLine(line: string): string {
  const one = oneLine(sanitizeText(clip(line, MAX_LINE * 2)).text);
  const safe = one === DESCRIPTION_SEPARATOR ? `(${one})` : one;
  return clip(safe, MAX_LINE);
}

/**
 * Renders `ownText` plus `sections` within `limits.descriptionMaxLength`, reporting every cut to `warn`.
 * `ownText` must already be clean (canonical).
 */
export function renderSentinelDescription(
  ownText: string,
  sections: readonly DescriptionSection[],
  limits: Readonly<MappingLimits>,
  warn: WarningSink,
): string {
  const max = limits.descriptionMaxLength;
  const lines: string[] = [];
  for (const section of sections) {
    if (section.heading !== undefined) {
      const heading = cleanLine(section.heading);
      if (heading !== "") lines.push(heading);
    }
    for (const line of asArray(section.lines)) {
      if (typeof line !== "string") continue;
      const clean = cleanLine(line);
      if (clean !== "") lines.push(clean);
    }
  }
  const sectionLength = lines.reduce((n, l) => n + 1 + l.length, DESCRIPTION_SEPARATOR.length);
  const reserve = lines.length === 0 ? 0 : Math.min(sectionLength, limits.descriptionSectionReserve);
  const ownBudget = Math.max(0, max - (ownText === "" ? 0 : 2) - reserve);
  const cut = truncateWithMarker(ownText, ownBudget);
  if (cut.omitted > 0) {
    warn({
      field: "description",
      kind: "truncated",
      message: `Description cut to ${cut.text.length} of ${ownText.length} characters (limit ${max} with appended sections)`,
    });
  }
  const ownPart = cut.text;
  let budget = max - ownPart.length - (ownPart === "" ? 0 : 2) - DESCRIPTION_SEPARATOR.length;
  if (lines.length === 0 || budget < 0) {
    // No sections (or no room): the own text alone. If it happens to contain the separator, close it with an
    // empty appended part so that reading it back cannot cut the own text.
    const needsGuard = ownPart.includes(DESCRIPTION_SEPARATOR) && budget >= 0;
    if (lines.length > 0) {
      warn({ field: "description", kind: "truncated", message: "No room left for the appended sections" });
    }
    return needsGuard ? `${ownPart}\n\n${DESCRIPTION_SEPARATOR}` : ownPart;
  }
  const kept: string[] = [];
  let omitted = 0;
  for (const line of lines) {
    if (omitted === 0 && 1 + line.length <= budget) {
      kept.push(line);
      budget -= 1 + line.length;
    } else {
      omitted++;
    }
  }
  if (omitted > 0) {
    let note = `… ${omitted} more line(s) not shown`;
    while (kept.length > 0 && 1 + note.length > budget) {
      budget += 1 + kept.pop()!.length;
      omitted++;
      note = `… ${omitted} more line(s) not shown`;
    }
    if (1 + note.length <= budget) kept.push(note);
    warn({
      field: "description",
      kind: "truncated",
      message: `${omitted} appended line(s) left out to stay within ${max} characters`,
    });
  }
  const appended = [DESCRIPTION_SEPARATOR, ...kept].join("\n");
  return ownPart === "" ? appended : `${ownPart}\n\n${appended}`;
}

const SEVERITY_RANK: Readonly<Record<string, number>> = {
  high: 4,
  medium: 3,
  low: 2,
  informational: 1,
};
const SEVERITY_LABEL: Readonly<Record<string, string>> = {
  high: "High",
  medium: "Medium",
  low: "Low",
  informational: "Informational",
};

function severityOf(alert: Readonly<Record<string, unknown>> | undefined): string {
  return (ownString(alert, "severity") ?? "").toLowerCase();
}

function short(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const one = oneLine(value.length > 200 ? clip(value, 200) : value);
  return one === "" ? undefined : clip(one, 80);
}

function nestedString(
  e: Readonly<Record<string, unknown>> | undefined,
  key: string,
  field: string,
): string | undefined {
  return ownString(asRecord(own(e, key)), field);
}

function labelled(label: string, a: string | undefined, b?: string, c?: string): string | undefined {
  const value = short(a) ?? short(b) ?? short(c);
  return value === undefined ? undefined : `${label} ${value}`;
}

/** "device host1", "user kai@contoso.com", … for one evidence item; undefined for types without a key field. */
export function describeEvidence(evidence: unknown): string | undefined {
  const e = asRecord(evidence);
  const type = ownString(e, "@odata.type");
  if (type === undefined) return undefined;
  const kind = type.slice(type.lastIndexOf(".") + 1).toLowerCase();
  switch (kind) {
    case "deviceevidence":
      return labelled(
        "device",
        ownString(e, "deviceDnsName"),
        ownString(e, "hostName"),
        ownString(e, "mdeDeviceId"),
      );
    case "userevidence":
      return labelled(
        "user",
        nestedString(e, "userAccount", "userPrincipalName"),
        nestedString(e, "userAccount", "displayName"),
        nestedString(e, "userAccount", "accountName"),
      );
    case "ipevidence":
      return labelled("ip", ownString(e, "ipAddress"));
    case "urlevidence":
      return labelled("url", ownString(e, "url"));
    case "fileevidence":
      return labelled("file", nestedString(e, "fileDetails", "fileName"));
    case "processevidence":
      return labelled(
        "process",
        nestedString(e, "imageFile", "fileName"),
        ownString(e, "processCommandLine"),
      );
    case "mailboxevidence":
      return labelled("mailbox", ownString(e, "primaryAddress"), ownString(e, "upn"));
    case "analyzedmessageevidence":
      return labelled("email", ownString(e, "subject"), ownString(e, "networkMessageId"));
    case "registrykeyevidence":
    case "registryvalueevidence":
      return labelled("registry", ownString(e, "registryKey"));
    case "cloudapplicationevidence":
    case "oauthapplicationevidence":
      return labelled("app", ownString(e, "displayName"));
    case "securitygroupevidence":
      return labelled("group", ownString(e, "displayName"));
    default:
      return undefined;
  }
}

/** "[High] title · product · category · device x, user y" for one alert. */
export function alertSummaryLine(alert: unknown): string {
  const a = asRecord(alert);
  const parts: string[] = [];
  const sev = SEVERITY_LABEL[severityOf(a)];
  const title = short(ownString(a, "title")) ?? "(untitled alert)";
  parts.push(sev !== undefined ? `[${sev}] ${title}` : title);
  const product =
    short(ownString(a, "productName")) ??
    short(ownString(a, "serviceSource")) ??
    short(ownString(a, "detectionSource"));
  if (product !== undefined) parts.push(product);
  const categoryValue = alertCategoryValue(a);
  const category = short(typeof categoryValue === "string" ? categoryValue : undefined);
  if (category !== undefined) parts.push(category);
  const entities: string[] = [];
  for (const evidence of asArray(own(a, "evidence"))) {
    if (entities.length >= 3) break;
    const described = describeEvidence(evidence);
    if (described !== undefined && !entities.includes(described)) entities.push(described);
  }
  if (entities.length > 0) parts.push(entities.join(", "));
  return `• ${parts.join(" · ")}`;
}

/** A link to the incident's Defender page, if `url` is a plausible https URL. */
function validWebUrl(url: string | undefined): string | undefined {
  if (url === undefined || url.length > 2048 || !/^https:\/\/[^\s]+$/i.test(url)) return undefined;
  return url;
}

/** The default appended sections for a render context. */
export function defaultDescriptionSections(ctx: SentinelRenderContext): DescriptionSection[] {
  const d = ctx.defender;
  if (d === undefined) {
    // Nothing new to say: keep what we appended last time.
    const existing = ctx.existing?.description;
    const appended = typeof existing === "string" ? splitSentinelDescription(existing).appended : undefined;
    if (appended === undefined) return [];
    return [{ lines: appended.split(/\r?\n/).filter((l) => l.trim() !== "") }];
  }
  const sections: DescriptionSection[] = [];
  const id = short(typeof d.id === "string" ? d.id : undefined) ?? "(unknown id)";
  const rawUrl = typeof d.incidentWebUrl === "string" ? d.incidentWebUrl : undefined;
  const url = validWebUrl(rawUrl);
  if (rawUrl !== undefined && url === undefined) {
    ctx.warn({
      field: "description",
      kind: "dropped",
      message: "incidentWebUrl is not a usable https URL; no link",
    });
  }
  const head = [url !== undefined ? `Defender XDR incident ${id}: ${url}` : `Defender XDR incident ${id}`];
  if (ctx.canonical.redirectTarget !== undefined) {
    head.push(
      `Merged into Defender XDR incident ${short(ctx.canonical.redirectTarget)} (closed as redirected).`,
    );
  }
  const summary = short(typeof d.summary === "string" ? d.summary : undefined);
  if (
    summary !== undefined &&
    typeof d.summary === "string" &&
    d.summary.trim() !== ctx.canonical.description.trim()
  ) {
    head.push(`Summary: ${clip(oneLine(clip(d.summary, 2 * MAX_LINE)), MAX_LINE - 9)}`);
  }
  sections.push({ lines: head });
  const alerts = asArray(d.alerts);
  if (alerts.length > 0) {
    const ranked = alerts
      .map((alert, index) => ({ alert, index, rank: SEVERITY_RANK[severityOf(asRecord(alert))] ?? 0 }))
      .sort((x, y) => y.rank - x.rank || x.index - y.index);
    const lines = ranked.slice(0, MAX_ALERT_LINES).map((r) => alertSummaryLine(r.alert));
    if (ranked.length > MAX_ALERT_LINES) lines.push(`… and ${ranked.length - MAX_ALERT_LINES} more alert(s)`);
    sections.push({ heading: `Alerts (${alerts.length}):`, lines });
  }
  return sections;
}

export const defaultDescriptionMapper: DescriptionMapper = {
  fromDefender: (value) => (typeof value === "string" ? value : ""),
  fromSentinel: (value) => (typeof value === "string" ? splitSentinelDescription(value).own : ""),
  sections: (ctx) => defaultDescriptionSections(ctx),
  toSentinel: (value, ctx) => renderSentinelDescription(value, ctx.sections, ctx.limits, ctx.warn),
  toDefender: (value) => value,
};
