import { test } from "vitest";
import { defenderAlertSchema } from "../../src/defender/models";
import { defaultAlertRowMapper } from "../../src/mapping";
import { readJson, readJsonc } from "../helpers/fixtures";
test("probe", () => {
  const a = defenderAlertSchema.parse(readJson("graph/examples/security-alert-get.1.response.json"));
  const r = defaultAlertRowMapper(a, { receivedAt: new Date("2021-05-03T00:00:00Z") });
  console.log(JSON.stringify(r, null, 1).slice(0, 4000));
  console.log(JSON.stringify(a).length, JSON.stringify(r.ok && r.value).length);
});
