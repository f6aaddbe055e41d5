/**
 * A loopback front end before the emulator for the unified crash tests: it can let a write be stored and then drop
 * its connection, or crash the engine's process right after it. It uses the emulator's internal loopback server,
 * so only src-based tests load it.
 */
import type { Emulator, EmulatorServer } from "../../src/testing/index";
import { startLoopbackServer } from "../../src/testing/loopbackServer";
import type { CrashSwitch } from "./unifiedHelpers";

/** Which tenant a front-end rule looks at: the customer's (source), the MSSP's (target), or the ingestion API. */
export type FrontEndSide = "source" | "target" | "ingestion";

export interface FrontEndRule {
  side: FrontEndSide;
  method: string;
  path: RegExp;
  /** "reset": the service stores the request, the answer is lost. "crash": the same, and the process dies. */
  effect: "reset" | "crash";
  /** Matching successful requests still to hit. Default 1. */
  times?: number;
}

/**
 * A loopback front end before the emulator that can let a write be stored and then drop its connection (the
 * client never learns it landed), or crash the engine's process right after it. While the process is dead
 * its requests are dropped before reaching the services.
 */
export class FrontEnd {
  private rules: (FrontEndRule & { left: number })[] = [];
  /** Requests stored and then dropped, as "SIDE METHOD path". */
  readonly dropped: string[] = [];

  constructor(
    private readonly emu: Emulator,
    private readonly process: CrashSwitch,
    /** The source (customer) tenant: requests carrying its token are the "source" side. */
    private readonly sourceTenantId: string,
  ) {}

  /** Adds a rule (consumed in order). */
  add(rule: FrontEndRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  pending(): number {
    return this.rules.reduce((n, r) => n + r.left, 0);
  }

  private sideOf(request: Request): FrontEndSide {
    const path = new URL(request.url).pathname;
    if (path.includes("/dataCollectionRules/")) return "ingestion";
    const token = request.headers.get("authorization") ?? "";
    return token.toLowerCase().includes(this.sourceTenantId) ? "source" : "target";
  }

  async listen(): Promise<EmulatorServer> {
    const { emu } = this;
    const server = await startLoopbackServer(async (request) => {
      if (this.process.dead) return { response: new Response(null, { status: 599 }), reset: true };
      const side = this.sideOf(request);
      const path = new URL(request.url).pathname;
      const rule = this.rules.find(
        (r) => r.left > 0 && r.side === side && r.method === request.method && r.path.test(path),
      );
      const response = await emu.handle(request);
      if (response.type === "error") return { response, reset: true };
      if (!rule || response.status >= 300) return { response };
      rule.left--;
      this.dropped.push(`${side} ${request.method} ${path}`);
      if (rule.effect === "crash") {
        this.process.dead = true;
        this.process.crashes++;
      }
      return { response, reset: true };
    });
    return {
      defenderEndpoint: `${server.origin}/v1.0`,
      sentinelEndpoint: server.origin,
      url: server.origin,
      port: server.port,
      tenantId: emu.tenantId,
      subscriptionId: emu.subscriptionId,
      resourceGroupName: emu.resourceGroupName,
      workspaceName: emu.workspaceName,
      close: () => server.close(),
    };
  }
}
