/**
 * Classification and its detail: Defender `classification` + `determination` ⇄ canonical classification +
 * classificationDetail ⇄ Sentinel `classification` + `classificationReason`.
 *
 * The default table follows Microsoft's built-in Defender XDR connector: TP/any → TruePositive +
 * SuspiciousActivity, FP/any → FalsePositive + InaccurateData, informationalExpectedActivity/any →
 * BenignPositive + SuspiciousButExpected, unknown → Undetermined. Sentinel has no determination, so the way back
 * uses a default determination (`other`), unless the current Defender determination already fits the target
 * classification (then it is kept, never clobbered). Every such row is marked lossy.
 *
 * The reverse table sends every reason of one classification to the same determination: that is what makes
 * round trips stable (Defender → Sentinel → Defender → Sentinel always gives the same Sentinel pair).
 */
import type { alertClassificationValues, alertDeterminationValues } from "../defender/models";
import { sentinelClassificationReasonValues, type sentinelClassificationValues } from "../sentinel/models";
import type { CanonicalClassification } from "./canonical";
import type {
  DefenderReadContext,
  DefenderRenderContext,
  SentinelReadContext,
  SentinelRenderContext,
} from "./mapper";
import { ANY_VALUE, type AnyValue, createEnumLookup, type EnumRow, mapEnum } from "./table";

/**
 * A Defender `alertClassification` member (`truePositive`, `falsePositive`, `informationalExpectedActivity`,
 * `unknown`, ...).
 */
export type DefenderClassificationValue = (typeof alertClassificationValues)[number];
/** A Defender `alertDetermination` member (`malware`, `phishing`, `securityTesting`, `notMalicious`, ...). */
export type DefenderDeterminationValue = (typeof alertDeterminationValues)[number];
/** A Sentinel `IncidentClassification` value: `Undetermined`, `TruePositive`, `BenignPositive` or `FalsePositive`. */
export type SentinelClassificationValue = (typeof sentinelClassificationValues)[number];
/**
 * A Sentinel `IncidentClassificationReason` value: `SuspiciousActivity`, `SuspiciousButExpected`,
 * `IncorrectAlertLogic` or `InaccurateData`.
 */
export type SentinelClassificationReasonValue = (typeof sentinelClassificationReasonValues)[number];

/** Canonical classification (+ Defender determination) → Sentinel classification + reason. */
export interface ClassificationToSentinelRow {
  readonly classification: CanonicalClassification;
  /** The Defender determination this row is for, or `*` for any (including none). */
  readonly determination: DefenderDeterminationValue | AnyValue;
  readonly to: {
    readonly classification: SentinelClassificationValue;
    /** Required by Sentinel for BenignPositive (400 without it). */
    readonly reason: SentinelClassificationReasonValue | undefined;
  };
  readonly lossy?: string;
}

/** Canonical classification (+ Sentinel reason) → Defender classification + determination. */
export interface ClassificationToDefenderRow {
  readonly classification: CanonicalClassification;
  /** The Sentinel reason this row is for, or `*` for any (including none). */
  readonly reason: SentinelClassificationReasonValue | AnyValue;
  readonly to: {
    readonly classification: DefenderClassificationValue;
    readonly determination: DefenderDeterminationValue;
  };
  readonly lossy?: string;
}

/** A complete, total classification table. Pass a custom one with `createMappingProfile({ classificationTable })`. */
export interface ClassificationTable {
  /** Defender `classification` → canonical (missing → undetermined). */
  readonly fromDefender: readonly EnumRow<DefenderClassificationValue, CanonicalClassification>[];
  /** Sentinel `classification` → canonical (missing → undetermined). */
  readonly fromSentinel: readonly EnumRow<SentinelClassificationValue, CanonicalClassification>[];
  /** Needs a `*` row for every canonical classification. */
  readonly toSentinel: readonly ClassificationToSentinelRow[];
  /** Needs a `*` row for every canonical classification. */
  readonly toDefender: readonly ClassificationToDefenderRow[];
  /** The reasons that may go with each Sentinel classification; a valid reason from the source is kept as-is. */
  readonly sentinelReasons: Readonly<
    Record<SentinelClassificationValue, readonly SentinelClassificationReasonValue[]>
  >;
  /** The determinations consistent with each Defender classification; a consistent current one is kept. */
  readonly defenderDeterminations: Readonly<
    Record<DefenderClassificationValue, readonly DefenderDeterminationValue[]>
  >;
}

const DETERMINATION_DROPPED =
  "Sentinel has no determination: it is dropped here and kept on the Defender side";
