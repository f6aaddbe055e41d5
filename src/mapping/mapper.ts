/**
 * The building blocks of a mapping profile: the contexts every field mapper receives, and the override type that
 * lets a caller replace or wrap any mapper function while keeping its exact signature.
 */
import type { DefenderIncident } from "../defender/models";
import type { SentinelIncidentProperties } from "../sentinel/models";
import type { CanonicalIncident } from "./canonical";
import type { MappingLimits } from "./limits";
import type { WarningSink } from "./result";

/** What every mapper gets. */
export interface MapperContextBase {
  /** Records a non-fatal warning on the current result. */
  readonly warn: WarningSink;
  /** The profile's output limits. */
  readonly limits: Readonly<MappingLimits>;
  /** True for a label name the profile treats as a system label (never a user tag). */
  readonly isSystemLabel: (name: string) => boolean;
}

/** Context of `fromDefender` mappers (Defender incident → canonical). */
export interface DefenderReadContext extends MapperContextBase {
  readonly direction: "defenderToCanonical";
  /** The whole incident (with alerts and evidence when it was fetched with `$expand=alerts`). */
  readonly incident: DefenderIncident;
}

/** Context of `fromSentinel` mappers (Sentinel incident → canonical). */
export interface SentinelReadContext extends MapperContextBase {
  readonly direction: "sentinelToCanonical";
  /** The incident's `properties`. */
  readonly incident: SentinelIncidentProperties;
}

/** Context of `toSentinel` mappers (canonical → Sentinel PUT body). */
export interface SentinelRenderContext extends MapperContextBase {
  readonly direction: "renderSentinel";
  /** The canonical values being rendered. */
  readonly canonical: CanonicalIncident;
  /** The Defender incident the values came from, when known: link, alerts, evidence, ids. */
  readonly defender: DefenderIncident | undefined;
  /** The Sentinel incident as it is now (undefined when creating): what we do not sync is preserved from it. */
  readonly existing: SentinelIncidentProperties | undefined;
}

/** Context of `toDefender` mappers (canonical changes → Graph PATCH). */
export interface DefenderRenderContext extends MapperContextBase {
  readonly direction: "renderDefenderPatch";
  /** The canonical fields to write (only those). */
  readonly changes: Partial<CanonicalIncident>;
  /** The Defender incident as it is now, when known. */
  readonly current: DefenderIncident | undefined;
  /** `current` in canonical form, when known. */
  readonly currentCanonical: CanonicalIncident | undefined;
  /** The status the incident will have after the PATCH (changes.status, else the current status). */
  readonly targetStatus: CanonicalIncident["status"] | undefined;
}

/** Any function: the constraint of `Override` and of the members `MapperOverrides` can override. */
export type AnyFunction = (...args: any[]) => any;

/**
 * An override of one mapper function: it receives the same arguments plus `next`, the implementation it replaces
 * (the default, or the previous override), and must return the same type.
 *
 * @example
 * const severityToSentinel: Override<SeverityMapper["toSentinel"]> = (sev, ctx, next) =>
 *   sev === "medium" && isVip(ctx.defender) ? "High" : next(sev, ctx);
 */
export type Override<F extends AnyFunction> = (...args: [...Parameters<F>, next: F]) => ReturnType<F>;

/** Optional overrides for some functions of a mapper group. */
export type MapperOverrides<M> = {
  [K in keyof M]?: M[K] extends AnyFunction ? Override<M[K]> : never;
};

/**
 * Applies `overrides` on top of `base`: each overridden function is called with the base function as `next`.
 * Records which functions were overridden so errors can name them.
 */
export function composeMapper<M extends object>(
  base: M,
  overrides: MapperOverrides<M> | undefined,
): { mapper: M; overridden: ReadonlySet<string> } {
  if (overrides === undefined) return { mapper: base, overridden: new Set() };
  const mapper = { ...base } as Record<string, unknown>;
  const overridden = new Set<string>();
  for (const key of Object.keys(base)) {
    if (!Object.hasOwn(overrides, key)) continue;
    const override = (overrides as Record<string, unknown>)[key];
    if (override === undefined) continue;
    if (typeof override !== "function") {
      throw new TypeError(`Mapping override "${key}" must be a function`);
    }
    const next = (base as Record<string, AnyFunction>)[key]!;
    mapper[key] = (...args: unknown[]) => (override as AnyFunction)(...args, next);
    overridden.add(key);
  }
  for (const key of Object.keys(overrides)) {
    if (!Object.hasOwn(base, key)) throw new TypeError(`Unknown mapping override "${key}"`);
  }
  return { mapper: mapper as M, overridden };
}
