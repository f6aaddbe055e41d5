/**
 * The public pure functions never write to what they are given: every input here is deep-frozen, so a write
 * throws a TypeError (ES modules run in strict mode), and each result is checked to be usable.
 */
import {
  type CanonicalIncident,
  type ClassicPairPlan,
  createAlertRowMapper,
  createMappingProfile,
  type DefenderAlert,
  type DefenderIncident,
  defenderToSentinel,
  formatSyncPlan,
  type PlannedWrite,
  type SentinelIncident,
  sentinelToDefender,
  sourceKeysOfIncident,
} from "defender-sentinel-sync";
import { describe, expect, it } from "vitest";
import { defenderIncidentSchema } from "../../src/defender/models";
import { sentinelIncidentSchema } from "../../src/sentinel/models";
import { deepFreeze, frozenCopy } from "../helpers/deepFreeze";
import { realisticIncidentPayload, sentinelProperties } from "./builders";
import { ok } from "./helpers";

const SOURCE_TENANT = "0f7c1d3e-5a6b-4c8d-9e0f-1a2b3c4d5e6f";

/** A Defender incident with alerts, evidence, comments, tags, an owner and a closed lifecycle; deep-frozen. */
function frozenDefender(): DefenderIncident {
  const raw = realisticIncidentPayload(4, 3);
  const parsed = defenderIncidentSchema.parse(raw);
  // Relay alerts carry the source keys in their custom details (what `sourceKeysOfIncident` reads).
  const alerts = (parsed.alerts ?? []).map((a, i) => ({
    ...a,
    customDetails: {
      SourceTenantId: SOURCE_TENANT,
      SourceIncidentId: `77${i % 2}`,
      SourceAlertId: a.id,
    },
  }));
  return deepFreeze({ ...parsed, alerts } as DefenderIncident);
}

/** A Sentinel incident as the service returns it, with labels, owner, classification; deep-frozen. */
function frozenSentinel(): SentinelIncident {
  return deepFreeze(
    sentinelIncidentSchema.parse({
      id: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws/providers/Microsoft.SecurityInsights/Incidents/abc",
      name: "abc",
      etag: '"0300bf09-0000-0000-0000-5c37296e0000"',
      type: "Microsoft.SecurityInsights/Incidents",
      properties: {
        ...sentinelProperties({
          title: "Renamed in Sentinel",
          description: "Edited in Sentinel.",
          severity: "Low",
          status: "Closed",
          classification: "BenignPositive",
          classificationReason: "SuspiciousButExpected",
          classificationComment: "Known scanner",
          owner: {
            email: "bob@contoso.com",
            assignedTo: "Bob",
            objectId: "2046feea-040d-4a46-9e2b-91c2941bfa70",
          },
          labels: [
            { labelName: "Demo", labelType: "User" },
            { labelName: "From Sentinel", labelType: "User" },
            { labelName: "Auto", labelType: "AutoAssigned" },
          ],
          providerName: "Azure Sentinel",
          providerIncidentId: "42",
          incidentNumber: 42,
          lastModifiedTimeUtc: "2024-05-03T10:00:00Z",
          createdTimeUtc: "2024-05-01T10:00:00Z",
        }),
      },
    }),
  );
}

