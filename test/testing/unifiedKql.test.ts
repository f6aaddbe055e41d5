import { describe, expect, it } from "vitest";
import { applySteps, planQuery } from "../../src/testing/unified/kqlLite";

const rows = [
  { Id: "1", Sev: "High", Host: "a", TimeGenerated: "2025-06-01T00:00:00Z" },
  { Id: "2", Sev: "low", Host: "", TimeGenerated: "2025-06-01T00:01:00Z" },
  { Id: "2", Sev: "Low", Host: "b", TimeGenerated: "2025-06-01T00:02:00Z" },
];

describe("the structural reading of rule queries", () => {
  it("finds the table after let statements and comments, and reads ago() filters", () => {
    const plan = planQuery(
      "let x = 5m; // window\nRelay_CL // the relay table\n| where ingestion_time() between (ago(10m) .. ago(5m)) and TimeGenerated > ago(2d)",
    );
    expect(plan.table).toBe("Relay_CL");
    expect(plan.timeFilters).toEqual([
      // KQL's between includes both ends; ">" excludes its bound.
      {
        on: "ingestionTime",
        afterAgoMs: 600_000,
        beforeAgoMs: 300_000,
        afterInclusive: true,
        beforeInclusive: true,
      },
      { on: "TimeGenerated", afterAgoMs: 172_800_000, afterInclusive: false },
    ]);
    expect(plan.notes).toEqual(["let statements (not interpreted)"]);
  });

  it("applies where, extend, project-rename, summarize arg_max, order and take", () => {
    const plan = planQuery(
      'T | where isnotempty(Host) and Sev =~ "low" | extend Name = strcat("host-", Host), N = toint(Id) | project-rename Machine = Host | summarize arg_max(TimeGenerated, *) by Id | take 5',
    );
    expect(plan.notes).toEqual([]);
    expect(applySteps(plan, rows)).toEqual([
      { Id: "2", Sev: "Low", Machine: "b", TimeGenerated: "2025-06-01T00:02:00Z", Name: "host-b", N: 2 },
    ]);
    const dedupe = planQuery("T | summarize arg_max(TimeGenerated, *) by Id | order by Id asc");
    expect(applySteps(dedupe, rows).map((r) => r.TimeGenerated)).toEqual([
      "2025-06-01T00:00:00Z",
      "2025-06-01T00:02:00Z",
    ]);
  });

  it("lists what it cannot interpret instead of guessing", () => {
    const plan = planQuery(
      "T | where Sev == 'High' or Host == 'a' | summarize count() by Host | mv-expand X",
    );
    expect(plan.notes).toHaveLength(3);
    expect(applySteps(plan, rows)).toHaveLength(3);
    expect(planQuery("union T, U").table).toBeUndefined();
    expect(planQuery("T | project Id, S = Sev").steps).toHaveLength(1);
    expect(applySteps(planQuery("T | project Id, S = Sev"), rows)[0]).toEqual({ Id: "1", S: "High" });
  });
});
