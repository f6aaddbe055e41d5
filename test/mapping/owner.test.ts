import { describe, expect, it } from "vitest";
import {
  createMappingProfile,
  createOwnerLookupResolver,
  defaultOwnerResolver,
  defenderToSentinel,
  sentinelToDefender,
} from "../../src/mapping";
import { defenderIncident, sentinelProperties } from "./builders";
import { ok } from "./helpers";
import { incidentPropertiesErrors } from "./openapi";

const KAI_OID = "2046feea-040d-4a46-9e2b-91c2941bfa70";

describe("default owner resolver", () => {
  it("sends the UPN as userPrincipalName and email, reads UPN then email", () => {
    expect(defaultOwnerResolver.toSentinel("kai@contoso.com")).toEqual({
      userPrincipalName: "kai@contoso.com",
      email: "kai@contoso.com",
    });
    expect(defaultOwnerResolver.toSentinel("Kai Carter")).toEqual({ userPrincipalName: "Kai Carter" });
    expect(defaultOwnerResolver.fromSentinel({ userPrincipalName: "a@b", email: "c@d" })).toBe("a@b");
    expect(defaultOwnerResolver.fromSentinel({ email: "c@d" })).toBe("c@d");
    expect(defaultOwnerResolver.fromSentinel({ objectId: KAI_OID })).toBeUndefined();
  });

  it("Defender assignedTo ⇄ Sentinel owner, lower-cased, unassigned both ways", () => {
    const d = defenderIncident({ assignedTo: "  KaiC@Contoso.com " });
    const s = ok(defenderToSentinel(d));
    expect(s.owner).toEqual({ userPrincipalName: "kaic@contoso.com", email: "kaic@contoso.com" });
    expect(ok(defenderToSentinel(defenderIncident({ assignedTo: null })))).not.toHaveProperty("owner");
    expect(ok(defenderToSentinel(defenderIncident({ assignedTo: "   " })))).not.toHaveProperty("owner");
  });
});

describe("lookup-table owner resolver (cross-tenant)", () => {
  const resolver = createOwnerLookupResolver([
    { upn: "Kai@Customer.com", objectId: KAI_OID, sentinelUpn: "kai.ext@mssp.com", ownerType: "User" },
    { upn: "soc@customer.com", objectId: "11111111-2222-3333-4444-555555555555", ownerType: "Group" },
  ]);
  const profile = createMappingProfile({ ownerResolver: resolver });

  it("UPN → objectId (+ Sentinel-tenant UPN) and back, case-insensitively", () => {
    expect(resolver.toSentinel("kai@customer.com")).toEqual({
      objectId: KAI_OID,
      userPrincipalName: "kai.ext@mssp.com",
      ownerType: "User",
    });
    expect(resolver.fromSentinel({ objectId: KAI_OID.toUpperCase() })).toBe("Kai@Customer.com");
    expect(resolver.fromSentinel({ userPrincipalName: "KAI.EXT@mssp.com" })).toBe("Kai@Customer.com");
    expect(resolver.fromSentinel({ email: "soc@customer.com" })).toBe("soc@customer.com");
  });

  it("falls back to the default resolver for owners not in the table, or to a custom fallback", () => {
    expect(resolver.toSentinel("eve@customer.com")).toEqual({
      userPrincipalName: "eve@customer.com",
      email: "eve@customer.com",
    });
    expect(resolver.fromSentinel({ userPrincipalName: "eve@mssp.com" })).toBe("eve@mssp.com");
    const strict = createOwnerLookupResolver([], {
      fallback: { toSentinel: () => undefined, fromSentinel: () => undefined },
    });
    expect(strict.toSentinel("eve@customer.com")).toBeUndefined();
    expect(strict.fromSentinel({ userPrincipalName: "eve@mssp.com" })).toBeUndefined();
  });

  it("is used by the profile in both directions", () => {
    const d = defenderIncident({ assignedTo: "kai@customer.com" });
    const s = ok(defenderToSentinel(d, { profile }));
    expect(s.owner).toEqual({ objectId: KAI_OID, userPrincipalName: "kai.ext@mssp.com", ownerType: "User" });
    expect(incidentPropertiesErrors(s)).toEqual([]);
    expect(ok(sentinelToDefender(s, d, { profile }))).toEqual({});
    // The service fills in email/assignedTo; still the same owner.
    const served = sentinelProperties({
      ...s,
      owner: { ...s.owner, email: "kai.ext@mssp.com", assignedTo: "Kai (MSSP)" },
    });
    expect(ok(sentinelToDefender(served, d, { profile }))).toEqual({});
    const soc = sentinelProperties({ owner: { objectId: "11111111-2222-3333-4444-555555555555" } });
    expect(ok(sentinelToDefender(soc, d, { profile }))).toEqual(
      expect.objectContaining({ assignedTo: "soc@customer.com" }),
    );
  });

  it("a resolver that returns a non-GUID objectId yields a MappingError naming the owner field", () => {
    const bad = createMappingProfile({
      ownerResolver: { toSentinel: () => ({ objectId: "not-a-guid" }), fromSentinel: () => undefined },
    });
    const r = defenderToSentinel(defenderIncident({ assignedTo: "kai@customer.com" }), { profile: bad });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.field).toBe("owner.objectId");
      expect(r.error.mapper).toBe("owner.toSentinel");
    }
  });
});
