import { http, HttpResponse } from "msw";
import { afterEach, expect, it, vi } from "vitest";
import { DefenderClient } from "../../src/index";
import { fakeCredential } from "../helpers/credential";
import { GRAPH_BASE, server, useMswServer } from "../helpers/msw";

const rec = useMswServer();
afterEach(() => vi.useRealTimers());

it("429 with fake timers", async () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  let n = 0;
  server.use(
    http.get(`${GRAPH_BASE}/security/incidents/1`, () => {
      n++;
      if (n === 1) return HttpResponse.json({ error: { code: "TooManyRequests" } }, { status: 429, headers: { "Retry-After": "3" } });
      return HttpResponse.json({ id: "1" });
    }),
  );
  const client = new DefenderClient(fakeCredential(), { rateLimit: false, retryOptions: { retryDelayInMs: 1, maxRetries: 2 } });
  const p = client.getIncident("1");
  await vi.advanceTimersByTimeAsync(2900);
  expect(n).toBe(1);
  await vi.advanceTimersByTimeAsync(200);
  expect(n).toBe(2);
  await expect(p).resolves.toMatchObject({ id: "1" });
  console.log(rec.requests.map((r) => [r.method, r.url.href, r.headers]));
});
