import { describe, expect, it } from "vitest";
import { isMappingError } from "../../src/core/errors";
import {
  type CanonicalIncident,
  createMappingProfile,
  DEFAULT_CLASSIFICATION_TABLE,
  DEFAULT_MAPPING_PROFILE,
  defenderToSentinel,
  type MappingOverrides,
  sentinelToDefender,
  splitSentinelDescription,
} from "../../src/mapping";
import { defenderIncident, realisticIncidentPayload } from "./builders";
import { err, ok, okWithWarnings } from "./helpers";
import { incidentPropertiesErrors } from "./openapi";

const realistic = () => defenderIncident(realisticIncidentPayload(3, 2));
const canonical: CanonicalIncident = {
  title: "t",
  description: "d",
  severity: "low",
  status: "new",
  classification: "undetermined",
  classificationDetail: undefined,
  closingComment: undefined,
  owner: undefined,
  tags: [],
  redirectTarget: undefined,
};

describe("createMappingProfile: overrides wrap or replace any mapper", () => {
  it("title template in both directions keeps round trips exact", () => {
    const profile = createMappingProfile({
      title: {
        toSentinel: (title, ctx, next) => `[XDR ${ctx.defender?.id}] ${next(title, ctx)}`,
        fromSentinel: (title, ctx, next) => next(title, ctx).replace(/^\[XDR [^\]]*\] /, ""),
      },
    });
    const d = realistic();
    const s = ok(defenderToSentinel(d, { profile }));
    expect(s.title).toBe(`[XDR 2972395] ${d.displayName}`);
    expect(ok(sentinelToDefender(s, d, { profile }))).toEqual({});
    // Without the inverse, the default profile sees the prefix as a title change.
    expect(ok(sentinelToDefender(s, d))).toEqual({ displayName: s.title });
  });

  it("severity bump for VIP users (wrapping next)", () => {
    const profile = createMappingProfile({
      severity: {
        toSentinel: (sev, ctx, next) =>
          ctx.defender?.customTags?.includes("VIP") && (sev === "low" || sev === "medium")
            ? "High"
            : next(sev, ctx),
      },
    });
    expect(
      ok(defenderToSentinel(defenderIncident({ severity: "low", customTags: ["VIP"] }), { profile }))
        .severity,
    ).toBe("High");
    expect(
      ok(defenderToSentinel(defenderIncident({ severity: "low", customTags: [] }), { profile })).severity,
    ).toBe("Low");
  });

  it("extra labels from alert categories (system labels by prefix) never come back as tags", () => {
    const profile = createMappingProfile({
      systemLabelPrefixes: ["Tactic: "],
      tags: {
        derive: (ctx, next) => [
          ...next(ctx),
          ...new Set(
            (ctx.defender?.alerts ?? []).flatMap((a) => (a.category ? [`Tactic: ${a.category}`] : [])),
          ),
        ],
      },
    });
    const d = realistic();
    const s = ok(defenderToSentinel(d, { profile }));
    expect(s.labels?.map((l) => l.labelName)).toEqual([
      "Demo",
      "Ransomware",
      "VIP",
      "Tactic: DefenseEvasion",
      "Tactic: Execution",
      "Tactic: CommandAndControl",
    ]);
    expect(ok(profile.sentinelToCanonical(s)).tags).toEqual(["Demo", "Ransomware", "VIP"]);
    expect(ok(sentinelToDefender(s, d, { profile }))).toEqual({});
    expect(profile.isSystemLabel("tactic: anything")).toBe(true);
    expect(profile.isSystemLabel("REDIRECTED")).toBe(true);
    expect(profile.isSystemLabel("Demo")).toBe(false);
  });

  it("a derived label that is not a system label is a MappingError naming the field and mapper", () => {
    const profile = createMappingProfile({ tags: { derive: () => ["DefenseEvasion"] } });
    const e = err(defenderToSentinel(realistic(), { profile }));
    expect(isMappingError(e)).toBe(true);
    expect([e.field, e.mapper]).toEqual(["labels", "tags.derive (override)"]);
    expect(e.message).toContain("not a system label");
  });

  it("new description sections derived from alerts and evidence; stripped again on the way back", () => {
    const profile = createMappingProfile({
      description: {
        sections: (ctx, next) => [
          ...next(ctx),
          {
            heading: "MITRE techniques:",
            lines: [...new Set((ctx.defender?.alerts ?? []).flatMap((a) => a.mitreTechniques ?? []))],
          },
        ],
      },
    });
    const d = realistic();
    const s = ok(defenderToSentinel(d, { profile }));
    expect(splitSentinelDescription(s.description!).appended).toMatch(
      /MITRE techniques:\nT1564\.001\nT1059$/,
    );
    expect(ok(profile.sentinelToCanonical(s)).description).toBe(d.description);
    expect(ok(sentinelToDefender(s, d, { profile }))).toEqual({});
  });

  it("a custom classification table changes both directions and equality", () => {
    const table = {
      ...DEFAULT_CLASSIFICATION_TABLE,
      toSentinel: [
        {
          classification: "falsePositive" as const,
          determination: "notMalicious" as const,
          to: { classification: "FalsePositive" as const, reason: "IncorrectAlertLogic" as const },
        },
        ...DEFAULT_CLASSIFICATION_TABLE.toSentinel,
      ],
      toDefender: [
        {
          classification: "falsePositive" as const,
          reason: "IncorrectAlertLogic" as const,
          to: { classification: "falsePositive" as const, determination: "notMalicious" as const },
        },
        ...DEFAULT_CLASSIFICATION_TABLE.toDefender,
      ],
    };
    const profile = createMappingProfile({ classificationTable: table });
    const d = defenderIncident({
      status: "resolved",
      classification: "falsePositive",
      determination: "notMalicious",
    });
    const s = ok(defenderToSentinel(d, { profile }));
    expect([s.classification, s.classificationReason]).toEqual(["FalsePositive", "IncorrectAlertLogic"]);
    expect(ok(sentinelToDefender(s, d, { profile }))).toEqual({});
    expect(ok(sentinelToDefender(s, undefined, { profile }))).toEqual(
      expect.objectContaining({ classification: "falsePositive", determination: "notMalicious" }),
    );
    const other = defenderIncident({
      status: "resolved",
      classification: "falsePositive",
      determination: "other",
    });
    expect(ok(sentinelToDefender(s, other, { profile }))).toEqual({ determination: "notMalicious" });
  });

  it("limits can be changed", () => {
    const profile = createMappingProfile({ limits: { descriptionMaxLength: 1_000, titleMaxLength: 50 } });
    const s = ok(
      defenderToSentinel(defenderIncident({ description: "x".repeat(5_000), displayName: "y".repeat(80) }), {
        profile,
      }),
    );
    expect(s.description!.length).toBeLessThanOrEqual(1_000);
    expect(s.title.length).toBe(50);
    expect(profile.limits.descriptionMaxLength).toBe(1_000);
    expect(profile.limits.sentinelCommentMaxLength).toBe(30_000);
  });

  it("exposes the system labels, limits and table; is immutable", () => {
    const profile = createMappingProfile({ systemLabels: ["Synced"] });
    expect([...profile.systemLabels]).toEqual(["Redirected", "Synced"]);
    expect(Object.isFrozen(profile)).toBe(true);
    expect(Object.isFrozen(profile.limits)).toBe(true);
    expect(DEFAULT_MAPPING_PROFILE.classificationTable).toBe(DEFAULT_CLASSIFICATION_TABLE);
  });
});

