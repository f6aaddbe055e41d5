/**
 * The classic pair's plan, driven as a pure function: views in, plan out, no HTTP and no store. Each row is a
 * situation the engine meets; the integration tests check that `apply` performs what these plans say.
 */
import { describe, expect, it } from "vitest";
import type { DefenderIncident } from "../../../src/defender/models";
import { DEFAULT_MAPPING_PROFILE } from "../../../src/mapping/defaultProfile";
import { type SentinelIncident, sentinelIncidentSchema } from "../../../src/sentinel/models";
import { type ClassicPlanSettings, planClassicPair } from "../../../src/sync/classic/pairPlan";
import { buildPairView, CycleViews } from "../../../src/sync/classic/pairView";
import type { SyncRecord } from "../../../src/sync/stateStore";
import { defenderIncident } from "../../mapping/builders";

const NOW = new Date("2026-12-01T12:00:00Z");
const NAME = "b1a1b2c3-0000-4000-8000-000000000001";

function settings(overrides: Partial<ClassicPlanSettings> = {}): ClassicPlanSettings {
  return {
    profile: DEFAULT_MAPPING_PROFILE,
    direction: "both",
    conflictPolicy: "latest-wins",
    writeConnectorFields: false,
    syncComments: true,
    reconciling: false,
    now: NOW,
    ...overrides,
  };
}

interface PairState {
  defender: DefenderIncident;
  sentinel: SentinelIncident;
  record: SyncRecord;
}

/** A pair as the engine leaves it after creating the copy: both sides agree and the ledger holds the bases. */
function syncedPair(raw: Record<string, unknown> = {}, link: "owned" | "connector" = "owned"): PairState {
  const views = new CycleViews(DEFAULT_MAPPING_PROFILE);
  const defender = defenderIncident({ lastUpdateDateTime: "2026-12-01T10:00:00Z", ...raw });
  const created = planClassicPair(
    buildPairView(views, { defender, sentinel: undefined, sentinelName: NAME, record: undefined, link }),
    settings(),
  );
  const sentinel = sentinelCopy(created.sentinelWrite!.body as Record<string, unknown>, '"etag-1"');
  const record: SyncRecord = {
    defenderId: defender.id,
    sentinelName: NAME,
    link,
    baseDefender: unwrap(views.defender(defender).canonical),
    baseSentinel: unwrap(views.sentinel(sentinel)),
    sentinelEtag: '"etag-1"',
    comments: [],
    version: 1,
  };
  return { defender, sentinel, record };
}