describe("public pure functions leave deep-frozen inputs alone", () => {
  it("defenderToSentinel (with and without the existing Sentinel incident)", () => {
    const defender = frozenDefender();
    const sentinel = frozenSentinel();
    const fresh = ok(defenderToSentinel(defender));
    expect(fresh.title).toBe(defender.displayName);
    const options = deepFreeze({ existing: sentinel.properties });
    const merged = ok(defenderToSentinel(defender, options));
    expect(merged.labels?.some((l) => l.labelName === "Auto")).toBe(true);
    // The result is the caller's to change: nothing of the (frozen) input was handed back.
    expect(Object.isFrozen(merged)).toBe(false);
  });

  it("sentinelToDefender (properties and the whole incident, with the current Defender incident)", () => {
    const defender = frozenDefender();
    const sentinel = frozenSentinel();
    const patch = ok(sentinelToDefender(sentinel, defender));
    expect(patch.displayName).toBe("Renamed in Sentinel");
    expect(patch.severity).toBe("low");
    expect(ok(sentinelToDefender(sentinel.properties, defender, deepFreeze({})))).toEqual(patch);
    expect(ok(sentinelToDefender(sentinel.properties)).severity).toBe("low");
  });

  it("every method of createMappingProfile()", () => {
    const profile = createMappingProfile();
    const defender = frozenDefender();
    const sentinel = frozenSentinel();
    const cD = deepFreeze(ok(profile.defenderToCanonical(defender)));
    const cS = deepFreeze(ok(profile.sentinelToCanonical(sentinel)));
    expect(ok(profile.sentinelToCanonical(sentinel.properties))).toEqual(cS);
    const rendered = ok(profile.renderSentinel(cD, deepFreeze({ defender, existing: sentinel.properties })));
    expect(rendered.title).toBe(cD.title);
    const changes: Partial<CanonicalIncident> = deepFreeze({
      title: cS.title,
      severity: cS.severity,
      status: cS.status,
      classification: cS.classification,
      classificationDetail: cS.classificationDetail,
      owner: cS.owner,
      tags: cS.tags,
    });
    const patch = ok(profile.renderDefenderPatch(changes, deepFreeze({ current: defender })));
    expect(patch.displayName).toBe(cS.title);
    const comment = defender.comments![0]!;
    expect(
      ok(
        profile.renderSentinelComment(
          comment.comment!,
          deepFreeze({ author: "kai@contoso.com", createdDateTime: comment.createdDateTime! }),
        ),
      ),
    ).toContain("Investigating");
    expect(
      ok(
        profile.renderDefenderComment(
          "Escalated",
          deepFreeze({ author: "Bob", createdTimeUtc: "2024-05-01T10:00:00Z" }),
        ),
      ),
    ).toContain("Escalated");
    expect(profile.equals("title", cD, cS)).toBe(false);
    expect(profile.diff(cD, cS)).toContain("title");
    expect(profile.isSystemLabel("Auto")).toBe(false);
  });

  it("createAlertRowMapper's mapper (default and with a build override)", () => {
    const defender = frozenDefender();
    const alert: DefenderAlert = defender.alerts![0]!;
    const row = ok(createAlertRowMapper()(alert));
    expect(row.AlertId).toBe(alert.id);
    const extended = createAlertRowMapper(
      deepFreeze({
        build: (a: DefenderAlert, ctx: unknown, next: (a: DefenderAlert, ctx: never) => object) => ({
          ...next(a, ctx as never),
          Environment_s: "prod",
        }),
        limits: { evidenceMaxBytes: 2_000 },
      }) as never,
    );
    expect(ok(extended(alert))).toMatchObject({ AlertId: alert.id, Environment_s: "prod" });
    for (const a of defender.alerts!) ok(createAlertRowMapper()(a));
  });

  it("sourceKeysOfIncident", () => {
    const defender = frozenDefender();
    const keys = sourceKeysOfIncident(defender);
    expect(keys).toEqual([
      { tenantId: SOURCE_TENANT, incidentId: "770" },
      { tenantId: SOURCE_TENANT, incidentId: "771" },
    ]);
    // Handed back unfrozen: the caller may sort or extend them.
    keys.sort((a, b) => b.incidentId.localeCompare(a.incidentId));
  });

  it("formatSyncPlan", () => {
    const defender = frozenDefender();
    const body = ok(defenderToSentinel(defender));
    const merge: ClassicPairPlan = {
      action: "merge",
      sentinelWrite: { body, etag: '"1"' },
      defenderPatch: { severity: "low" },
      toSentinel: { title: body.title },
      toDefender: { severity: "low" },
      conflicts: [
        {
          group: "severity",
          fields: ["severity"],
          base: { defender: { severity: "high" }, sentinel: { severity: "high" } },
          defenderValue: { severity: "medium" },
          sentinelValue: { severity: "low" },
          winner: "sentinel",
        },
      ] as ClassicPairPlan["conflicts"],
      listSentinelComments: true,
      sentinelChanges: [{ field: "title", from: "Old", to: body.title }],
      defenderChanges: [{ field: "severity", from: "high", to: "low" }],
    };
    const create: ClassicPairPlan = { ...merge, action: "create", conflicts: [] };
    const writes: PlannedWrite[] = [
      { service: "sentinel", method: "PUT", target: "abc", operation: "updateIncident", body },
      {
        service: "defender",
        method: "PATCH",
        target: "2972395",
        operation: "updateIncident",
        body: { severity: "low" },
      },
    ];
    const report = frozenCopy({
      cycle: 3,
      plannedPairs: [
        { defenderId: "2972395", sentinelName: "abc", plan: merge },
        { defenderId: "2972396", sentinelName: "abd", plan: create },
      ],
      plannedWrites: writes,
    });
    const text = formatSyncPlan(report);
    expect(text).toContain("Plan of cycle 3: 2 pair(s) with changes, 2 write(s)");
    expect(text).toContain("conflict on severity (severity): sentinel wins");
  });
});