describe("invalid mapper output: a typed MappingError naming the field and the mapper, never a half-built body", () => {
  const cases: { name: string; overrides: MappingOverrides; field: string; mapper: string }[] = [
    {
      name: "severity.toSentinel returns an unknown severity",
      overrides: { severity: { toSentinel: () => "Critical" as never } },
      field: "severity",
      mapper: "severity.toSentinel (override)",
    },
    {
      name: "status.toSentinel returns a non-string",
      overrides: { status: { toSentinel: () => 3 as never } },
      field: "status",
      mapper: "status.toSentinel (override)",
    },
    {
      name: "title.toSentinel returns an empty title",
      overrides: { title: { toSentinel: () => "  \u0000 " } },
      field: "title",
      mapper: "title.toSentinel (override)",
    },
    {
      name: "classification.toSentinel drops the reason of BenignPositive",
      overrides: {
        classification: { toSentinel: () => ({ classification: "BenignPositive", reason: undefined }) },
      },
      field: "classificationReason",
      mapper: "classification.toSentinel (override)",
    },
    {
      name: "activity.toSentinel returns a non date-time",
      overrides: {
        activity: {
          toSentinel: () => ({ firstActivityTimeUtc: "yesterday", lastActivityTimeUtc: undefined }),
        },
      },
      field: "firstActivityTimeUtc",
      mapper: "activity.toSentinel (override)",
    },
    {
      name: "description.sections returns garbage",
      overrides: { description: { sections: () => "nope" as never } },
      field: "description",
      mapper: "description.sections (override)",
    },
    {
      name: "severity.fromDefender returns a value outside the canonical enum",
      overrides: { severity: { fromDefender: () => "urgent" as never } },
      field: "severity",
      mapper: "severity.fromDefender (override)",
    },
    {
      name: "tags.fromDefender throws",
      overrides: {
        tags: {
          fromDefender: () => {
            throw new Error("boom");
          },
        },
      },
      field: "tags",
      mapper: "tags.fromDefender (override)",
    },
  ];

  it.each(cases)("$name", ({ overrides, field, mapper }) => {
    const profile = createMappingProfile(overrides);
    const d = defenderIncident({ status: "resolved", classification: "informationalExpectedActivity" });
    const result = defenderToSentinel(d, { profile });
    expect(result.ok).toBe(false);
    expect(result).not.toHaveProperty("value");
    const e = err(result);
    expect(e.name).toBe("MappingError");
    expect([e.field, e.mapper]).toEqual([field, mapper]);
  });

  it("keeps the thrown error as cause and zod issues on invalid values", () => {
    const boom = new Error("boom");
    const thrower = createMappingProfile({
      title: {
        fromDefender: () => {
          throw boom;
        },
      },
    });
    expect(err(thrower.defenderToCanonical(defenderIncident())).cause).toBe(boom);
    const invalid = createMappingProfile({ severity: { toSentinel: () => "Critical" as never } });
    expect(err(invalid.renderSentinel(canonical, {})).issues[0]?.path).toBe("severity");
  });

  it("Defender patch mappers are checked too", () => {
    const profile = createMappingProfile({ status: { toDefender: () => "archived" as never } });
    const e = err(profile.renderDefenderPatch({ status: "closed" }, {}));
    expect([e.field, e.mapper]).toEqual(["status", "status.toDefender (override)"]);
    const owner = createMappingProfile({ owner: { toDefender: () => 42 as never } });
    expect(err(owner.renderDefenderPatch({ owner: "x@y" }, {})).field).toBe("owner");
  });

  it("invalid canonical input to the renderers is refused", () => {
    expect(
      err(DEFAULT_MAPPING_PROFILE.renderSentinel({ ...canonical, severity: "bogus" as never }, {})).mapper,
    ).toBe("renderSentinel (input)");
    expect(err(DEFAULT_MAPPING_PROFILE.renderDefenderPatch({ status: "done" as never }, {})).mapper).toBe(
      "renderDefenderPatch (input)",
    );
  });
});

