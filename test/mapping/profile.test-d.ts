/**
 * Type tests: overrides are typed per mapper, so a wrong return type fails to compile.
 */
import { describe, expectTypeOf, it } from "vitest";
import {
  type CanonicalIncident,
  createMappingProfile,
  type MappingProfile,
  type MappingResult,
  type Override,
  type SentinelSeverityValue,
  type SeverityMapper,
} from "../../src/mapping";
import type { SentinelIncidentWriteProperties } from "../../src/sentinel/models";

describe("MappingOverrides typing", () => {
  it("accepts well-typed overrides and types next as the wrapped function", () => {
    createMappingProfile({
      severity: {
        toSentinel: (sev, ctx, next) => {
          expectTypeOf(sev).toEqualTypeOf<CanonicalIncident["severity"]>();
          expectTypeOf(next).toEqualTypeOf<SeverityMapper["toSentinel"]>();
          expectTypeOf(ctx.defender?.id).toEqualTypeOf<string | undefined>();
          return sev === "medium" ? "High" : next(sev, ctx);
        },
      },
      title: { toDefender: () => undefined },
      tags: { derive: (ctx, next) => [...next(ctx), "x"] },
    });
    expectTypeOf<Parameters<Override<SeverityMapper["toSentinel"]>>[2]>().toEqualTypeOf<
      SeverityMapper["toSentinel"]
    >();
    expectTypeOf<ReturnType<SeverityMapper["toSentinel"]>>().toEqualTypeOf<SentinelSeverityValue>();
    expectTypeOf(createMappingProfile).returns.toEqualTypeOf<MappingProfile>();
  });

  it("rejects wrong return types, unknown groups and unknown functions", () => {
    createMappingProfile({
      // @ts-expect-error a number is not a Sentinel severity
      severity: { toSentinel: () => 3 },
    });
    createMappingProfile({
      // @ts-expect-error "Critical" is not a Sentinel severity
      severity: { toSentinel: () => "Critical" },
    });
    createMappingProfile({
      // @ts-expect-error canonical severities are lower-case
      severity: { fromDefender: () => "High" },
    });
    createMappingProfile({
      // @ts-expect-error title.toSentinel must return a string
      title: { toSentinel: () => undefined },
    });
    createMappingProfile({
      // @ts-expect-error derived labels are strings
      tags: { derive: () => [{ labelName: "x" }] },
    });
    createMappingProfile({
      // @ts-expect-error no such mapper group
      priority: {},
    });
    createMappingProfile({
      // @ts-expect-error no such function in the group
      severity: { toSentinal: () => "High" },
    });
  });

  it("results narrow on ok", () => {
    const r = {} as MappingResult<SentinelIncidentWriteProperties>;
    if (r.ok) {
      expectTypeOf(r.value.severity).toEqualTypeOf<SentinelIncidentWriteProperties["severity"]>();
    } else {
      expectTypeOf(r.error.field).toEqualTypeOf<string>();
      expectTypeOf(r.error.mapper).toEqualTypeOf<string>();
    }
  });
});
