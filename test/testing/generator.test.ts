import { describe, expect, it } from "vitest";
import { defenderIncidentSchema } from "../../src/defender/models";
import { sentinelIncidentSchema } from "../../src/sentinel/models";
import {
  createEmulator,
  createIncidentGenerator,
  type GraphIncident,
  generateIncidents,
  mulberry32,
} from "../../src/testing/index";
import { SEVEN_DIGITS } from "./helpers";

const incidents = generateIncidents(300, { seed: 42 });

describe("generator determinism", () => {
  it("same seed and options → deep-equal output", () => {
    expect(generateIncidents(300, { seed: 42 })).toEqual(incidents);
    expect(generateIncidents({ count: 300, seed: 42 })).toEqual(incidents);
  });

  it("a different seed gives different data", () => {
    const other = generateIncidents(300, { seed: 43 });
    expect(other.map((i) => i.displayName)).not.toEqual(incidents.map((i) => i.displayName));
  });

  it("baseTime moves the data but not its content", () => {
    const later = generateIncidents(20, { seed: 42, baseTime: "2026-01-01T00:00:00Z" });
    const earlier = generateIncidents(20, { seed: 42 });
    expect(later.map((i) => i.displayName)).toEqual(earlier.map((i) => i.displayName));
    expect(later[0]!.createdDateTime > "2025-12").toBe(true);
  });

  it("does not use Math.random or Date.now", () => {
    const random = Math.random;
    const dateNow = Date.now;
    Math.random = () => {
      throw new Error("Math.random used");
    };
    Date.now = () => {
      throw new Error("Date.now used");
    };
    try {
      const gen = createIncidentGenerator({ seed: 5 });
      const list = gen.incidents(30);
      gen.connectorCopy(list[0]!);
      gen.sentinelIncident();
    } finally {
      Math.random = random;
      Date.now = dateNow;
    }
  });

  it("mulberry32 matches the reference implementation", () => {
    // Reference: https://gist.github.com/tommyettinger/46a874533244883189143505d203312c
    function reference(seed: number) {
      let a = seed;
      return () => {
        a |= 0;
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }
    for (const seed of [1, 42, 0xdeadbeef]) {
      const ours = mulberry32(seed);
      const ref = reference(seed);
      for (let i = 0; i < 100; i++) expect(ours()).toBe(ref());
    }
  });
});

describe("generator realism", () => {
  const alerts = incidents.flatMap((i) => i.alerts);

  it("every generated incident parses with defenderIncidentSchema", () => {
    for (const incident of incidents) {
      const parsed = defenderIncidentSchema.safeParse(incident);
      expect(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(
        true,
      );
    }
  });

  it("has evidence of the common kinds", () => {
    const kinds = new Set(alerts.flatMap((a) => a.evidence.map((e) => e["@odata.type"])));
    for (const k of [
      "deviceEvidence",
      "userEvidence",
      "ipEvidence",
      "urlEvidence",
      "fileEvidence",
      "processEvidence",
      "mailboxEvidence",
      "analyzedMessageEvidence",
    ]) {
      expect(kinds).toContain(`#microsoft.graph.security.${k}`);
    }
  });

  it("has alerts from several products, including members after unknownFutureValue", () => {
    const services = new Set(alerts.map((a) => a.serviceSource));
    expect(services.size).toBeGreaterThanOrEqual(6);
    expect(services).toContain("microsoftDefenderForEndpoint");
    expect(services).toContain("microsoftDefenderForOffice365");
    expect([...services].some((s) => ["microsoftDefenderForCloud", "microsoftSentinel"].includes(s))).toBe(
      true,
    );
    expect(new Set(alerts.map((a) => a.productName)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(alerts.map((a) => a.detectionSource)).size).toBeGreaterThanOrEqual(8);
  });

  it("has redirected incidents consistent with merges", () => {
    const byId = new Map(incidents.map((i) => [i.id, i]));
    const redirected = incidents.filter((i) => i.status === "redirected");
    expect(redirected.length).toBeGreaterThanOrEqual(5);
    for (const source of redirected) {
      expect(source.redirectIncidentId).toBeTruthy();
      const target = byId.get(source.redirectIncidentId!);
      expect(target).toBeDefined();
      expect(source.alerts).toEqual([]);
      expect(source.systemTags).toContain("Redirected");
      expect(source.lastModifiedBy).toBe("Microsoft Defender XDR - alert correlation");
    }
    // Every alert belongs to the incident that holds it.
    for (const i of incidents) for (const a of i.alerts) expect(a.incidentId).toBe(i.id);
  });

  it("has comments, tags, owners, statuses, classifications, unicode and long strings", () => {
    expect(incidents.some((i) => i.comments.length >= 3)).toBe(true);
    expect(incidents.some((i) => i.customTags.length >= 2)).toBe(true);
    expect(incidents.filter((i) => i.assignedTo).length).toBeGreaterThan(50);
    expect(new Set(incidents.map((i) => i.status))).toEqual(
      new Set(["active", "inProgress", "resolved", "redirected", "awaitingAction"]),
    );
    expect(new Set(incidents.map((i) => i.classification))).toContain("truePositive");
    const text = JSON.stringify(incidents);
    expect(/[^\u0000-\u007f]/.test(text)).toBe(true);
    expect(text).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/); // CJK
    expect(text).toMatch(/\p{Extended_Pictographic}/u); // emoji
    expect(incidents.some((i) => i.displayName.length > 300 || (i.description?.length ?? 0) > 3000)).toBe(
      true,
    );
  });

  it("timestamps have 7 fractional digits and lastUpdateDateTime ≥ createdDateTime", () => {
    for (const i of incidents) {
      expect(i.createdDateTime).toMatch(SEVEN_DIGITS);
      expect(i.lastUpdateDateTime).toMatch(SEVEN_DIGITS);
      expect(i.lastUpdateDateTime >= i.createdDateTime).toBe(true);
    }
  });

  it("connector copies look like Microsoft's connector made them", () => {
    const emu = createEmulator({
      seed: 9,
      incidents: 80,
      connectorCopies: 1,
      now: () => new Date("2025-06-01T00:00:00Z"),
    });
    const copies = emu.sentinel.listIncidents();
    expect(copies.length).toBe(80);
    const defender = new Map(emu.defender.listIncidents().map((i) => [i.id, i] as const));
    for (const copy of copies) {
      expect(sentinelIncidentSchema.safeParse(copy).success).toBe(true);
      const p = copy.properties;
      expect(["Microsoft XDR", "Microsoft 365 Defender"]).toContain(p.providerName);
      const source = defender.get(p.providerIncidentId) as GraphIncident;
      expect(source).toBeDefined();
      expect(p.title).toBe(source.displayName);
      expect(p.additionalData.providerIncidentUrl).toBe(source.incidentWebUrl);
      expect(p.description).toBeUndefined(); // Azure/Azure-Sentinel#10446
      expect(p.labels.map((l) => l.labelName).filter((n) => n !== "Redirected")).toEqual(source.customTags);
      const expectedStatus =
        source.status === "resolved" || source.status === "redirected"
          ? "Closed"
          : source.status === "active" && !source.assignedTo
            ? "New"
            : "Active";
      expect(p.status).toBe(expectedStatus);
      if (p.status === "Closed") expect(p.classification).toBeDefined();
      if (source.assignedTo) expect(p.owner.userPrincipalName).toBe(source.assignedTo);
      if (source.status === "redirected")
        expect(p.labels).toContainEqual({ labelName: "Redirected", labelType: "AutoAssigned" });
    }
  });
});

describe("generated times never lie in the future", () => {
  it("Defender and connector-copy timestamps are ≤ the emulator's now", () => {
    const now = new Date("2025-06-01T00:00:00Z");
    const emu = createEmulator({
      seed: 12,
      incidents: 100,
      connectorCopies: 1,
      sentinelIncidents: 20,
      now: () => now,
    });
    const limit = "2025-06-01T00:00:00.0000000Z";
    for (const i of emu.defender.listIncidents()) expect(i.lastUpdateDateTime <= limit).toBe(true);
    for (const i of emu.sentinel.listIncidents()) {
      expect(i.properties.lastModifiedTimeUtc <= limit).toBe(true);
      expect(i.properties.createdTimeUtc <= i.properties.lastModifiedTimeUtc).toBe(true);
    }
  });
});
