/**
 * Property tests: arbitrary (valid and slightly hostile) incidents from either side.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defenderIncidentPatchSchema } from "../../src/defender/models";
import {
  canonicalEquals,
  createMappingProfile,
  defenderToSentinel,
  DEFAULT_MAPPING_PROFILE as profile,
  sentinelToDefender,
  syncedCanonicalFields,
} from "../../src/mapping";
import { sentinelIncidentWritePropertiesSchema } from "../../src/sentinel/models";
import {
  applyDefenderPatch,
  defenderFromPatch,
  defenderIncidentArb,
  sentinelPropertiesArb,
} from "./builders";
import { incidentPropertiesErrors } from "./openapi";

/** More runs: MAPPING_PROPERTY_RUNS=5000 npx vitest run test/mapping/properties.test.ts */
const RUNS = { numRuns: Number(process.env.MAPPING_PROPERTY_RUNS ?? 300) };

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: Error }): T {
  if (!r.ok) throw r.error;
  return r.value;
}

describe("Defender → Sentinel", () => {
  it("every body validates against the official IncidentProperties schema and our write schema", () => {
    fc.assert(
      fc.property(defenderIncidentArb, (d) => {
        const body = unwrap(defenderToSentinel(d));
        expect(incidentPropertiesErrors(body)).toEqual([]);
        expect(sentinelIncidentWritePropertiesSchema.safeParse(body).success).toBe(true);
        expect(body.title.trim()).not.toBe("");
        expect(body.description?.length ?? 0).toBeLessThanOrEqual(5_000);
        expect((body.classificationComment ?? "").length).toBeLessThanOrEqual(30_000);
        expect(JSON.stringify(body)).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
        if (body.status === "Closed") expect(body.classification).toBeDefined();
        if (body.classification === "BenignPositive") expect(body.classificationReason).toBeDefined();
      }),
      RUNS,
    );
  });

  it("canonical(defender) equals canonical(rendered sentinel) for every synced field", () => {
    fc.assert(
      fc.property(defenderIncidentArb, (d) => {
        const cd = unwrap(profile.defenderToCanonical(d));
        const cs = unwrap(profile.sentinelToCanonical(unwrap(defenderToSentinel(d))));
        for (const field of syncedCanonicalFields) {
          expect({ field, equal: canonicalEquals(field, cd, cs) }).toEqual({ field, equal: true });
        }
      }),
      RUNS,
    );
  });

  it("the rendered incident needs no write back to the Defender incident it came from", () => {
    fc.assert(
      fc.property(defenderIncidentArb, (d) => {
        expect(unwrap(sentinelToDefender(unwrap(defenderToSentinel(d)), d))).toEqual({});
      }),
      RUNS,
    );
  });

  it("A→B→A→B is stable (full PATCH without the Defender side, then re-render onto the existing copy)", () => {
    fc.assert(
      fc.property(defenderIncidentArb, (d) => {
        const s1 = unwrap(defenderToSentinel(d));
        const patch = unwrap(sentinelToDefender(s1));
        expect(defenderIncidentPatchSchema.safeParse(patch).success).toBe(true);
        const d1 = applyDefenderPatch(d, patch);
        const s2 = unwrap(defenderToSentinel(d1, { existing: s1 as never }));
        expect(s2).toEqual(s1);
      }),
      RUNS,
    );
  });
});

describe("Sentinel → Defender", () => {
  it("every PATCH validates, and the Defender incident it produces renders back to an equivalent Sentinel incident", () => {
    fc.assert(
      fc.property(sentinelPropertiesArb, (s0) => {
        const p1 = unwrap(sentinelToDefender(s0));
        expect(defenderIncidentPatchSchema.safeParse(p1).success).toBe(true);
        if (p1.status === "resolved" && p1.classification !== undefined && p1.classification !== "unknown") {
          expect(p1.determination).toBeDefined();
        }
        const d1 = defenderFromPatch("777", p1);
        const s1 = unwrap(defenderToSentinel(d1, { existing: s0 }));
        expect(incidentPropertiesErrors(s1)).toEqual([]);
        // A→B→A→B: no further write is needed on either side.
        expect(unwrap(sentinelToDefender(s1, d1))).toEqual({});
        const s2 = unwrap(defenderToSentinel(d1, { existing: s1 as never }));
        expect(s2).toEqual(s1);
        // And the synced fields survived the trip.
        const c0 = unwrap(profile.sentinelToCanonical(s0));
        const c1 = unwrap(profile.sentinelToCanonical(s1));
        for (const field of syncedCanonicalFields) {
          if (field === "owner" && c0.owner === undefined) continue; // unresolvable owners are preserved, not synced
          if (field === "severity") continue; // checked below: unknown Sentinel severities are lossy by design
          expect({ field, equal: canonicalEquals(field, c0, c1) }).toEqual({ field, equal: true });
        }
        expect(c1.severity).toBe(c0.severity);
      }),
      RUNS,
    );
  });

  it("works the same through a profile with a lookup-table owner resolver", () => {
    const p = createMappingProfile();
    fc.assert(
      fc.property(sentinelPropertiesArb, (s0) => {
        const a = sentinelToDefender(s0, undefined, { profile: p });
        const b = sentinelToDefender(s0);
        expect(a).toEqual(b);
      }),
      { numRuns: 50 },
    );
  });
});

describe("purity", () => {
  it("mapping the same input twice gives the same output and does not modify the input", () => {
    fc.assert(
      fc.property(defenderIncidentArb, (d) => {
        const before = structuredClone(d);
        const a = defenderToSentinel(d);
        const b = defenderToSentinel(d);
        expect(a).toEqual(b);
        expect(d).toEqual(before);
      }),
      { numRuns: 100 },
    );
  });
});