const DETERMINATION_DEFAULTED =
  "Sentinel has no determination: 'other' is written unless the current Defender determination fits";

/**
 * The classification pairs the default profile uses (Defender classification and determination ⇄ Sentinel
 * classification and reason). Spread it into your own table to change a few pairs, and pass that table as
 * `classificationTable` to `createMappingProfile`.
 */
export const DEFAULT_CLASSIFICATION_TABLE: ClassificationTable = {
  fromDefender: [
    { from: "truePositive", to: "truePositive" },
    { from: "falsePositive", to: "falsePositive" },
    { from: "informationalExpectedActivity", to: "benignPositive" },
    { from: "unknown", to: "undetermined" },
    {
      from: "unknownFutureValue",
      to: "undetermined",
      lossy: "a newer member hidden by Graph",
      unknown: true,
    },
    { from: ANY_VALUE, to: "undetermined", lossy: "unrecognized classification", unknown: true },
  ],
  fromSentinel: [
    { from: "TruePositive", to: "truePositive" },
    { from: "BenignPositive", to: "benignPositive" },
    { from: "FalsePositive", to: "falsePositive" },
    { from: "Undetermined", to: "undetermined" },
    { from: ANY_VALUE, to: "undetermined", lossy: "unrecognized classification", unknown: true },
  ],
  toSentinel: [
    {
      classification: "truePositive",
      determination: ANY_VALUE,
      to: { classification: "TruePositive", reason: "SuspiciousActivity" },
      lossy: DETERMINATION_DROPPED,
    },
    {
      classification: "benignPositive",
      determination: ANY_VALUE,
      to: { classification: "BenignPositive", reason: "SuspiciousButExpected" },
      lossy: DETERMINATION_DROPPED,
    },
    {
      classification: "falsePositive",
      determination: ANY_VALUE,
      to: { classification: "FalsePositive", reason: "InaccurateData" },
      lossy: DETERMINATION_DROPPED,
    },
    {
      classification: "undetermined",
      determination: ANY_VALUE,
      to: { classification: "Undetermined", reason: undefined },
    },
  ],
  toDefender: [
    {
      classification: "truePositive",
      reason: ANY_VALUE,
      to: { classification: "truePositive", determination: "other" },
      lossy: DETERMINATION_DEFAULTED,
    },
    {
      classification: "benignPositive",
      reason: ANY_VALUE,
      to: { classification: "informationalExpectedActivity", determination: "other" },
      lossy: DETERMINATION_DEFAULTED,
    },
    {
      classification: "falsePositive",
      reason: "IncorrectAlertLogic",
      to: { classification: "falsePositive", determination: "other" },
      lossy: `${DETERMINATION_DEFAULTED}; the reason comes back as InaccurateData (Defender has no equivalent)`,
    },
    {
      classification: "falsePositive",
      reason: ANY_VALUE,
      to: { classification: "falsePositive", determination: "other" },
      lossy: DETERMINATION_DEFAULTED,
    },
    {
      classification: "undetermined",
      reason: ANY_VALUE,
      to: { classification: "unknown", determination: "unknown" },
    },
  ],
  sentinelReasons: {
    TruePositive: ["SuspiciousActivity"],
    BenignPositive: ["SuspiciousButExpected"],
    FalsePositive: ["IncorrectAlertLogic", "InaccurateData"],
    Undetermined: [],
  },
  // Grouping of the legacy update API in Graph spelling; apt and securityPersonnel are retired
  // but still in the Graph enum.
  defenderDeterminations: {
    truePositive: [
      "multiStagedAttack",
      "maliciousUserActivity",
      "compromisedAccount",
      "malware",
      "phishing",
      "unwantedSoftware",
      "apt",
      "other",
    ],
    informationalExpectedActivity: [
      "securityTesting",
      "lineOfBusinessApplication",
      "confirmedActivity",
      "securityPersonnel",
      "other",
    ],
    falsePositive: ["notMalicious", "notEnoughDataToValidate", "other"],
    unknown: ["unknown"],
    unknownFutureValue: [],
  },
};

/** Canonical classification with its side-specific detail. */
export interface ClassificationValue {
  classification: CanonicalClassification;
  /** Defender determination or Sentinel classificationReason. */
  detail: string | undefined;
}

/** The Sentinel pair to write. */
export interface SentinelClassificationOutput {
  classification: SentinelClassificationValue;
  reason: SentinelClassificationReasonValue | undefined;
}

