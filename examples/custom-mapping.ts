/**
 * Custom mapping profile: run with `npx tsx examples/custom-mapping.ts`.
 *
 * Shows the extension points of `createMappingProfile`:
 * - a title template (with its inverse, so round trips stay exact),
 * - a severity bump for incidents tagged VIP,
 * - extra Sentinel labels derived from alert categories (declared as system labels, so they never become tags),
 * - an extra description section derived from alerts (MITRE techniques),
 * - a cross-tenant owner lookup table,
 * - a finer classification table (FP/notMalicious ⇄ FalsePositive/IncorrectAlertLogic).
 * Everything is pure: the example maps an incident both ways and prints the results.
 */
import {
  type ClassificationTable,
  createMappingProfile,
  createOwnerLookupResolver,
  DEFAULT_CLASSIFICATION_TABLE,
  type DefenderIncident,
  defenderIncidentSchema,
  defenderToSentinel,
  sentinelToDefender,
} from "defender-sentinel-sync";

// A Graph incident as `GET /security/incidents/{id}?$expand=alerts` returns it (trimmed).
const incident: DefenderIncident = defenderIncidentSchema.parse({
  id: "2972395",
  displayName: "Multi-stage incident involving Initial access & Command and control",
  description: "Raspberry Robin worm activity spreading through infected USB devices.",
  incidentWebUrl: "https://security.microsoft.com/incidents/2972395?tid=12f988bf-16f1-11af-11ab-1d7cd011db47",
  severity: "medium",
  status: "resolved",
  classification: "falsePositive",
  determination: "notMalicious",
  resolvingComment: "USB scanner of the print room.",
  assignedTo: "KaiC@customer.onmicrosoft.com",
  customTags: ["VIP", "Demo"],
  alerts: [
    {
      id: "da637551227677560813_-961444813",
      title: "Suspicious execution of hidden file",
      severity: "low",
      category: "DefenseEvasion",
      productName: "Microsoft Defender for Endpoint",
      mitreTechniques: ["T1564.001"],
      firstActivityDateTime: "2021-04-26T07:45:50.116Z",
      lastActivityDateTime: "2021-05-02T07:56:58.222Z",
      evidence: [
        { "@odata.type": "#microsoft.graph.security.deviceEvidence", deviceDnsName: "printroom-01" },
      ],
    },
    {
      id: "da637551227677560813_-961444814",
      title: "Connection to a known botnet",
      severity: "medium",
      category: "CommandAndControl",
      productName: "Microsoft Defender for Endpoint",
      mitreTechniques: ["T1071"],
      firstActivityDateTime: "2021-04-27T10:00:00Z",
      lastActivityDateTime: "2021-04-27T10:05:00Z",
      evidence: [{ "@odata.type": "#microsoft.graph.security.ipEvidence", ipAddress: "203.0.113.7" }],
    },
  ],
});

// FP/notMalicious ⇄ FalsePositive/IncorrectAlertLogic; everything else as the built-in connector.
const classificationTable: ClassificationTable = {
  ...DEFAULT_CLASSIFICATION_TABLE,
  toSentinel: [
    {
      classification: "falsePositive",
      determination: "notMalicious",
      to: { classification: "FalsePositive", reason: "IncorrectAlertLogic" },
    },
    ...DEFAULT_CLASSIFICATION_TABLE.toSentinel,
  ],
  toDefender: [
    {
      classification: "falsePositive",
      reason: "IncorrectAlertLogic",
      to: { classification: "falsePositive", determination: "notMalicious" },
    },
    ...DEFAULT_CLASSIFICATION_TABLE.toDefender,
  ],
};

const TITLE_PREFIX = /^\[XDR \d+\] /;

const profile = createMappingProfile({
  // Title template, and its inverse so that Sentinel's title maps back to Defender's.
  title: {
    toSentinel: (title, ctx, next) => `[XDR ${ctx.defender?.id ?? "?"}] ${next(title, ctx)}`,
    fromSentinel: (title, ctx, next) => next(title, ctx).replace(TITLE_PREFIX, ""),
  },
  // VIP incidents are at least High in Sentinel. (Not invertible: the SyncEngine's per-side bases keep it from
  // being written back; the stateless sentinelToDefender would report it as a severity change.)
  severity: {
    toSentinel: (severity, ctx, next) =>
      ctx.defender?.customTags?.includes("VIP") && severity !== "high" ? "High" : next(severity, ctx),
  },
  // One label per alert category. The prefix marks them as system labels: never synced back as tags.
  systemLabelPrefixes: ["Tactic: "],
  tags: {
    derive: (ctx, next) => [
      ...next(ctx),
      ...new Set((ctx.defender?.alerts ?? []).flatMap((a) => (a.category ? [`Tactic: ${a.category}`] : []))),
    ],
  },
  // An extra section below the separator (stripped again when reading Sentinel).
  description: {
    sections: (ctx, next) => {
      const techniques = [...new Set((ctx.defender?.alerts ?? []).flatMap((a) => a.mitreTechniques ?? []))];
      return techniques.length > 0
        ? [...next(ctx), { heading: "MITRE ATT&CK:", lines: techniques }]
        : next(ctx);
    },
  },
  // The Sentinel workspace lives in the MSSP tenant: map customer UPNs to MSSP analysts.
  ownerResolver: createOwnerLookupResolver([
    {
      upn: "kaic@customer.onmicrosoft.com",
      objectId: "2046feea-040d-4a46-9e2b-91c2941bfa70",
      sentinelUpn: "kai.carter@mssp.example",
      ownerType: "User",
    },
  ]),
  classificationTable,
});

const sentinel = defenderToSentinel(incident, { profile });
if (!sentinel.ok) {
  console.error(
    `Mapping failed for ${sentinel.error.field} (${sentinel.error.mapper}): ${sentinel.error.message}`,
  );
  process.exit(1);
}
console.log("Sentinel PUT properties:");
console.log(JSON.stringify(sentinel.value, null, 2));
console.log("Warnings:", sentinel.warnings);

// An analyst reopens the incident in Sentinel and takes it (eve is not in the lookup table, so her UPN passes
// through). Only changed fields go back to Defender, plus `severity: "high"`: the VIP bump has no inverse, so this
// stateless comparison sees it as a change. The SyncEngine compares each side with its own base and does not write it.
const edited = {
  ...sentinel.value,
  status: "Active" as const,
  owner: { userPrincipalName: "eve@mssp.example" },
};
const patch = sentinelToDefender(edited, incident, { profile });
console.log("Graph PATCH after the Sentinel edit:", patch.ok ? patch.value : patch.error.message);
