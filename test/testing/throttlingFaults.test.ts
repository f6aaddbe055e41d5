import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, type EmulatorServer } from "../../src/testing/index";
import { API, bearer, FIXED_START, json, manualClock, workspaceBase } from "./helpers";

const GRAPH = "https://graph.microsoft.com/v1.0";

function graphGet(emu: Emulator, path = "/security/incidents?$top=1", tenantId = emu.tenantId) {
  return emu.handle(new Request(`${GRAPH}${path}`, { headers: bearer(tenantId) }));
}
function armUrl(emu: Emulator, rest: string) {
  return `${workspaceBase("https://management.azure.com", emu)}${rest}${rest.includes("?") ? "&" : "?"}${API}`;
}

describe("throttling", () => {
  it("Graph: 150 per tenant, then 429 TooManyRequests with Retry-After; refills at 2.5/s", async () => {
    const clock = manualClock(FIXED_START);
    const emu = createEmulator({ seed: 1, incidents: 5, now: clock.now });
    for (let i = 0; i < 150; i++) expect((await graphGet(emu)).status).toBe(200);
    const res = await graphGet(emu);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("retry-after-ms")).toBeNull();
    const body = await json(res);
    expect(body.error.code).toBe("TooManyRequests");
    expect(body.error.innerError["request-id"]).toBeTruthy();
    clock.advance(399);
    expect((await graphGet(emu)).status).toBe(429);
    clock.advance(2);
    expect((await graphGet(emu)).status).toBe(200);
    expect(emu.stats().defender.throttled).toBe(2);
    // another tenant has its own bucket
    const other = emu.addTenant({ tenantId: "11111111-2222-3333-4444-555555555555", incidents: 1 });
    expect((await graphGet(emu, "/security/incidents?$top=1", other.tenantId)).status).toBe(200);
  });

  it("timeScale: buckets refill N× faster, Retry-After shrinks, retry-after-ms is added", async () => {
    const clock = manualClock(FIXED_START);
    const emu = createEmulator({ seed: 1, incidents: 5, now: clock.now, timeScale: 10 });
    for (let i = 0; i < 150; i++) await graphGet(emu);
    const res = await graphGet(emu);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1"); // whole seconds, at least 1
    expect(res.headers.get("retry-after-ms")).toBe("40"); // 400 ms / 10
    clock.advance(40);
    expect((await graphGet(emu)).status).toBe(200);
  });

  it("timeScale in real time: waiting retry-after-ms is enough", async () => {
    const emu = createEmulator({ seed: 1, incidents: 2, timeScale: 1000 });
    let throttled: Response | undefined;
    for (let i = 0; i < 2000 && !throttled; i++) {
      const r = await graphGet(emu);
      if (r.status === 429) throttled = r;
    }
    expect(throttled).toBeDefined();
    const waitMs = Number(throttled!.headers.get("retry-after-ms"));
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(5);
    await new Promise((r) => setTimeout(r, waitMs + 2));
    expect((await graphGet(emu)).status).toBe(200);
  });

  it("ARM: reads 250 burst and writes 200 burst in separate buckets; 429 names the operation type", async () => {
    const clock = manualClock(FIXED_START);
    const emu = createEmulator({ seed: 1, incidents: 0, now: clock.now });
    const headers = bearer(emu.tenantId);
    let last: Response | undefined;
    for (let i = 0; i < 250; i++)
      last = await emu.handle(new Request(armUrl(emu, "/incidents?$top=1"), { headers }));
    expect(last!.headers.get("x-ms-ratelimit-remaining-subscription-reads")).toBe("0");
    const res = await emu.handle(new Request(armUrl(emu, "/incidents"), { headers }));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    const body = await json(res);
    expect(body).toEqual({ error: { code: "TooManyRequests", message: expect.stringContaining("'Read'") } });
    const put = await emu.handle(
      new Request(armUrl(emu, `/incidents/${crypto.randomUUID()}`), {
        method: "PUT",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ properties: { title: "t", severity: "Low", status: "New" } }),
      }),
    );
    expect(put.status).toBe(201);
    expect(put.headers.get("x-ms-ratelimit-remaining-subscription-writes")).toBe("199");
    clock.advance(40); // 25 reads/s
    expect((await emu.handle(new Request(armUrl(emu, "/incidents?$top=1"), { headers }))).status).toBe(200);
    expect(emu.stats().sentinel.throttled).toBe(1);
  });

  it("throttling: false never answers 429", async () => {
    const emu = createEmulator({ seed: 1, incidents: 2, throttling: false, now: manualClock().now });
    for (let i = 0; i < 200; i++) expect((await graphGet(emu)).status).toBe(200);
    emu.setThrottling(true);
    for (let i = 0; i < 150; i++) expect((await graphGet(emu)).status).toBe(200);
    expect((await graphGet(emu)).status).toBe(429);
  });
});

