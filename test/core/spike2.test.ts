import { expect, it } from "vitest";
import { sentinelRequestExamples, sentinelResponseExamples, specRefAliases, validateSentinelRequestBody, validateSentinelResponseBody } from "../helpers/openapi";

it("spike", () => {
  console.log(specRefAliases());
  for (const op of ["Incidents_CreateOrUpdate", "IncidentComments_CreateOrUpdate"]) {
    for (const ex of sentinelRequestExamples(op)) console.log(op, ex.file, validateSentinelRequestBody(op, ex.body).errors);
  }
  console.log(validateSentinelRequestBody("Incidents_CreateOrUpdate", { properties: { severity: "High", status: "New" } }).errors);
  console.log(validateSentinelRequestBody("Incidents_CreateOrUpdate", { properties: { title: "x", severity: "High", status: "New", incidentNumber: 5, additionalData: {} } }).errors);
  console.log(validateSentinelRequestBody("Incidents_CreateOrUpdate", { id: "/x", properties: { title: "x", severity: "High", status: "New", owner: { objectId: "nope" } } }).errors);
  for (const op of ["Incidents_ListAlerts", "Incidents_ListEntities", "Incidents_Get", "Incidents_List", "Incidents_CreateOrUpdate", "IncidentComments_CreateOrUpdate"]) {
    for (const ex of sentinelResponseExamples(op)) console.log(op, ex.file, ex.status, validateSentinelResponseBody(op, ex.status, ex.body).errors);
  }
  expect(1).toBe(1);
});