/** The Defender pair wanted after the PATCH (fields equal to the current incident are not sent). */
export interface DefenderClassificationOutput {
  classification: DefenderClassificationValue;
  /** `undefined`: keep the current determination (it fits the classification). */
  determination: DefenderDeterminationValue | undefined;
}

/** The classification mapper group; override any function through `createMappingProfile({ classification })`. */
export interface ClassificationMapper {
  fromDefender(
    value: { classification: string | null | undefined; determination: string | null | undefined },
    ctx: DefenderReadContext,
  ): ClassificationValue;
  fromSentinel(
    value: { classification: string | null | undefined; reason: string | null | undefined },
    ctx: SentinelReadContext,
  ): ClassificationValue;
  /** Only called for closed incidents. */
  toSentinel(value: ClassificationValue, ctx: SentinelRenderContext): SentinelClassificationOutput;
  /** Only called when the incident is (or becomes) closed. */
  toDefender(value: ClassificationValue, ctx: DefenderRenderContext): DefenderClassificationOutput;
}

const sentinelReasonByLower = new Map<string, SentinelClassificationReasonValue>(
  sentinelClassificationReasonValues.map((r) => [r.toLowerCase(), r]),
);

/** The Sentinel reason spelled by `detail` (case-insensitive), if it is one. */
export function asSentinelReason(detail: string | undefined): SentinelClassificationReasonValue | undefined {
  return detail === undefined ? undefined : sentinelReasonByLower.get(detail.toLowerCase());
}

/** Table lookups shared by the default mapper and canonical comparison. */
export interface CompiledClassificationTable {
  readonly table: ClassificationTable;
  toSentinelRow(
    classification: CanonicalClassification,
    determination: string | undefined,
  ): ClassificationToSentinelRow;
  toDefenderRow(
    classification: CanonicalClassification,
    reason: string | undefined,
  ): ClassificationToDefenderRow;
}

/**
 * Validates that `table` is total (a `*` row per canonical classification in both directions) and indexes it.
 * Throws a TypeError for an incomplete table (a configuration error, raised by `createMappingProfile`).
 */
export function compileClassificationTable(table: ClassificationTable): CompiledClassificationTable {
  const classifications: CanonicalClassification[] = [
    "undetermined",
    "truePositive",
    "benignPositive",
    "falsePositive",
  ];
  for (const c of classifications) {
    if (!table.toSentinel.some((r) => r.classification === c && r.determination === ANY_VALUE)) {
      throw new TypeError(`Classification table: toSentinel needs a "*" row for ${c}`);
    }
    if (!table.toDefender.some((r) => r.classification === c && r.reason === ANY_VALUE)) {
      throw new TypeError(`Classification table: toDefender needs a "*" row for ${c}`);
    }
  }
  const find = <R extends { classification: CanonicalClassification }>(
    rows: readonly R[],
    classification: CanonicalClassification,
    key: (r: R) => string,
    value: string | undefined,
  ): R => {
    const lower = value?.toLowerCase();
    let wildcard: R | undefined;
    for (const r of rows) {
      if (r.classification !== classification) continue;
      const k = key(r);
      if (k === ANY_VALUE) wildcard ??= r;
      else if (lower !== undefined && k.toLowerCase() === lower) return r;
    }
    return wildcard!;
  };
  return {
    table,
    toSentinelRow: (c, d) => find(table.toSentinel, c, (r) => r.determination, d),
    toDefenderRow: (c, r) => find(table.toDefender, c, (row) => row.reason, r),
  };
}

/**
 * The value under which a classification detail is compared across sides: the Sentinel reason that the pair
 * (classification, detail) ends up as after syncing. A Sentinel reason is first taken through the reverse table,
 * so lossy pairs (truePositive/`malware` vs TruePositive/`SuspiciousActivity`) compare equal.
 */
export function classificationDetailKey(
  compiled: CompiledClassificationTable,
  classification: CanonicalClassification,
  detail: string | undefined,
): string {
  const reason = asSentinelReason(detail);
  const determination =
    reason !== undefined ? compiled.toDefenderRow(classification, reason).to.determination : detail;
  return compiled.toSentinelRow(classification, determination).to.reason ?? "";
}

function includesLower(list: readonly string[], value: string): boolean {
  const lower = value.toLowerCase();
  return list.some((v) => v.toLowerCase() === lower);
}

function determinationSpelling(
  table: ClassificationTable,
  value: string,
): DefenderDeterminationValue | undefined {
  const lower = value.toLowerCase();
  for (const list of Object.values(table.defenderDeterminations)) {
    for (const d of list) if (d.toLowerCase() === lower) return d;
  }
  return undefined;
}