async function faultTrace(seed: number): Promise<string[]> {
  const emu = createEmulator({ seed: 1, incidents: 20, throttling: false, now: manualClock().now });
  emu.faults.configure({
    seed,
    defender: { probability: 0.3, kinds: [500, 503, "reset", "truncate", { kind: "slow", delayMs: 1 }] },
    sentinel: { probability: 0.5, kinds: [503] },
  });
  const trace: string[] = [];
  for (let i = 0; i < 40; i++) {
    const r = await graphGet(emu);
    const text = r.type === "error" ? "" : await r.text();
    const ok = (() => {
      try {
        JSON.parse(text);
        return "json";
      } catch {
        return "cut";
      }
    })();
    trace.push(r.type === "error" ? "reset" : `${r.status}:${ok}`);
    const a = await emu.handle(
      new Request(armUrl(emu, "/incidents?$top=1"), { headers: bearer(emu.tenantId) }),
    );
    trace.push(`arm:${a.status}`);
  }
  const failed = trace.filter((t) => t !== "200:json" && t !== "arm:200").length;
  const faults = emu.stats().defender.faults + emu.stats().sentinel.faults;
  expect(faults).toBeGreaterThanOrEqual(failed); // slow faults answer 200 but count as faults
  trace.push(`faults:${faults}`);
  return trace;
}

describe("fault injection", () => {
  it("same seed → same faults; another seed → other faults", async () => {
    const a = await faultTrace(42);
    const b = await faultTrace(42);
    const c = await faultTrace(43);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(a).toContain("500:json");
    expect(a).toContain("503:json");
    expect(a).toContain("reset");
    expect(a).toContain("200:cut");
    expect(a).toContain("arm:503");
  });

  it("scripted: the next N matching requests fail, then the route works again", async () => {
    const emu = createEmulator({ seed: 1, incidents: 0, now: manualClock().now });
    const handle = emu.faults.script({
      service: "sentinel",
      method: "PUT",
      route: "PUT /incidents/{id}",
      times: 2,
      fault: { kind: "status", status: 409 },
    });
    const put = () =>
      emu.handle(
        new Request(armUrl(emu, `/incidents/${crypto.randomUUID()}`), {
          method: "PUT",
          headers: { ...bearer(emu.tenantId), "content-type": "application/json" },
          body: JSON.stringify({ properties: { title: "t", severity: "Low", status: "New" } }),
        }),
      );
    // A GET does not match the script.
    expect(
      (await emu.handle(new Request(armUrl(emu, "/incidents"), { headers: bearer(emu.tenantId) }))).status,
    ).toBe(200);
    const first = await put();
    expect(first.status).toBe(409);
    expect((await json(first)).error.code).toBe("Conflict");
    expect(handle.remaining()).toBe(1);
    expect((await put()).status).toBe(409);
    expect((await put()).status).toBe(201);
    expect(emu.stats().sentinel.faults).toBe(2);
    expect(emu.stats().sentinel.byRoute["PUT /incidents/{id}"]).toBe(3);

    emu.faults.script({ service: "defender", route: /alerts_v2/, fault: 503 });
    const r503 = await graphGet(emu, "/security/alerts_v2");
    expect(r503.status).toBe(503);
    expect(r503.headers.get("retry-after")).toBe("1");
    expect((await json(r503)).error.innerError).toBeDefined();
    emu.faults.script({ service: "defender", fault: 500, times: 5 });
    emu.faults.clear();
    expect((await graphGet(emu)).status).toBe(200);
  });

  describe("over the loopback server", () => {
    const emu = createEmulator({ seed: 1, incidents: 10, throttling: false });
    let srv: EmulatorServer;
    beforeAll(async () => {
      srv = await emu.listen();
    });
    afterAll(() => srv.close());

    it("reset destroys the socket", async () => {
      emu.faults.script({ service: "defender", fault: "reset" });
      await expect(
        fetch(`${srv.defenderEndpoint}/security/incidents`, { headers: bearer(emu.tenantId) }),
      ).rejects.toThrow();
      expect(
        (await fetch(`${srv.defenderEndpoint}/security/incidents?$top=1`, { headers: bearer(emu.tenantId) }))
          .status,
      ).toBe(200);
    });

    it("truncate keeps the status but cuts the JSON in half", async () => {
      const url = `${srv.defenderEndpoint}/security/incidents?$top=5&$orderby=createdDateTime asc`;
      const full = await (await fetch(url, { headers: bearer(emu.tenantId) })).text();
      emu.faults.script({ service: "defender", fault: "truncate" });
      const res = await fetch(url, { headers: bearer(emu.tenantId) });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(() => JSON.parse(text)).toThrow();
      expect(full.startsWith(text)).toBe(true);
      expect(text.length).toBe(Math.floor(full.length / 2));
    });

    it("slow delays the answer", async () => {
      emu.faults.script({ service: "sentinel", fault: { kind: "slow", delayMs: 150 } });
      const t0 = performance.now();
      const res = await fetch(`${workspaceBase(srv.sentinelEndpoint, srv)}/incidents?${API}`, {
        headers: bearer(emu.tenantId),
      });
      expect(res.status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    });
  });
});
