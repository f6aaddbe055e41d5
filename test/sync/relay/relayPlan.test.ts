import { describe, expect, it } from "vitest";
import { type CanonicalIncident, createMappingProfile } from "../../../src/mapping";
import {
  commentTextHash,
  planRelayPair,
  REDIRECTED_TAG,
  type RelayPairView,
} from "../../../src/sync/relay/relayPlan";
import type { SyncRecord } from "../../../src/sync/stateStore";

const profile = createMappingProfile();
const settings = { direction: "both" as const, conflictPolicy: "latest-wins" as const, profile };

function canonical(over: Partial<CanonicalIncident> = {}): CanonicalIncident {
  return {
    title: "Ransomware on host-1",
    description: "",
    severity: "high",
    status: "active",
    classification: "undetermined",
    classificationDetail: undefined,
    closingComment: undefined,
    owner: undefined,
    tags: [],
    redirectTarget: undefined,
    ...over,
  };
}

function record(over: Partial<SyncRecord> = {}): SyncRecord {
  return {
    defenderId: "17",
    sentinelName: "900",
    link: "relay",
    comments: [],
    baseDefender: canonical(),
    baseSentinel: canonical({ title: "Multi-stage incident on host-1" }),
    relay: { targetId: "900", relayed: ["a1"] },
    version: 3,
    ...over,
  };
}

function view(over: Partial<RelayPairView> = {}): RelayPairView {
  return {
    sourceTenantId: "t1",
    sourceId: "17",
    sourceCanonical: canonical(),
    sourceUpdatedAt: "2026-12-01T10:00:00Z",
    sourceComments: [],
    targetId: "900",
    // Defender named the target incident itself: a different title is not a change to sync.
    targetCanonical: canonical({ title: "Multi-stage incident on host-1" }),
    targetUpdatedAt: "2026-12-01T10:00:00Z",
    targetComments: [],
    record: record(),
    redirectTargetMirror: undefined,
    ...over,
  };
}

