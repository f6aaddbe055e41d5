/**
 * Type-level tests of the client interfaces: the classes implement them, a plain decorator object satisfies
 * them and is accepted wherever the engine, the targets and a fleet lane take a client, and an object missing a
 * member is not.
 */
import type {
  ClientMetrics,
  DefenderClient,
  DefenderIncidentsApi,
  LaneOptions,
  SentinelAlertRulesApi,
  SentinelClient,
  SentinelIncidentsApi,
  SyncEngineOptions,
  UnifiedTargetOptions,
} from "defender-sentinel-sync";
import { SentinelTarget } from "defender-sentinel-sync";
import { describe, expectTypeOf, it } from "vitest";

declare const defender: DefenderClient;
declare const sentinel: SentinelClient;

const loggingDefender = {
  metrics: defender.metrics,
  onWarning: (listener) => defender.onWarning(listener),
  listIncidents: (options) => defender.listIncidents(options),
  countIncidents: (options) => defender.countIncidents(options),
  getIncident: (id, options) => defender.getIncident(id, options),
  updateIncident: (id, patch, options) => defender.updateIncident(id, patch, options),
  addIncidentComment: (id, comment, options) => defender.addIncidentComment(id, comment, options),
} satisfies DefenderIncidentsApi;

const loggingSentinel = {
  metrics: sentinel.metrics,
  onWarning: (listener) => sentinel.onWarning(listener),
  listIncidents: (options) => sentinel.listIncidents(options),
  getIncident: (name, options) => sentinel.getIncident(name, options),
  createOrUpdateIncident: (name, properties, options) =>
    sentinel.createOrUpdateIncident(name, properties, options),
  listIncidentComments: (name, options) => sentinel.listIncidentComments(name, options),
  createIncidentComment: (name, id, message, options) =>
    sentinel.createIncidentComment(name, id, message, options),
} satisfies SentinelIncidentsApi;

const alertRules = {
  getAlertRule: (ruleId, options) => sentinel.getAlertRule(ruleId, options),
  createOrUpdateAlertRule: (ruleId, rule, options) => sentinel.createOrUpdateAlertRule(ruleId, rule, options),
} satisfies SentinelAlertRulesApi;

describe("client interfaces", () => {
  it("are implemented by the classes", () => {
    expectTypeOf<DefenderClient>().toMatchTypeOf<DefenderIncidentsApi>();
    expectTypeOf<SentinelClient>().toMatchTypeOf<SentinelIncidentsApi>();
    expectTypeOf<SentinelClient>().toMatchTypeOf<SentinelAlertRulesApi>();
    expectTypeOf(defender.metrics).toMatchTypeOf<ClientMetrics>();
  });

  it("are satisfied by plain decorator objects, accepted by the engine, the targets and a lane", () => {
    expectTypeOf(loggingDefender).toMatchTypeOf<DefenderIncidentsApi>();
    expectTypeOf(loggingSentinel).toMatchTypeOf<SentinelIncidentsApi>();
    expectTypeOf(alertRules).toMatchTypeOf<SentinelAlertRulesApi>();
    expectTypeOf({ defender: loggingDefender, sentinel: loggingSentinel }).toMatchTypeOf<SyncEngineOptions>();
    expectTypeOf({
      id: "contoso",
      defender: loggingDefender,
      sentinel: loggingSentinel,
    }).toMatchTypeOf<LaneOptions>();
    expectTypeOf(new SentinelTarget(loggingSentinel).sentinel).toEqualTypeOf<SentinelIncidentsApi>();
    expectTypeOf({ defender: loggingDefender, sentinel: alertRules }).toMatchTypeOf<
      Pick<UnifiedTargetOptions, "defender" | "sentinel">
    >();
  });

  it("reject an object missing a member", () => {
    const { countIncidents: _count, ...noCount } = loggingDefender;
    // @ts-expect-error countIncidents is missing
    const a: DefenderIncidentsApi = noCount;
    const { metrics: _metrics, ...noMetrics } = loggingSentinel;
    // @ts-expect-error metrics is missing
    const b: SentinelIncidentsApi = noMetrics;
    // @ts-expect-error the classic target needs the incidents API, not only the alert rules
    const c: SyncEngineOptions = { defender: loggingDefender, sentinel: alertRules };
    void [a, b, c];
  });
});
