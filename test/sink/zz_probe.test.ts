import { gzipSync } from "node:zlib";
import { test } from "vitest";
import { defaultAlertRowMapper } from "../../src/mapping";
import { sampleAlerts } from "./helpers";

test("p", () => {
  let t = performance.now();
  const alerts = sampleAlerts(400, 25);
  console.log("build", performance.now() - t);
  t = performance.now();
  const rows = alerts.map((a) => defaultAlertRowMapper(a));
  console.log("map", performance.now() - t);
  t = performance.now();
  const json = JSON.stringify(rows.map((r) => r.ok && r.value));
  console.log("stringify", performance.now() - t, json.length);
  t = performance.now();
  gzipSync(json);
  console.log("gzip", performance.now() - t);
  t = performance.now();
});