/** The default classification mapper over `table` (the default table when omitted). */
export function createClassificationMapper(
  table: ClassificationTable = DEFAULT_CLASSIFICATION_TABLE,
): ClassificationMapper {
  const compiled = compileClassificationTable(table);
  const fromDefender = createEnumLookup(table.fromDefender);
  const fromSentinel = createEnumLookup(table.fromSentinel);
  return {
    fromDefender: ({ classification, determination }, ctx) => ({
      classification:
        typeof classification === "string"
          ? (mapEnum(fromDefender, classification, "classification", ctx.warn)?.to ?? "undetermined")
          : "undetermined",
      detail: typeof determination === "string" ? determination : undefined,
    }),
    fromSentinel: ({ classification, reason }, ctx) => ({
      classification:
        typeof classification === "string"
          ? (mapEnum(fromSentinel, classification, "classification", ctx.warn)?.to ?? "undetermined")
          : "undetermined",
      detail: typeof reason === "string" ? reason : undefined,
    }),
    toSentinel: ({ classification, detail }, ctx) => {
      const requested = classificationDetailKey(compiled, classification, detail);
      const sameDetail = (other: string) =>
        detail === undefined || classificationDetailKey(compiled, classification, other) === requested;
      const row = compiled.toSentinelRow(classification, detail);
      const target = row.to.classification;
      const allowed = table.sentinelReasons[target] ?? [];
      // The canonical value came from Sentinel and carries a reason that fits: keep it.
      const own = asSentinelReason(detail);
      if (own !== undefined && allowed.includes(own)) return { classification: target, reason: own };
      // The existing Sentinel incident already has this classification with a fitting reason: never clobber it.
      const existing = ctx.existing;
      if (
        existing !== undefined &&
        typeof existing.classification === "string" &&
        existing.classification.toLowerCase() === target.toLowerCase()
      ) {
        const existingReason = asSentinelReason(
          typeof existing.classificationReason === "string" ? existing.classificationReason : undefined,
        );
        // …unless a finer table tells them apart from the requested detail.
        if (existingReason !== undefined && allowed.includes(existingReason) && sameDetail(existingReason)) {
          return { classification: target, reason: existingReason };
        }
      }
      if (row.lossy !== undefined && detail !== undefined && detail.toLowerCase() !== "unknown") {
        ctx.warn({
          field: "classificationDetail",
          kind: "lossy",
          message: `${classification}/${detail} → ${target}/${row.to.reason ?? "(no reason)"}: ${row.lossy}`,
        });
      }
      return { classification: target, reason: row.to.reason };
    },
    toDefender: ({ classification, detail }, ctx) => {
      const reason = asSentinelReason(detail);
      const row = compiled.toDefenderRow(classification, reason);
      const target = row.to.classification;
      const allowed = table.defenderDeterminations[target] ?? [];
      // The canonical value came from Defender with a determination that fits: keep it.
      if (detail !== undefined && reason === undefined && includesLower(allowed, detail)) {
        const spelled = determinationSpelling(table, detail);
        if (spelled !== undefined) return { classification: target, determination: spelled };
      }
      // The current Defender determination fits the target classification (and is equivalent to the requested
      // detail under the table): keep it, never clobbered.
      const current = ctx.current;
      const currentDetermination =
        typeof current?.determination === "string" ? current.determination : undefined;
      if (currentDetermination !== undefined && currentDetermination.toLowerCase() !== "unknown") {
        const sameClassification =
          typeof current?.classification === "string" &&
          current.classification.toLowerCase() === target.toLowerCase();
        const equivalent =
          detail === undefined ||
          classificationDetailKey(compiled, classification, currentDetermination) ===
            classificationDetailKey(compiled, classification, detail);
        if ((sameClassification || includesLower(allowed, currentDetermination)) && equivalent) {
          return { classification: target, determination: undefined };
        }
      }
      if (row.lossy !== undefined) {
        ctx.warn({
          field: "classificationDetail",
          kind: "lossy",
          message: `${classification}/${detail ?? "(no reason)"} → ${target}/${row.to.determination}: ${row.lossy}`,
        });
      }
      return { classification: target, determination: row.to.determination };
    },
  };
}

/** The classification mapper of the default table. */
export const defaultClassificationMapper: ClassificationMapper = createClassificationMapper(
  DEFAULT_CLASSIFICATION_TABLE,
);
