import { isConflictError } from "../core/errors";
import type { DefenderIncident, DefenderIncidentPatch } from "../defender/models";
import type { CanonicalIncident, MappingResult } from "../mapping";
import type { SentinelComment, SentinelIncident, SentinelIncidentWriteProperties } from "../sentinel/models";
import { advanceAlertMark, alertsToUpload } from "../sink/uploadMark";
import { defenderCommentHash, sentinelCommentCount, syncComments } from "./commentSync";
import { compactCanonical } from "./compactCanonical";
import { resolveConflict } from "./conflictPolicy";
import { type CycleContext, isConnectorCopy } from "./cycleContext";
import { redirectCommentIdFor, sentinelNameFor, sha256 } from "./deterministicName";
import type { FieldChange } from "./events";
import type { SyncRecord } from "./stateStore";
import { MERGE_GROUPS, type MergeGroup, threeWayMerge } from "./threeWayMerge";
import { trustedTimestamp } from "./trustedTimestamp";

export interface PairInput {
  defenderId: string;
  defender?: DefenderIncident;
  sentinel?: SentinelIncident;
  record?: SyncRecord;
  /** The Sentinel incident was found by providerIncidentId: a copy made by Microsoft's connector. */
  connectorCopy?: boolean;
}

export type PairOutcome = "created" | "linked" | "updated" | "unchanged" | "missing";

/** Fields the built-in connector already mirrors both ways; left to it on linked copies. */
const CONNECTOR_GROUPS: readonly MergeGroup[] = ["lifecycle", "owner"];