function sentinelCopy(
  properties: Record<string, unknown>,
  etag: string,
  commentsCount = 0,
): SentinelIncident {
  return sentinelIncidentSchema.parse({
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w/providers/Microsoft.SecurityInsights/incidents/${NAME}`,
    name: NAME,
    etag,
    properties: {
      lastModifiedTimeUtc: "2026-12-01T10:00:00Z",
      ...properties,
      additionalData: { commentsCount },
    },
  });
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/** Plans the pair after edits on either side (fresh objects, as a new cycle reads them). */
function plan(
  pair: PairState,
  edits: {
    defender?: Record<string, unknown>;
    sentinel?: Record<string, unknown>;
    etag?: string;
    commentsCount?: number;
  } = {},
  overrides: Partial<ClassicPlanSettings> = {},
) {
  const defender = defenderIncident({ ...pair.defender, ...edits.defender });
  const sentinel = sentinelCopy(
    { ...pair.sentinel.properties, ...edits.sentinel },
    edits.etag ?? pair.sentinel.etag!,
    edits.commentsCount ?? 0,
  );
  const view = buildPairView(new CycleViews(DEFAULT_MAPPING_PROFILE), {
    defender,
    sentinel,
    sentinelName: NAME,
    record: pair.record,
    link: pair.record.link as "owned" | "connector",
  });
  return planClassicPair(view, settings(overrides));
}

describe("planClassicPair", () => {
  it("a new Defender incident: create the copy from the Defender rendering, nothing for Defender", () => {
    const defender = defenderIncident({ severity: "high" });
    const view = buildPairView(new CycleViews(DEFAULT_MAPPING_PROFILE), {
      defender,
      sentinel: undefined,
      sentinelName: NAME,
      record: undefined,
      link: "owned",
    });
    const p = planClassicPair(view, settings());
    expect(p.action).toBe("create");
    expect(p.sentinelWrite?.etag).toBeUndefined();
    expect(p.sentinelWrite?.body).toMatchObject({ title: defender.displayName, severity: "High" });
    expect(p.defenderPatch).toBeUndefined();
  });

  it("a new Defender incident with direction sentinel-to-defender: nothing may be created", () => {
    const view = buildPairView(new CycleViews(DEFAULT_MAPPING_PROFILE), {
      defender: defenderIncident(),
      sentinel: undefined,
      sentinelName: NAME,
      record: undefined,
      link: "owned",
    });
    const p = planClassicPair(view, settings({ direction: "sentinel-to-defender" }));
    expect(p.action).toBe("none");
    expect(p.sentinelWrite).toBeUndefined();
  });

  it("a pair in agreement plans no write and lists no comments", () => {
    const p = plan(syncedPair());
    expect(p).toMatchObject({ action: "merge", sentinelWrite: undefined, defenderPatch: undefined });
    expect(p.conflicts).toEqual([]);
    expect(p.listSentinelComments).toBe(false);
  });

  it("a Defender severity edit becomes one etag-checked Sentinel PUT and an incident.updated change", () => {
    const p = plan(syncedPair(), { defender: { severity: "high" } });
    expect(p.sentinelWrite?.etag).toBe('"etag-1"');
    expect(p.sentinelWrite?.body).toMatchObject({ severity: "High" });
    expect(p.defenderPatch).toBeUndefined();
    expect(p.sentinelChanges).toEqual([{ field: "severity", from: "medium", to: "high" }]);
  });

  it("a Sentinel close becomes a Defender PATCH with the mapped classification", () => {
    const p = plan(syncedPair(), {
      sentinel: {
        status: "Closed",
        classification: "TruePositive",
        classificationReason: "SuspiciousActivity",
      },
    });
    expect(p.defenderPatch).toMatchObject({ status: "resolved", classification: "truePositive" });
    expect(p.defenderChanges.map((c) => c.field)).toContain("status");
  });

  it.each([
    ["defender-wins", "Defender title"],
    ["sentinel-wins", "Sentinel title"],
  ] as const)(
    "a title edited on both sides under %s: one winner, reported as a conflict",
    (policy, winner) => {
      const p = plan(
        syncedPair(),
        { defender: { displayName: "Defender title" }, sentinel: { title: "Sentinel title" } },
        { conflictPolicy: policy },
      );
      expect(p.conflicts).toHaveLength(1);
      expect(p.conflicts[0]).toMatchObject({ winner: policy === "defender-wins" ? "defender" : "sentinel" });
      if (policy === "defender-wins") expect(p.sentinelWrite?.body).toMatchObject({ title: winner });
      else expect(p.defenderPatch).toMatchObject({ displayName: winner });
    },
  );

  it("direction defender-to-sentinel: a Sentinel edit is never sent to Defender", () => {
    const p = plan(syncedPair(), { sentinel: { severity: "High" } }, { direction: "defender-to-sentinel" });
    expect(p.defenderPatch).toBeUndefined();
    expect(p.toDefender).toEqual({});
  });

  it("a connector copy: owner and lifecycle stay with the connector unless writeConnectorFields", () => {
    const owner = { userPrincipalName: "analyst@contoso.com", assignedTo: "Analyst" };
    const pair = syncedPair({}, "connector");
    const blocked = plan(pair, { sentinel: { owner, status: "Active" } });
    expect(blocked.defenderPatch).toBeUndefined();
    const allowed = plan(pair, { sentinel: { owner, status: "Active" } }, { writeConnectorFields: true });
    expect(allowed.defenderPatch).toMatchObject({ assignedTo: "analyst@contoso.com", status: "inProgress" });
  });

  it("a reopen in Sentinel of a merged (redirected) Defender incident is put back in Sentinel, not sent", () => {
    const pair = syncedPair({ status: "redirected", redirectIncidentId: "2002" });
    const p = plan(pair, { sentinel: { status: "Active" } });
    expect(p.defenderPatch).toBeUndefined();
    expect(p.sentinelWrite?.body).toMatchObject({ status: "Closed" });
  });

  it("our copy is refreshed when the Defender context it shows changed, though no merged field did", () => {
    const pair = syncedPair();
    const p = plan(pair, {
      defender: { incidentWebUrl: "https://security.microsoft.com/incidents/1001?tid=moved" },
    });
    expect(p.toSentinel).toEqual({});
    expect(p.sentinelWrite).toBeDefined();
    expect(p.sentinelChanges).toEqual([]);
  });

  it.each([
    ["the etag moved (someone else wrote)", { etag: '"etag-2"' }, {}, true],
    ["the comment count differs from the ledger", { commentsCount: 1 }, {}, true],
    ["a reconciliation cycle", {}, { reconciling: true }, true],
    ["comments are off", { etag: '"etag-2"' }, { syncComments: false }, false],
    ["direction defender-to-sentinel", { etag: '"etag-2"' }, { direction: "defender-to-sentinel" }, false],
    ["nothing moved", {}, {}, false],
  ] as const)("Sentinel comments are listed when %s: %s", (_why, edits, overrides, expected) => {
    expect(plan(syncedPair(), edits, overrides).listSentinelComments).toBe(expected);
  });
});