describe("configuration errors are thrown at creation", () => {
  it("unknown override names, non-functions, incomplete tables and bad limits", () => {
    expect(() => createMappingProfile({ severity: { toSentinal: () => "High" } } as never)).toThrow(
      TypeError,
    );
    expect(() => createMappingProfile({ severity: { toSentinel: "High" } } as never)).toThrow(TypeError);
    expect(() =>
      createMappingProfile({ classificationTable: { ...DEFAULT_CLASSIFICATION_TABLE, toSentinel: [] } }),
    ).toThrow(/toSentinel needs a "\*" row/);
    expect(() => createMappingProfile({ limits: { descriptionMaxLength: 0 } })).toThrow(TypeError);
  });
});

describe("every override output is still schema-checked against the official spec", () => {
  it("a profile with many overrides renders a valid body", () => {
    const profile = createMappingProfile({
      systemLabelPrefixes: ["Product: "],
      tags: { derive: (ctx) => (ctx.defender?.alerts ?? []).map((a) => `Product: ${a.productName}`) },
      closingComment: { toSentinel: (c, ctx, next) => `${next(c, ctx) ?? ""} (synced)` },
    });
    const { value } = okWithWarnings(defenderToSentinel(realistic(), { profile }));
    expect(incidentPropertiesErrors(value)).toEqual([]);
    expect(value.classificationComment).toBe("Contained and remediated. (synced)");
  });
});