function unwrap<T>(result: MappingResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Brings one Defender incident and its Sentinel copy into agreement: creates or links the copy, merges
 * both canonical views against the ledger base, writes each side at most once, syncs comments, and
 * records the new base. Throws on failure; the caller decides between retry and quarantine.
 */
export async function syncPair(ctx: CycleContext, input: PairInput): Promise<PairOutcome> {
  const { settings } = ctx;
  const record = input.record ?? (await settings.store.getRecord(input.defenderId));
  const defender =
    input.defender ??
    (await settings.defender.getIncident(input.defenderId, {
      expandAlerts: settings.expandAlerts,
      abortSignal: ctx.abortSignal,
    }));
  if (!defender) {
    ctx.report.warnings.push(
      `Defender incident ${input.defenderId} no longer exists; its Sentinel copy was left as is`,
    );
    return "missing";
  }
  const tenant = settings.tenantId ?? defender.tenantId ?? "default";
  const sentinelName = record?.sentinelName ?? input.sentinel?.name ?? sentinelNameFor(tenant, defender.id);
  const link: SyncRecord["link"] =
    record?.link ??
    (input.connectorCopy || isConnectorCopy(input.sentinel?.properties.providerName) ? "connector" : "owned");

  let sentinel = input.sentinel;
  if (!sentinel && record) {
    sentinel = await settings.sentinel.getIncident(sentinelName, { abortSignal: ctx.abortSignal });
  }

  for (let attempt = 0; ; attempt++) {
    try {
      if (!sentinel) return await createCopy(ctx, defender, sentinelName, record);
      return await mergePair(ctx, {
        defender,
        sentinel,
        sentinelName,
        record,
        link,
        linking: !record?.baseDefender,
      });
    } catch (e) {
      // 409: someone changed the Sentinel incident since we read it. Re-read, re-merge, retry (bounded).
      if (!isConflictError(e) || e.service !== "sentinel" || attempt >= settings.maxConflictRetries) throw e;
      sentinel = await settings.sentinel.getIncident(sentinelName, { abortSignal: ctx.abortSignal });
    }
  }
}

async function createCopy(
  ctx: CycleContext,
  defender: DefenderIncident,
  sentinelName: string,
  record: SyncRecord | undefined,
): Promise<PairOutcome> {
  const { settings, report } = ctx;
  if (settings.direction === "sentinel-to-defender") return "unchanged";
  const canonicalDefender = unwrap(settings.profile.defenderToCanonical(defender));
  const body = unwrap(settings.profile.renderSentinel(canonicalDefender, { defender }));
  const created = await putSentinel(ctx, sentinelName, body, undefined);
  const canonicalSentinel = created
    ? unwrap(settings.profile.sentinelToCanonical(created))
    : canonicalDefender;
  report.counts.created++;
  report.writes.sentinel++;

  let next: Omit<SyncRecord, "version"> = {
    defenderId: defender.id,
    sentinelName,
    link: "owned",
    baseDefender: compactCanonical(canonicalDefender),
    baseSentinel: compactCanonical(canonicalSentinel),
    determination: defender.determination ?? undefined,
    defenderVersion: defender.lastUpdateDateTime ?? undefined,
    sentinelEtag: created?.etag ?? undefined,
    sentinelModified: created?.properties.lastModifiedTimeUtc ?? undefined,
    comments: record?.comments ?? [],
    alertsUploaded: record?.alertsUploaded,
    renderDigest: sha256(JSON.stringify(body)).slice(0, 32),
  };
  const writes = commentWriteTracker();
  if (settings.syncComments) {
    next.comments = await syncComments(ctx, {
      defender,
      sentinelName,
      sentinelComments: undefined,
      known: next.comments,
      toSentinel: true,
      toDefender: false,
      onSentinelCommentWritten: writes.track,
    });
  }
  next = await notifyRedirect(ctx, defender, next, writes.track);
  if (writes.t.wrote) queueEtagRefresh(ctx, next, created?.properties.lastModifiedTimeUtc ?? undefined);
  next = await uploadAlerts(ctx, defender, next);
  await saveRecord(ctx, next, record?.version ?? 0);
  ctx.emit("incident.created", {
    defenderId: defender.id,
    sentinelName,
    linkedConnectorCopy: false,
    dryRun: settings.dryRun,
  });
  return "created";
}

interface MergeArgs {
  defender: DefenderIncident;
  sentinel: SentinelIncident;
  sentinelName: string;
  record: SyncRecord | undefined;
  link: SyncRecord["link"];
  /** No base yet: first sight of this pair (linking a connector copy, or adopting after a crash). */
  linking: boolean;
}

async function mergePair(ctx: CycleContext, args: MergeArgs): Promise<PairOutcome> {
  const { settings, report } = ctx;
  const { sentinel, sentinelName, record, link } = args;
  let defender = args.defender;
  const cD = unwrap(settings.profile.defenderToCanonical(defender));
  const cS = unwrap(settings.profile.sentinelToCanonical(sentinel));

  const merge = threeWayMerge({
    defender: cD,
    sentinel: cS,
    baseDefender: record?.baseDefender,
    baseSentinel: record?.baseSentinel,
    equals: (field, a, b) => settings.profile.equals(field, a, b),
    compact: compactCanonical,
    initialSource: "defender",
    // A timestamp that is not a date or lies in the future must not win every conflict: it counts as unknown.
    resolve: (conflict) =>
      resolveConflict(settings.conflictPolicy, {
        ...conflict,
        defenderId: defender.id,
        sentinelName,
        defenderUpdatedAt: trustedTimestamp(defender.lastUpdateDateTime, settings.now()),
        sentinelUpdatedAt: trustedTimestamp(sentinel.properties.lastModifiedTimeUtc, settings.now()),
      }),
  });

  const blocked = new Set<MergeGroup>();
  if (link === "connector" && !settings.writeConnectorFields)
    for (const g of CONNECTOR_GROUPS) blocked.add(g);
  // A merged (redirected) Defender incident cannot be reopened or reassigned from Sentinel.
  const defenderBlocked = new Set<MergeGroup>(defender.status === "redirected" ? ["lifecycle", "owner"] : []);
  // What Sentinel changed but a merged Defender incident cannot take (a reopen, a new owner) is put back in
  // Sentinel, so the copy stays closed like its Defender incident and both sides agree.
  const bounced: Partial<CanonicalIncident> = {};
  for (const g of defenderBlocked) {
    if (MERGE_GROUPS[g].some((f) => f in merge.toDefender))
      for (const f of MERGE_GROUPS[g]) Object.assign(bounced, { [f]: cD[f] });
  }
  const toSentinel =
    settings.direction === "sentinel-to-defender"
      ? {}
      : without({ ...merge.toSentinel, ...bounced }, blocked);
  const toDefender =
    settings.direction === "defender-to-sentinel"
      ? {}
      : without(without(merge.toDefender, blocked), defenderBlocked);

  for (const c of merge.conflicts) {
    report.counts.conflicts++;
    ctx.emit("conflict", {
      defenderId: defender.id,
      sentinelName,
      group: c.group,
      fields: c.fields,
      base: c.base,
      defenderValue: c.defenderValue,
      sentinelValue: c.sentinelValue,
      defenderUpdatedAt: defender.lastUpdateDateTime ?? undefined,
      sentinelUpdatedAt: sentinel.properties.lastModifiedTimeUtc ?? undefined,
      resolution: c.winner,
    });
  }

  // Sentinel: write when merged values changed, or (for our own copies) when the Defender context we
  // render — alert summary, activity times, redirect label — no longer matches what is there.
  let newSentinel = sentinel;
  let wroteSentinel = false;
  const targetS: CanonicalIncident = { ...cS, ...toSentinel, redirectTarget: cD.redirectTarget };
  const mayRefresh = link === "owned" && settings.direction !== "sentinel-to-defender";
  if (Object.keys(toSentinel).length > 0 || mayRefresh) {
    const body = unwrap(
      settings.profile.renderSentinel(targetS, { defender, existing: sentinel.properties }),
    );
    if (Object.keys(toSentinel).length > 0 || sentinelBodyDiffers(body, sentinel)) {
      const written = await putSentinel(ctx, sentinelName, body, sentinel.etag ?? undefined);
      newSentinel = written ?? { ...sentinel, properties: { ...sentinel.properties, ...body } };
      wroteSentinel = true;
      report.writes.sentinel++;
      report.counts.updatedInSentinel++;
    }
  }

  let wroteDefender = false;
  if (Object.keys(toDefender).length > 0) {
    const patch = unwrap(settings.profile.renderDefenderPatch(toDefender, { current: defender }));
    if (Object.keys(patch).length > 0) {
      defender = await patchDefender(ctx, defender, patch);
      wroteDefender = true;
      report.writes.defender++;
      report.counts.updatedInDefender++;
    }
  }

  let comments = record?.comments ?? [];
  const writes = commentWriteTracker();
  if (settings.syncComments) {
    const knownOnSentinel = sentinelCommentCount(comments);
    const count = sentinel.properties.additionalData?.commentsCount;
    // Someone else changed the Sentinel incident since we recorded its etag: besides (or instead of) the
    // fields, a comment may have been edited, which neither the fields nor the comment count show.
    const etagMoved = record?.sentinelEtag !== undefined && record.sentinelEtag !== sentinel.etag;
    const listSentinel =
      settings.direction !== "defender-to-sentinel" &&
      (ctx.reconciling || etagMoved || typeof count !== "number" || count !== knownOnSentinel);
    const sentinelComments = listSentinel ? await listAllComments(ctx, sentinelName) : undefined;
    comments = await syncComments(ctx, {
      defender,
      sentinelName,
      sentinelComments,
      known: comments,
      toSentinel: settings.direction !== "sentinel-to-defender",
      toDefender: settings.direction !== "defender-to-sentinel",
      onSentinelCommentWritten: writes.track,
    });
  }

  const baseDefender = wroteDefender ? unwrap(settings.profile.defenderToCanonical(defender)) : cD;
  const baseSentinel = wroteSentinel ? unwrap(settings.profile.sentinelToCanonical(newSentinel)) : cS;
  let next: Omit<SyncRecord, "version"> = {
    defenderId: defender.id,
    sentinelName,
    link,
    baseDefender: compactCanonical(baseDefender),
    baseSentinel: compactCanonical(baseSentinel),
    determination: defender.determination ?? record?.determination,
    defenderVersion: defender.lastUpdateDateTime ?? undefined,
    sentinelEtag: newSentinel.etag ?? undefined,
    sentinelModified: newSentinel.properties.lastModifiedTimeUtc ?? undefined,
    comments,
    redirectNotified: record?.redirectNotified,
    alertsUploaded: record?.alertsUploaded,
    renderDigest: link === "owned" ? renderDigestOf(ctx, defender, baseDefender) : undefined,
  };
  next = await notifyRedirect(ctx, defender, next, writes.track);
  // A record that still waits for its echo keeps waiting until it is seen.
  // An existing incident may be edited by analysts at any time: re-read its etag after our comment writes
  // (one GET) so the next cycle can tell our echo from a comment edit.
  if (writes.t.wrote) queueEtagRefresh(ctx, next, newSentinel.properties.lastModifiedTimeUtc ?? undefined);
  next = await uploadAlerts(ctx, defender, next);
  await saveRecord(ctx, next, record?.version ?? 0);

  if (args.linking) {
    report.counts.linked++;
    ctx.emit("incident.created", {
      defenderId: defender.id,
      sentinelName,
      linkedConnectorCopy: link === "connector",
      dryRun: settings.dryRun,
    });
  }
  emitUpdates(ctx, defender.id, sentinelName, cS, toSentinel, "defender-to-sentinel", wroteSentinel);
  emitUpdates(ctx, defender.id, sentinelName, cD, toDefender, "sentinel-to-defender", wroteDefender);
  if (!wroteDefender && !wroteSentinel) report.counts.unchanged++;
  return args.linking ? "linked" : wroteDefender || wroteSentinel ? "updated" : "unchanged";
}

/** sha256 of the Sentinel rendering of a Defender incident alone; changes when alerts or links change. */
export function renderDigestOf(
  ctx: CycleContext,
  defender: DefenderIncident,
  canonical: CanonicalIncident,
): string | undefined {
  const rendered = ctx.settings.profile.renderSentinel(canonical, { defender });
  return rendered.ok ? sha256(JSON.stringify(rendered.value)).slice(0, 32) : undefined;
}

function sameCanonical(current: CanonicalIncident, b: CanonicalIncident | undefined): boolean {
  if (!b) return false;
  const a = compactCanonical(current);
  for (const group of Object.values(MERGE_GROUPS)) {
    for (const f of group) {
      const x = f === "tags" ? [...a.tags].sort() : a[f];
      const y = f === "tags" ? [...b.tags].sort() : b[f];
      if (JSON.stringify(x ?? null) !== JSON.stringify(y ?? null)) return false;
    }
  }
  return (a.redirectTarget ?? null) === (b.redirectTarget ?? null);
}

/**
 * The Sentinel incident still shows what we recorded (synced view and comment count): whatever moved its etag
 * was not a change we have to sync (or was our own comment write).
 */
export function sentinelViewUnchanged(
  ctx: CycleContext,
  record: SyncRecord,
  sentinel: SentinelIncident,
): boolean {
  if (!record.baseSentinel) return false;
  const canonical = ctx.settings.profile.sentinelToCanonical(sentinel);
  if (!canonical.ok || !sameCanonical(canonical.value, record.baseSentinel)) return false;
  const count = sentinel.properties.additionalData?.commentsCount;
  return (
    !ctx.settings.syncComments ||
    (typeof count === "number" && count === sentinelCommentCount(record.comments))
  );
}

/** Notes whether comments were written to Sentinel while syncing one pair. */
function commentWriteTracker() {
  const t = { wrote: false };
  const track = () => {
    t.wrote = true;
  };
  return { t, track };
}

/**
 * Our comment writes may move the incident's etag past the one we hold. The pair is queued, and after the page
 * the engine re-reads all queued incidents with one list call (see `SyncEngine.refreshEtags`), so the next
 * cycle can still tell our echo from an analyst's comment edit without one GET per incident.
 */
function queueEtagRefresh(
  ctx: CycleContext,
  record: Omit<SyncRecord, "version">,
  since: string | undefined,
): void {
  if (ctx.settings.dryRun) return;
  ctx.etagRefresh.push({
    defenderId: record.defenderId,
    sentinelName: record.sentinelName,
    since: trustedTimestamp(since, ctx.settings.now()),
  });
}

/**
 * A Sentinel incident whose etag moved but whose synced view and comment count did not, while the ledger holds
 * no etag (our own comment writes could not be followed by a read): only the ledger's etag needs to move — no
 * API call. When the etag we recorded moved for no visible reason, a comment may have been edited (or
 * automation touched the incident): not an echo, the pair is merged again (one comments list).
 */
export function isSentinelEcho(ctx: CycleContext, record: SyncRecord, sentinel: SentinelIncident): boolean {
  if (record.quarantine || !record.baseSentinel) return false;
  const watchEdits = ctx.settings.syncComments && ctx.settings.direction !== "defender-to-sentinel";
  if (watchEdits && record.sentinelEtag !== undefined && record.sentinelEtag !== sentinel.etag) return false;
  const canonical = ctx.settings.profile.sentinelToCanonical(sentinel);
  if (!canonical.ok || !sameCanonical(canonical.value, record.baseSentinel)) return false;
  const count = sentinel.properties.additionalData?.commentsCount;
  return (
    !ctx.settings.syncComments ||
    (typeof count === "number" && count === sentinelCommentCount(record.comments))
  );
}

/**
 * A Defender incident whose lastUpdateDateTime moved but whose synced view, comments and rendered context
 * did not (e.g. our own comment posts): only the ledger's version needs to move.
 */
export function isDefenderEcho(ctx: CycleContext, record: SyncRecord, defender: DefenderIncident): boolean {
  if (record.quarantine || !record.baseDefender) return false;
  const canonical = ctx.settings.profile.defenderToCanonical(defender);
  if (!canonical.ok || !sameCanonical(canonical.value, record.baseDefender)) return false;
  if (ctx.settings.alertSink && alertsToUpload(defender.alerts ?? [], record.alertsUploaded).length > 0)
    return false;
  if (defender.status === "redirected" && record.redirectNotified !== defender.redirectIncidentId)
    return false;
  if (ctx.settings.syncComments) {
    const known = new Set(record.comments.map((c) => c.defenderHash));
    if ((defender.comments ?? []).some((c) => !known.has(defenderCommentHash(c)))) return false;
  }
  return record.link !== "owned" || record.renderDigest === renderDigestOf(ctx, defender, canonical.value);
}

function without(
  values: Partial<CanonicalIncident>,
  groups: ReadonlySet<MergeGroup>,
): Partial<CanonicalIncident> {
  if (groups.size === 0) return values;
  const out: Partial<CanonicalIncident> = { ...values };
  for (const g of groups) for (const f of MERGE_GROUPS[g]) delete out[f];
  return out;
}

function emitUpdates(
  ctx: CycleContext,
  defenderId: string,
  sentinelName: string,
  before: CanonicalIncident,
  values: Partial<CanonicalIncident>,
  direction: "defender-to-sentinel" | "sentinel-to-defender",
  wrote: boolean,
): void {
  if (!wrote) return;
  const changes: FieldChange[] = [];
  for (const [field, to] of Object.entries(values) as [keyof CanonicalIncident, unknown][]) {
    if (JSON.stringify(before[field]) !== JSON.stringify(to))
      changes.push({ field, from: before[field], to });
  }
  const dryRun = ctx.settings.dryRun;
  ctx.emit("incident.updated", { defenderId, sentinelName, direction, changes, dryRun });
  const status = values.status;
  if (status && status !== before.status) {
    const origin = direction === "defender-to-sentinel" ? "defender" : "sentinel";
    const classification = values.classification ?? before.classification;
    if (status === "closed") {
      ctx.report.counts.closed++;
      ctx.emit("incident.closed", { defenderId, sentinelName, origin, classification, dryRun });
    } else if (before.status === "closed") {
      ctx.report.counts.reopened++;
      ctx.emit("incident.reopened", { defenderId, sentinelName, origin, classification, dryRun });
    }
  }
}

/** Compares what we would PUT with what Sentinel has, on the properties we render. */
function sentinelBodyDiffers(body: SentinelIncidentWriteProperties, current: SentinelIncident): boolean {
  const p = current.properties as Record<string, unknown>;
  for (const [key, value] of Object.entries(body)) {
    const have = p[key];
    if (key === "labels") {
      const names = (v: unknown) =>
        JSON.stringify(((v as { labelName: string }[] | undefined) ?? []).map((l) => l.labelName).sort());
      if (names(value) !== names(have)) return true;
    } else if (key === "owner") {
      const upn = (v: unknown) => {
        const o = (v ?? {}) as Record<string, unknown>;
        return String(o.userPrincipalName ?? o.email ?? o.objectId ?? "").toLowerCase();
      };
      if (upn(value) !== upn(have)) return true;
    } else if (key === "firstActivityTimeUtc" || key === "lastActivityTimeUtc") {
      if ((value ? Date.parse(String(value)) : undefined) !== (have ? Date.parse(String(have)) : undefined))
        return true;
    } else if (JSON.stringify(value ?? null) !== JSON.stringify(have ?? null)) {
      return true;
    }
  }
  return false;
}

async function putSentinel(
  ctx: CycleContext,
  name: string,
  body: SentinelIncidentWriteProperties,
  etag: string | undefined,
): Promise<SentinelIncident | undefined> {
  const perform = ctx.plan({
    service: "sentinel",
    method: "PUT",
    target: name,
    operation: etag ? "updateIncident" : "createIncident",
    body: { properties: body, ...(etag ? { etag } : {}) },
  });
  if (!perform) return undefined;
  return ctx.settings.sentinel.createOrUpdateIncident(name, body, { etag, abortSignal: ctx.abortSignal });
}

async function patchDefender(
  ctx: CycleContext,
  current: DefenderIncident,
  patch: DefenderIncidentPatch,
): Promise<DefenderIncident> {
  const perform = ctx.plan({
    service: "defender",
    method: "PATCH",
    target: current.id,
    operation: "updateIncident",
    body: patch,
  });
  if (!perform) return { ...current, ...patch } as DefenderIncident;
  const updated = await ctx.settings.defender.updateIncident(current.id, patch, {
    abortSignal: ctx.abortSignal,
  });
  // The PATCH response may omit the expanded alerts and comments; keep what we had.
  return {
    ...updated,
    alerts: updated.alerts ?? current.alerts,
    comments: updated.comments?.length ? updated.comments : current.comments,
  };
}

async function listAllComments(ctx: CycleContext, name: string): Promise<SentinelComment[]> {
  const out: SentinelComment[] = [];
  for await (const page of ctx.settings.sentinel
    .listIncidentComments(name, { abortSignal: ctx.abortSignal })
    .byPage()) {
    out.push(...page);
  }
  return out;
}

/**
 * A merged Defender incident: its Sentinel copy gets one comment naming the target's Sentinel incident
 * (deterministic id, so never twice), and the target is queued to sync in this same cycle.
 */
async function notifyRedirect(
  ctx: CycleContext,
  defender: DefenderIncident,
  record: Omit<SyncRecord, "version">,
  onCommentWritten?: () => void,
): Promise<Omit<SyncRecord, "version">> {
  const target = defender.redirectIncidentId;
  if (defender.status !== "redirected" || !target) return record;
  const { settings } = ctx;
  const targetRecord = await settings.store.getRecord(target);
  const tenant = settings.tenantId ?? defender.tenantId ?? "default";
  const targetName = targetRecord?.sentinelName ?? sentinelNameFor(tenant, target);
  if (!ctx.processed.has(target)) ctx.followUps.add(target);
  if (record.redirectNotified === target) return record;
  const commentId = redirectCommentIdFor(defender.id, target);
  // Already there (adopted after a crash between writing the note and recording it): not written twice.
  const written = record.comments.some((c) => c.sentinelCommentId.toLowerCase() === commentId);
  if (settings.direction !== "sentinel-to-defender" && !written) {
    const message = `This incident was merged into Microsoft Defender XDR incident ${target} (Sentinel incident ${targetName}). It was closed automatically.`;
    const perform = ctx.plan({
      service: "sentinel",
      method: "PUT",
      target: `${record.sentinelName}/comments/${commentId}`,
      operation: "createComment",
      body: { properties: { message } },
    });
    if (perform) {
      await settings.sentinel.createIncidentComment(record.sentinelName, commentId, message, {
        abortSignal: ctx.abortSignal,
      });
      onCommentWritten?.();
    }
    ctx.report.writes.sentinel++;
    record.comments = [
      ...record.comments,
      { defenderHash: `redirect:${target}`, sentinelCommentId: commentId, origin: "defender" },
    ];
  }
  ctx.report.counts.redirected++;
  ctx.emit("incident.redirected", {
    defenderId: defender.id,
    sentinelName: record.sentinelName,
    targetDefenderId: target,
    targetSentinelName: targetName,
    dryRun: settings.dryRun,
  });
  return { ...record, redirectNotified: target };
}

/**
 * With an `alertSink`, the incident's alert versions not uploaded yet go to Log Analytics. Failed ones stay
 * pending in the record's mark and are retried the next time the pair is processed; never in dry-run.
 */
async function uploadAlerts(
  ctx: CycleContext,
  defender: DefenderIncident,
  record: Omit<SyncRecord, "version">,
): Promise<Omit<SyncRecord, "version">> {
  const sink = ctx.settings.alertSink;
  if (!sink || ctx.settings.dryRun) return record;
  const pending = alertsToUpload(defender.alerts ?? [], record.alertsUploaded);
  if (pending.length === 0) return record;
  const result = await sink.uploadAlerts(pending, { abortSignal: ctx.abortSignal });
  ctx.report.counts.alertsUploaded += result.uploaded.length;
  ctx.report.counts.alertUploadsFailed += result.failed.length;
  return { ...record, alertsUploaded: advanceAlertMark(record.alertsUploaded, result) };
}

async function saveRecord(
  ctx: CycleContext,
  record: Omit<SyncRecord, "version">,
  expectedVersion: number,
): Promise<void> {
  if (ctx.settings.dryRun) return;
  const { quarantine: _dropped, ...clean } = record;
  await ctx.settings.store.putRecord(clean, expectedVersion);
}