describe("planRelayPair", () => {
  it("plans nothing for a quiet pair whose target title Defender chose", () => {
    const plan = planRelayPair(view(), settings);
    expect(plan).toEqual({
      toSource: {},
      toTarget: {},
      conflicts: [],
      commentsToTarget: [],
      commentsToSource: [],
      redirectNote: undefined,
    });
  });

  it("never writes the target's title or severity back to the source", () => {
    const plan = planRelayPair(
      view({ targetCanonical: canonical({ title: "Renamed by an MSSP analyst", severity: "low" }) }),
      settings,
    );
    expect(plan.toSource).toEqual({});
  });

  it("sends the source's new title and severity to the target", () => {
    const plan = planRelayPair(
      view({ sourceCanonical: canonical({ title: "Ransomware on 3 hosts", severity: "medium" }) }),
      settings,
    );
    expect(plan.toTarget).toMatchObject({ title: "Ransomware on 3 hosts", severity: "medium" });
  });

  it("brings an MSSP analyst's close back to the customer's incident", () => {
    const closed = {
      status: "closed" as const,
      classification: "truePositive" as const,
      classificationDetail: "malware",
    };
    const plan = planRelayPair(
      view({ targetCanonical: canonical({ title: "Multi-stage incident on host-1", ...closed }) }),
      settings,
    );
    expect(plan.toSource).toMatchObject(closed);
    expect(plan.toTarget).toEqual({});
  });

  it("settles an owner changed on both sides by the conflict policy (latest wins)", () => {
    const plan = planRelayPair(
      view({
        sourceCanonical: canonical({ owner: "alice@customer.com" }),
        sourceUpdatedAt: "2026-12-01T10:00:00Z",
        targetCanonical: canonical({ title: "Multi-stage incident on host-1", owner: "bob@mssp.com" }),
        targetUpdatedAt: "2026-12-01T11:00:00Z",
      }),
      settings,
    );
    expect(plan.conflicts).toHaveLength(1);
    expect(plan.conflicts[0]?.winner).toBe("sentinel");
    expect(plan.toSource).toEqual({ owner: "bob@mssp.com" });
  });

  it("copies new comments both ways, never one it wrote itself", () => {
    const plan = planRelayPair(
      view({
        sourceComments: [{ comment: "isolated the host", createdByDisplayName: "Alice" }],
        targetComments: [{ comment: "MSSP: confirmed C2 traffic", createdByDisplayName: "Bob" }],
      }),
      settings,
    );
    expect(plan.commentsToTarget.map((c) => c.text)).toEqual([
      "isolated the host\n— source incident 17 (Alice)",
    ]);
    expect(plan.commentsToSource.map((c) => c.text)).toEqual([
      "MSSP: confirmed C2 traffic\n— mirror incident 900 (Bob)",
    ]);

    // The ledger after applying: each comment under its origin hash and the hash of the text we wrote.
    const synced = [
      {
        defenderHash: plan.commentsToTarget[0]?.originHash ?? "",
        sentinelCommentId: commentTextHash(plan.commentsToTarget[0]?.text ?? ""),
        origin: "defender" as const,
      },
      {
        defenderHash: commentTextHash(plan.commentsToSource[0]?.text ?? ""),
        sentinelCommentId: plan.commentsToSource[0]?.originHash ?? "",
        origin: "sentinel" as const,
      },
    ];
    const echo = planRelayPair(
      view({
        record: record({ comments: synced }),
        sourceComments: [
          { comment: "isolated the host", createdByDisplayName: "Alice" },
          { comment: plan.commentsToSource[0]?.text ?? "", createdByDisplayName: "sync app" },
        ],
        targetComments: [
          { comment: "MSSP: confirmed C2 traffic", createdByDisplayName: "Bob" },
          { comment: plan.commentsToTarget[0]?.text ?? "", createdByDisplayName: "sync app" },
        ],
      }),
      settings,
    );
    expect(echo.commentsToTarget).toEqual([]);
    expect(echo.commentsToSource).toEqual([]);
  });

  it("resolves the target of a merged source with the Redirected tag and one note", () => {
    const merged = canonical({ status: "closed", redirectTarget: "18" });
    const plan = planRelayPair(view({ sourceCanonical: merged, redirectTargetMirror: "901" }), settings);
    expect(plan.toTarget.status).toBe("closed");
    expect(plan.toTarget.tags).toContain(REDIRECTED_TAG);
    expect(plan.redirectNote).toContain("source incident 18");
    expect(plan.redirectNote).toContain("incident 901");
    const again = planRelayPair(
      view({ sourceCanonical: merged, record: record({ redirectNotified: "18" }) }),
      settings,
    );
    expect(again.redirectNote).toBeUndefined();
  });

  it("does not reopen a merged source from the target", () => {
    const plan = planRelayPair(
      view({
        sourceCanonical: canonical({ status: "closed", redirectTarget: "18" }),
        record: record({
          baseDefender: canonical({ status: "closed", redirectTarget: "18" }),
          baseSentinel: canonical({ title: "Multi-stage incident on host-1", status: "closed" }),
        }),
        targetCanonical: canonical({
          title: "Multi-stage incident on host-1",
          status: "active",
          tags: [REDIRECTED_TAG],
        }),
      }),
      settings,
    );
    expect(plan.toSource).toEqual({});
  });

  it("one-way directions write one side only", () => {
    const v = view({
      sourceCanonical: canonical({ severity: "low" }),
      targetCanonical: canonical({ title: "Multi-stage incident on host-1", owner: "bob@mssp.com" }),
      sourceComments: [{ comment: "x" }],
      targetComments: [{ comment: "y" }],
    });
    const down = planRelayPair(v, { ...settings, direction: "defender-to-sentinel" });
    expect(down.toSource).toEqual({});
    expect(down.commentsToSource).toEqual([]);
    expect(down.toTarget).toMatchObject({ severity: "low" });
    const up = planRelayPair(v, { ...settings, direction: "sentinel-to-defender" });
    expect(up.toTarget).toEqual({});
    expect(up.commentsToTarget).toEqual([]);
    expect(up.toSource).toEqual({ owner: "bob@mssp.com" });
  });
});
