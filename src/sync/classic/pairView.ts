import type { DefenderIncident } from "../../defender/models";
import type { CanonicalIncident, MappingProfile, MappingResult } from "../../mapping";
import type { SentinelIncident, SentinelIncidentWriteProperties } from "../../sentinel/models";
import { sha256 } from "../deterministicName";
import type { SyncRecord } from "../stateStore";

/** A Defender incident mapped once: its canonical view and its Sentinel rendering from the Defender side alone. */
export interface DefenderView {
  canonical: MappingResult<CanonicalIncident>;
  /** The Sentinel body rendered from the Defender incident alone (the body of a new copy). */
  rendered: MappingResult<SentinelIncidentWriteProperties>;
  /** sha256 of `rendered`: changes when alerts, activity times or links change. Undefined if it did not render. */
  renderDigest: string | undefined;
}

/**
 * Maps each incident read in a cycle once, whoever asks (echo checks, the pair's plan, the ledger digest): keyed
 * by the parsed object, so a re-read (a new object) is mapped again and nothing outlives the cycle.
 */
export class CycleViews {
  private readonly defenders = new WeakMap<DefenderIncident, DefenderView>();
  private readonly sentinels = new WeakMap<SentinelIncident, MappingResult<CanonicalIncident>>();

  constructor(private readonly profile: MappingProfile) {}

  defender(incident: DefenderIncident): DefenderView {
    let view = this.defenders.get(incident);
    if (!view) {
      const canonical = this.profile.defenderToCanonical(incident);
      const rendered: MappingResult<SentinelIncidentWriteProperties> = canonical.ok
        ? this.profile.renderSentinel(canonical.value, { defender: incident })
        : canonical;
      const renderDigest = rendered.ok ? sha256(JSON.stringify(rendered.value)).slice(0, 32) : undefined;
      view = { canonical, rendered, renderDigest };
      this.defenders.set(incident, view);
    }
    return view;
  }

  sentinel(incident: SentinelIncident): MappingResult<CanonicalIncident> {
    let canonical = this.sentinels.get(incident);
    if (!canonical) {
      canonical = this.profile.sentinelToCanonical(incident);
      this.sentinels.set(incident, canonical);
    }
    return canonical;
  }
}

/** Everything one classic pair's plan is made from: both sides read once, mapped once. */
export interface ClassicPairView {
  defender: DefenderIncident;
  canonicalDefender: CanonicalIncident;
  /** The Sentinel body rendered from the Defender side alone, and its digest. */
  renderedDefender: SentinelIncidentWriteProperties;
  renderDigest: string;
  /** The Sentinel copy, when one exists (created earlier, or Microsoft's connector made it). */
  sentinel: SentinelIncident | undefined;
  canonicalSentinel: CanonicalIncident | undefined;
  sentinelName: string;
  record: SyncRecord | undefined;
  link: "owned" | "connector";
  /** No base yet: first sight of this pair (linking a connector copy, or adopting after a crash). */
  linking: boolean;
}

function unwrap<T>(result: MappingResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

export interface PairViewParts {
  defender: DefenderIncident;
  sentinel: SentinelIncident | undefined;
  sentinelName: string;
  record: SyncRecord | undefined;
  link: "owned" | "connector";
}

/** Builds a pair's view; throws the `MappingError` of a side that cannot be mapped (the pair is quarantined). */
export function buildPairView(views: CycleViews, parts: PairViewParts): ClassicPairView {
  const defenderView = views.defender(parts.defender);
  const canonicalDefender = unwrap(defenderView.canonical);
  const renderedDefender = unwrap(defenderView.rendered);
  return {
    ...parts,
    canonicalDefender,
    renderedDefender,
    renderDigest: defenderView.renderDigest ?? "",
    canonicalSentinel: parts.sentinel ? unwrap(views.sentinel(parts.sentinel)) : undefined,
    linking: !parts.record?.baseDefender,
  };
}
