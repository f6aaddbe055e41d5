/** The scripted part of the unified demo: which incidents the analysts act on, and what must follow. */
import type { Demo } from "./unified";

export interface ScenarioPair {
  name: string;
  tenantId: string;
  /** The customer's incident. */
  source: string;
  /** Its mirror in the MSSP tenant. */
  target: string;
}

export interface Scenario {
  /** An MSSP analyst resolves this mirror; the customer's incident must follow. */
  close: ScenarioPair;
  /** A customer analyst comments; the comment must reach the mirror. */
  comment: ScenarioPair;
  /** The customer raises the severity; an MSSP analyst assigns the mirror. */
  severity: ScenarioPair;
  commentText: string;
  commentAuthor: string;
  assignee: string;
}

/** The first open, linked incident of each customer (one customer per step). */
export async function pickScenario(demo: Demo): Promise<Scenario> {
  const { emu, lanes } = demo.setup;
  const pairs = lanes.map((lane, i): ScenarioPair => {
    const open = emu.unified
      .tenant(lane.customer.tenantId)
      .listIncidents()
      .filter((incident) => incident.status !== "resolved" && incident.status !== "redirected")
      .filter((incident) => incident.severity !== "high" && demo.links[i]?.has(incident.id));
    const source = open[0];
    if (!source) {
      throw new Error(
        `${lane.customer.name} has no open, linked incident below high severity for the scenario (try more --incidents)`,
      );
    }
    const target = demo.links[i]!.get(source.id)!;
    return { name: lane.customer.name, tenantId: lane.customer.tenantId, source: source.id, target };
  });
  return {
    close: pairs[0]!,
    comment: pairs[1]!,
    severity: pairs[2]!,
    commentText: "Host reimaged and the user's password reset.",
    commentAuthor: "dana@fabrikam.example",
    assignee: "tier2@mssp.example",
  };
}

/** The customer's incident shows the MSSP analyst's close (status and classification). */
export function closeFollowed(demo: Demo, s: Scenario): boolean {
  const incident = demo.setup.emu.unified.tenant(s.close.tenantId).getIncident(s.close.source);
  return (
    incident?.status === "resolved" &&
    incident.classification === "truePositive" &&
    incident.determination === "malware"
  );
}

/** The MSSP's mirror carries the customer's comment. */
export function commentReached(demo: Demo, s: Scenario): boolean {
  const { emu } = demo.setup;
  const mirror = emu.unified.tenant(emu.tenantId).getIncident(s.comment.target);
  return (mirror?.comments ?? []).some((c) => (c.comment ?? "").includes(s.commentText));
}
