import { gzipSync } from "node:zlib";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createEmulator,
  createLogsIngestionRoutes,
  type Emulator,
  type EmulatorServer,
  LOGS_INGESTION_MAX_BODY_BYTES,
} from "../../src/testing";

const RULE = "dcr-0123456789abcdef0123456789abcdef";
const STREAM = "Custom-DefenderAlerts_CL";
const AUTH = { authorization: "Bearer emulator-token:tenant" };

function path(rule = RULE, stream = STREAM, apiVersion: string | null = "2023-01-01"): string {
  const q = apiVersion === null ? "" : `?api-version=${apiVersion}`;
  return `/dataCollectionRules/${rule}/streams/${stream}${q}`;
}

async function post(
  base: string,
  body: unknown,
  options: { gzip?: boolean; headers?: Record<string, string>; target?: string; raw?: Uint8Array } = {},
): Promise<Response> {
  const json = () => Buffer.from(JSON.stringify(body));
  const payload = options.raw ?? (options.gzip === false ? json() : gzipSync(json()));
  return fetch(`${base}${options.target ?? path()}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.gzip === false || options.raw ? {} : { "content-encoding": "gzip" }),
      ...AUTH,
      ...options.headers,
    },
    body: payload,
  });
}

describe("Logs Ingestion endpoint on the loopback server", () => {
  let emu: Emulator;
  let server: EmulatorServer;
  beforeAll(async () => {
    emu = createEmulator({ incidents: 0 });
    server = await emu.listen();
  });
  afterAll(() => server.close());
  afterEach(() => emu.reset());

  it("accepts a gzip JSON array with 204 and keeps the rows per stream and rule", async () => {
    const res = await post(server.url, [{ A: 1 }, { A: 2 }]);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const other = await post(server.url, [{ B: 1 }], { target: path("dcr-other", "Custom-Other_CL") });
    expect(other.status).toBe(204);
    expect(emu.logs.rows(STREAM)).toEqual([{ A: 1 }, { A: 2 }]);
    expect(emu.logs.rows(STREAM, RULE)).toHaveLength(2);
    expect(emu.logs.count()).toBe(3);
    expect(emu.logs.count("Custom-Other_CL", RULE)).toBe(0);
    const [first] = emu.logs.requests();
    expect(first).toMatchObject({ ruleId: RULE, streamName: STREAM, status: 204, rows: 2, gzip: true });
    expect(first!.jsonBytes).toBe(Buffer.byteLength('[{"A":1},{"A":2}]'));
    expect(first!.wireBytes).toBeGreaterThan(0);
    const stats = emu.stats().logsIngestion!;
    expect(stats.requests).toBe(2);
    expect(stats.byRoute["POST /dataCollectionRules/{ruleId}/streams/{stream}"]).toBe(2);
    expect(emu.logs.stats()).toMatchObject({ requests: 2, accepted: 2, rejected: 0, rows: 3 });
  });

  it("accepts an uncompressed body", async () => {
    expect((await post(server.url, [{ A: 1 }], { gzip: false })).status).toBe(204);
    expect(emu.logs.requests()[0]!.gzip).toBe(false);
  });

  it("refuses bodies over 1 MB, compressed or decompressed, with 413 ContentLengthLimitExceeded", async () => {
    const big = [{ S: "x".repeat(LOGS_INGESTION_MAX_BODY_BYTES) }];
    for (const gzip of [true, false]) {
      const res = await post(server.url, big, { gzip });
      expect(res.status).toBe(413);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("ContentLengthLimitExceeded");
      expect(body.error.message).toMatch(/^Maximum allowed content length: 1048576 bytes \(1 MB\)\./);
    }
    // Incompressible random data: the wire size itself is over the limit.
    const noise = Buffer.alloc(LOGS_INGESTION_MAX_BODY_BYTES + 10);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + (i >> 3) * 104729) & 0xff;
    const wire = await post(server.url, undefined, {
      raw: gzipSync(noise, { level: 0 }),
      headers: { "content-encoding": "gzip" },
    });
    expect(wire.status).toBe(413);
    // Just under the limit is fine.
    const fits = [{ S: "x".repeat(LOGS_INGESTION_MAX_BODY_BYTES - 20) }];
    expect((await post(server.url, fits)).status).toBe(204);
    expect(emu.logs.count()).toBe(1);
  });

  it("answers malformed requests in the service's error shape", async () => {
    const cases: [() => Promise<Response>, number, string][] = [
      [
        () =>
          post(server.url, [{ A: 1 }], {
            raw: Buffer.from("not gzip"),
            headers: { "content-encoding": "gzip" },
          }),
        400,
        "InvalidContentEncoding",
      ],
      [() => post(server.url, { not: "an array" }), 400, "InvalidPayload"],
      [() => post(server.url, [1, 2]), 400, "InvalidPayload"],
      [() => post(server.url, [{ A: 1 }], { raw: Buffer.from("{"), headers: {} }), 400, "InvalidPayload"],
      [
        () => post(server.url, [{ A: 1 }], { headers: { authorization: "" } }),
        401,
        "InvalidAuthenticationToken",
      ],
      [() => post(server.url, [{ A: 1 }], { target: path(RULE, STREAM, null) }), 400, "InvalidApiVersion"],
      [
        () => post(server.url, [{ A: 1 }], { target: path(RULE, STREAM, "2020-01-01") }),
        400,
        "InvalidApiVersion",
      ],
      [
        () => post(server.url, [{ A: 1 }], { headers: { "content-encoding": "br" } }),
        415,
        "UnsupportedContentEncoding",
      ],
    ];
    for (const [send, status, code] of cases) {
      const res = await send();
      expect(res.status, code).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const get = await fetch(`${server.url}${path()}`, { headers: AUTH });
    expect(get.status).toBe(405);
    expect(emu.logs.count()).toBe(0);
  });

  it("passes injected faults through (503 with Retry-After)", async () => {
    emu.faults.script({ service: "logsIngestion", fault: 503, times: 1 });
    const res = await post(server.url, [{ A: 1 }]);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(emu.stats().logsIngestion!.faults).toBe(1);
    expect((await post(server.url, [{ A: 1 }])).status).toBe(204);
  });

  it("reset() forgets the rows", async () => {
    await post(server.url, [{ A: 1 }]);
    emu.reset();
    expect(emu.logs.count()).toBe(0);
    expect(emu.logs.requests()).toEqual([]);
  });
});

describe("declared streams and throttling", () => {
  it("with declared streams, unknown rules and streams get 404 and undeclared columns are dropped", async () => {
    const emu = createEmulator({
      incidents: 0,
      logsIngestion: {
        streams: [
          {
            ruleId: RULE,
            streamName: STREAM,
            columns: [
              { name: "TimeGenerated", type: "datetime" },
              { name: "A", type: "int" },
            ],
          },
        ],
      },
    });
    const server = await emu.listen();
    try {
      const unknownRule = await post(server.url, [{ A: 1 }], { target: path("dcr-nope") });
      expect(unknownRule.status).toBe(404);
      expect(((await unknownRule.json()) as { error: { code: string } }).error.code).toBe(
        "InvalidDataCollectionRule",
      );
      const unknownStream = await post(server.url, [{ A: 1 }], { target: path(RULE, "Custom-Nope") });
      expect(unknownStream.status).toBe(404);
      expect(((await unknownStream.json()) as { error: { code: string } }).error.code).toBe("InvalidStream");
      expect(
        (await post(server.url, [{ A: 1, Extra: "x", TimeGenerated: "2024-01-01T00:00:00Z" }])).status,
      ).toBe(204);
      expect(emu.logs.rows(STREAM)).toEqual([{ A: 1, TimeGenerated: "2024-01-01T00:00:00Z" }]);
      emu.logs.defineStream({ ruleId: RULE, streamName: "Custom-Second" });
      expect((await post(server.url, [{ Z: 1 }], { target: path(RULE, "Custom-Second") })).status).toBe(204);
    } finally {
      await server.close();
    }
  });

  it("throttles per rule with 429 and Retry-After, and recovers", async () => {
    let nowMs = Date.parse("2024-05-01T00:00:00Z");
    const emu = createEmulator({
      incidents: 0,
      now: () => new Date(nowMs),
      logsIngestion: { requestsPerMinute: 2 },
    });
    const server = await emu.listen();
    try {
      expect((await post(server.url, [{ A: 1 }])).status).toBe(204);
      expect((await post(server.url, [{ A: 2 }])).status).toBe(204);
      const throttled = await post(server.url, [{ A: 3 }]);
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(((await throttled.json()) as { error: { code: string } }).error.code).toBe("TooManyRequests");
      // Another rule has its own budget.
      expect((await post(server.url, [{ A: 4 }], { target: path("dcr-other") })).status).toBe(204);
      expect(emu.stats().logsIngestion!.throttled).toBe(1);
      nowMs += 30_000;
      expect((await post(server.url, [{ A: 5 }])).status).toBe(204);
      expect(emu.logs.rows(STREAM, RULE).map((r) => r.A)).toEqual([1, 2, 5]);
    } finally {
      await server.close();
    }
  });

  it("throttling off means no 429", async () => {
    const emu = createEmulator({ incidents: 0, throttling: false, logsIngestion: { requestsPerMinute: 1 } });
    const server = await emu.listen();
    try {
      for (let i = 0; i < 3; i++) expect((await post(server.url, [{ A: i }])).status).toBe(204);
    } finally {
      await server.close();
    }
  });
});

describe("msw front end", () => {
  const emu = createEmulator({ incidents: 0 });
  const mswServer = setupServer(...emu.handlers);
  beforeAll(() => mswServer.listen({ onUnhandledRequest: "error" }));
  afterAll(() => mswServer.close());

  it("intercepts data collection endpoints on *.ingest.monitor.azure.com", async () => {
    const res = await post("https://my-dce-a1b2.westeurope-1.ingest.monitor.azure.com", [{ A: 1 }]);
    expect(res.status).toBe(204);
    const direct = await post("https://dcr-0123-abcd.eastus-1.ingest.monitor.azure.com", [{ A: 2 }]);
    expect(direct.status).toBe(204);
    expect(emu.logs.rows(STREAM)).toEqual([{ A: 1 }, { A: 2 }]);
  });
});

describe("replacing the built-in module", () => {
  it("a module registered under the name logsIngestion replaces the built-in endpoint", async () => {
    const emu = createEmulator({ incidents: 0 });
    const mine = createLogsIngestionRoutes();
    emu.registerRoutes(mine.module);
    expect(() => emu.registerRoutes(createLogsIngestionRoutes().module)).toThrow(/exists/);
    const res = await emu.handle(
      new Request(`https://x.westeurope-1.ingest.monitor.azure.com${path()}`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/json" },
        body: JSON.stringify([{ A: 1 }]),
      }),
    );
    expect(res.status).toBe(204);
    expect(mine.control.count()).toBe(1);
    expect(emu.logs.count()).toBe(0);
  });
});
