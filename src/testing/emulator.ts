/**
 * `createEmulator`: one in-memory state (Defender tenants, Sentinel workspaces) behind two front ends — msw
 * handlers for the real hosts and a loopback HTTP server — plus the control API tests and demos use.
 *
 * Every request goes through one fetch-style core (`emu.handle(request)`): pick the route module, count the
 * request, apply injected faults, then let the module authenticate, throttle and answer.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { RequestHandler } from "msw";
import { createArmRoutes } from "./armRoutes";
import { type BearerInfo, createEmulatorCredential } from "./auth";
import { type DefenderControl, DefenderTenant, EmulatorError } from "./defenderState";
import {
  type Fault,
  type FaultConfig,
  FaultInjector,
  type FaultScript,
  type FaultScriptHandle,
  type FaultShorthand,
  type ServiceKey,
} from "./faults";
import {
  classificationToSentinel,
  createUsers,
  DEFAULT_TENANT_ID,
  type SentinelIncidentSeed,
} from "./generator";
import { createGraphRoutes } from "./graphRoutes";
import {
  createLogsIngestionRoutes,
  type LogsIngestionControl,
  type LogsIngestionEmulatorOptions,
} from "./logsIngestionRoutes";
import { type DispatchResult, type LoopbackTls, startLoopbackServer } from "./loopbackServer";
import { createMswHandlers } from "./mswHandlers";
import { createRng, mixSeed, type Rng } from "./prng";
import { normalizeRefusals, type WireRefusals } from "./refusals";
import { defaultErrorCode, jsonResponse } from "./responses";
import type { EmulatorServices, RequestContext, RouteModule } from "./routing";
import { createSelfSignedCertificate } from "./selfSignedCertificate";
import {
  type SentinelControl,
  SentinelWorkspace,
  type WorkspaceCoordinates,
  workspaceKey,
} from "./sentinelState";
import { Throttler } from "./throttling";
import { EmulatorClock } from "./time";
import type { EmulatorUser, GraphIncident } from "./types";
import {
  createUnifiedPortal,
  type UnifiedPortalControl,
  type UnifiedPortalOptions,
} from "./unified/unifiedPortal";

/** Azure subscription ID of the emulator's default Sentinel workspace. */
export const DEFAULT_SUBSCRIPTION_ID = "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0";
/** Resource group name of the emulator's default Sentinel workspace, `myRg`. */
export const DEFAULT_RESOURCE_GROUP_NAME = "myRg";
/** Name of the emulator's default Sentinel workspace, `myWorkspace`. */
export const DEFAULT_WORKSPACE_NAME = "myWorkspace";

/**
 * Options of `createEmulator`: the seed, how many incidents to generate, the clock and time scale, throttling, the
 * default tenant and workspace, and the Logs Ingestion and unified portal settings.
 */
export interface EmulatorOptions {
  /** Seed of every generated value (data, ids, etags, sub-ms timestamp digits). Default 1. */
  seed?: number;
  /** Defender incidents generated for the default tenant. Default 200. */
  incidents?: number;
  /** Fraction (0..1) of those incidents that Microsoft's connector already copied into the default workspace. Default 0. */
  connectorCopies?: number;
  /** Native Sentinel incidents ("Azure Sentinel") generated in the default workspace. Default 0. */
  sentinelIncidents?: number;
  /** Token buckets refill this many times faster, Retry-After shrinks as much. Default 1. */
  timeScale?: number;
  /** Server-side throttling (429). Default true. */
  throttling?: boolean;
  /** Clock. Default: the real clock. Generated data ends at `now()` at creation. */
  now?: () => Date;
  tenantId?: string;
  subscriptionId?: string;
  resourceGroupName?: string;
  workspaceName?: string;
  /** The Azure Monitor Logs Ingestion endpoint (always served; these options tune it). */
  logsIngestion?: LogsIngestionEmulatorOptions;
  /** The unified Defender portal: analytics rules, the tables they read, their alerts and incidents. */
  unified?: UnifiedPortalOptions;
  /** Wire choices the emulated services refuse from the start (see `Emulator.refuse`). Default: none. */
  refuse?: WireRefusals;
}

/**
 * Request counters of one emulated service: requests in total and per route, throttled (429) answers and injected
 * faults.
 */
export interface ServiceStats {
  requests: number;
  /** Requests per route, keyed "GET /security/incidents", "PUT /incidents/{id}", … */
  byRoute: Record<string, number>;
  throttled: number;
  faults: number;
}

/**
 * Request counters of every emulated service: Defender (Graph), Sentinel (ARM), and each extra route module by name.
 */
export interface EmulatorStats {
  defender: ServiceStats;
  sentinel: ServiceStats;
  /** Extra route modules, by name. */
  [service: string]: ServiceStats;
}

/**
 * Options of `Emulator.listen`: the port (0: any free one) and whether to serve HTTPS with a self-signed certificate.
 */
export interface ListenOptions {
  /** Default 0 (any free port). The server binds 127.0.0.1 only. */
  port?: number;
  /**
   * Serve HTTPS with a self-signed certificate made for this server (valid for 127.0.0.1, ::1 and
   * localhost), returned as `certificatePem` for clients to trust. Default false (plain HTTP).
   */
  https?: boolean;
}

/**
 * A running loopback server of the emulator: the endpoints to pass to the clients, the certificate to trust with
 * HTTPS, the default coordinates, and `close`.
 */
export interface EmulatorServer {
  /** `http://127.0.0.1:PORT/v1.0` — pass as `DefenderClient`'s `endpoint`. */
  defenderEndpoint: string;
  /** `http://127.0.0.1:PORT` — pass as `SentinelClient`'s `endpoint`. */
  sentinelEndpoint: string;
  /** `http://127.0.0.1:PORT` (`https://` with `listen({ https: true })`) */
  url: string;
  /**
   * With `listen({ https: true })`: the PEM of the self-signed certificate the server presents. Trust it
   * rather than turning TLS checks off: `https.request(url, { ca: certificatePem })`; for this package's
   * clients `additionalPolicies: [{ policy: tlsPolicy({ ca: certificatePem }), position: "perCall" }]`
   * (`tlsPolicy` from `@azure/core-rest-pipeline`); for another process, write it to a file and start that
   * process with `NODE_EXTRA_CA_CERTS=<file>`.
   */
  certificatePem?: string;
  port: number;
  tenantId: string;
  subscriptionId: string;
  resourceGroupName: string;
  workspaceName: string;
  close(): Promise<void>;
}

/**
 * The emulator's fault injection: random faults per service (seeded) and scripted ones (the next N matching requests
 * fail).
 */
export interface EmulatorFaults {
  /** Random faults per service, reproducible from `seed`. Replaces earlier random settings. */
  configure(config: FaultConfig): void;
  /** "The next `times` requests matching … fail with `fault`." */
  script(script: FaultScript): FaultScriptHandle;
  /** Removes random and scripted faults. */
  clear(): void;
}

/**
 * Options of `Emulator.addTenant`: the new Defender tenant's ID, how many incidents to generate in it, and its seed.
 */
export interface AddTenantOptions {
  tenantId: string;
  /** Generated incidents. Default 0. */
  incidents?: number;
  /** Default: derived from the emulator seed and the tenant id. */
  seed?: number;
}

/**
 * A Defender tenant added to the emulator: its ID, a credential whose tokens route Graph requests to it, and its
 * control API.
 */
export interface AddedTenant {
  tenantId: string;
  /** A credential whose tokens route Graph requests to this tenant. */
  credential: TokenCredential;
  defender: DefenderControl;
}

/**
 * Options of `Emulator.addWorkspace`: the new Sentinel workspace's coordinates, incidents to generate, and the tenant
 * Microsoft's connector mirrors into it.
 */
export interface AddWorkspaceOptions extends WorkspaceCoordinates {
  /** Native Sentinel incidents to generate. Default 0. */
  incidents?: number;
  /** A tenant whose incidents Microsoft's connector mirrors into this workspace (merges propagate). */
  connectorTenantId?: string;
  /** Fraction of that tenant's incidents already copied. Default 0. */
  connectorCopies?: number;
}

/**
 * A local emulator of Defender XDR (Graph security v1.0), Sentinel (ARM), Azure Monitor Logs Ingestion and the
 * unified portal: msw handlers or a loopback server, control APIs for each service, faults, throttling and stats.
 */
export interface Emulator {
  /** msw request handlers for https://graph.microsoft.com and https://management.azure.com (and extra modules). */
  readonly handlers: RequestHandler[];
  /** Credential for the default tenant (ARM accepts its token too). */
  readonly credential: TokenCredential;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly workspaceName: string;
  /** Control API of the default tenant. */
  readonly defender: DefenderControl;
  /** Control API of the default workspace. */
  readonly sentinel: SentinelControl;
  /**
   * Control API of the Logs Ingestion endpoint (`POST {url}/dataCollectionRules/{id}/streams/{stream}`): the rows
   * it received. Its requests are counted under `stats().logsIngestion`.
   */
  readonly logs: LogsIngestionControl;
  /**
   * Control API of the unified Defender portal: analytics rules (ARM `alertRules`) run on the emulator clock
   * over the rows Logs Ingestion received, and their alerts become incidents in the workspace tenant's Graph
   * (the workspace's `connectorTenantId`; the default workspace belongs to the default tenant).
   */
  readonly unified: UnifiedPortalControl;
  readonly faults: EmulatorFaults;
  /** The fetch-style core: answers one request (a "reset" fault yields `Response.error()`). */
  handle(request: Request): Promise<Response>;
  /** Starts a loopback HTTP server on 127.0.0.1. */
  listen(options?: ListenOptions): Promise<EmulatorServer>;
  stats(): EmulatorStats;
  /**
   * Back to the generated state; clears stats, faults and throttling buckets, and refusals back to the `refuse`
   * option. Added tenants/workspaces stay.
   */
  reset(): void;
  addTenant(options: AddTenantOptions): AddedTenant;
  addWorkspace(options: AddWorkspaceOptions): SentinelControl;
  /**
   * Adds a route module; its stats appear under its name. A module named "logsIngestion" replaces the built-in
   * Logs Ingestion endpoint (`emu.logs` then sees nothing).
   */
  registerRoutes(module: RouteModule): void;
  /** Turns server-side throttling on or off. */
  setThrottling(enabled: boolean): void;
  /**
   * Makes the emulated services refuse wire choices that no Microsoft page confirms, e.g.
   * `emu.refuse({ defender: { orderby: true, alertsFilterByIncidentId: true, statusInProgress: true,
   * expandAlerts: 500 } })`, to prove a client's fallbacks. Replaces the earlier settings (`{}` refuses nothing);
   * `reset()` goes back to the `refuse` option.
   */
  refuse(refusals: WireRefusals): void;
  /** The analysts of the directory (owners, comment authors). */
  users(): EmulatorUser[];
  /** A credential for any tenant added with `addTenant`. */
  credentialFor(tenantId: string): TokenCredential;
  /** Closes every server started with `listen`. */
  close(): Promise<void>;
}

interface WorkspaceEntry {
  workspace: SentinelWorkspace;
  connectorTenantId?: string;
}

function emptyStats(): ServiceStats {
  return { requests: 0, byRoute: {}, throttled: 0, faults: 0 };
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Creates an emulator with generated, seeded data: a Defender tenant with incidents and a Sentinel workspace, served
 * through msw handlers or `listen()`.
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const seed = options.seed ?? 1;
  const now = options.now ?? (() => new Date());
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new RangeError("timeScale must be positive");
  const connectorFraction = options.connectorCopies ?? 0;
  if (!(connectorFraction >= 0 && connectorFraction <= 1))
    throw new RangeError("connectorCopies must be within 0..1");
  const tenantId = options.tenantId ?? DEFAULT_TENANT_ID;
  const coords: WorkspaceCoordinates = {
    subscriptionId: options.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID,
    resourceGroupName: options.resourceGroupName ?? DEFAULT_RESOURCE_GROUP_NAME,
    workspaceName: options.workspaceName ?? DEFAULT_WORKSPACE_NAME,
  };
  const baseTime = now();
  const directory = createUsers();

  let idRng: Rng = createRng(mixSeed(seed, 99));
  let requestRng: Rng = createRng(mixSeed(seed, 98));
  const clock = new EmulatorClock(now, createRng(mixSeed(seed, 97)));
  const throttler = new Throttler(() => now().getTime(), timeScale, options.throttling ?? true);
  const services: EmulatorServices = { clock, throttler, timeScale, newGuid: () => idRng.guid() };
  const faults = new FaultInjector();
  let stats: Record<string, ServiceStats> = { defender: emptyStats(), sentinel: emptyStats() };

  const tenants = new Map<string, DefenderTenant>();
  const workspaces = new Map<string, WorkspaceEntry>();
  const servers = new Set<{ close(): Promise<void> }>();
  const unified = createUnifiedPortal(
    {
      seed,
      clock,
      now,
      tenant: (id) => tenants.get(id.toLowerCase()),
      workspace(key) {
        const entry = workspaces.get(key);
        return entry && { workspace: entry.workspace, tenantId: entry.connectorTenantId ?? tenantId };
      },
      defaultWorkspaceKey: workspaceKey(coords),
    },
    options.unified,
  );
  const logsIngestion = createLogsIngestionRoutes(options.logsIngestion, unified.ingestionHooks);
  let refusals = normalizeRefusals(options.refuse);

  function addTenantInternal(id: string, incidents: number, tenantSeed: number): DefenderTenant {
    const key = id.toLowerCase();
    if (tenants.has(key)) throw new EmulatorError(`tenant ${id} already exists`);
    const tenant = new DefenderTenant(
      { tenantId: id, incidents, seed: tenantSeed, baseTime },
      clock,
      directory,
    );
    tenant.onMerge = (source, target) => mirrorMerge(id, source, target);
    tenants.set(key, tenant);
    return tenant;
  }

  /** Seeds of a workspace: connector copies of a fraction of a tenant's incidents, plus native incidents. */
  function workspaceSeeds(
    connectorTenantId: string | undefined,
    fraction: number,
    native: number,
    salt: number,
  ) {
    return (): SentinelIncidentSeed[] => {
      const out: SentinelIncidentSeed[] = [];
      const tenant = connectorTenantId ? tenants.get(connectorTenantId.toLowerCase()) : undefined;
      if (tenant && fraction > 0) {
        const pick = createRng(mixSeed(seed, salt));
        for (const incident of [...tenant.incidents.values()].sort((a, b) => Number(a.id) - Number(b.id))) {
          if (pick.chance(fraction)) out.push(tenant.incidentGenerator.connectorCopy(incident));
        }
      }
      if (native > 0) {
        const generator = (tenant ?? defaultTenant).incidentGenerator;
        for (let i = 0; i < native; i++) out.push(generator.sentinelIncident());
      }
      return out;
    };
  }

  function addWorkspaceInternal(o: AddWorkspaceOptions, salt: number): SentinelWorkspace {
    const key = workspaceKey(o);
    if (workspaces.has(key)) throw new EmulatorError(`workspace ${o.workspaceName} already exists`);
    const workspace = new SentinelWorkspace(
      {
        subscriptionId: o.subscriptionId,
        resourceGroupName: o.resourceGroupName,
        workspaceName: o.workspaceName,
      },
      services,
      directory,
      workspaceSeeds(o.connectorTenantId, o.connectorCopies ?? 0, o.incidents ?? 0, salt),
    );
    workspaces.set(key, { workspace, connectorTenantId: o.connectorTenantId?.toLowerCase() });
    return workspace;
  }

  /** What Microsoft's connector does in Sentinel when Defender merges. */
  function mirrorMerge(fromTenant: string, source: GraphIncident, target: GraphIncident): void {
    for (const { workspace, connectorTenantId } of workspaces.values()) {
      if (connectorTenantId !== fromTenant.toLowerCase()) continue;
      const sourceCopy = workspace.connectorCopyRecord(source.id);
      const targetCopy = workspace.connectorCopyRecord(target.id);
      if (sourceCopy) {
        const p = sourceCopy.resource.properties;
        p.status = "Closed";
        if (!p.classification)
          Object.assign(p, classificationToSentinel(source.classification, source.determination));
        if (!p.labels.some((l) => l.labelName === "Redirected"))
          p.labels.push({ labelName: "Redirected", labelType: "AutoAssigned" });
        if (targetCopy) {
          targetCopy.alerts.push(...sourceCopy.alerts);
          targetCopy.entities.push(...sourceCopy.entities);
          workspace.touch(targetCopy);
        }
        sourceCopy.alerts = [];
        sourceCopy.entities = [];
        workspace.touch(sourceCopy);
      }
    }
  }

  const defaultTenant = addTenantInternal(tenantId, options.incidents ?? 200, seed);
  const defaultWorkspace = addWorkspaceInternal(
    {
      ...coords,
      incidents: options.sentinelIncidents ?? 0,
      connectorTenantId: tenantId,
      connectorCopies: connectorFraction,
    },
    55,
  );

  const modules: RouteModule[] = [
    createGraphRoutes({
      tenantFor(bearer: BearerInfo) {
        if (bearer.tenantId === undefined) return defaultTenant;
        return tenants.get(bearer.tenantId.toLowerCase());
      },
      refusals: () => refusals.defender,
    }),
    createArmRoutes(
      {
        lookup(subscriptionId, resourceGroupName, workspaceName) {
          const entry = workspaces.get(workspaceKey({ subscriptionId, resourceGroupName, workspaceName }));
          if (entry) return { workspace: entry.workspace };
          const all = [...workspaces.values()].map((w) => w.workspace);
          if (!all.some((w) => w.subscriptionId.toLowerCase() === subscriptionId.toLowerCase()))
            return { missing: "subscription" };
          if (
            !all.some(
              (w) =>
                w.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
                w.resourceGroupName.toLowerCase() === resourceGroupName.toLowerCase(),
            )
          ) {
            return { missing: "resourceGroup" };
          }
          return { missing: "workspace" };
        },
      },
      [unified.armExtension],
    ),
  ];

  function pickModule(url: URL): RouteModule | undefined {
    return (
      modules.find((m) => m.origins.includes(url.origin)) ?? modules.find((m) => m.ownsPath(url.pathname))
    );
  }

  function statsFor(name: string): ServiceStats {
    stats[name] ??= emptyStats();
    return stats[name]!;
  }

  async function dispatch(request: Request): Promise<DispatchResult> {
    // Analytics rules run lazily on the emulator clock: whatever is due happens before the request is seen.
    unified.catchUp();
    const url = new URL(request.url);
    const module = pickModule(url);
    if (!module) {
      return {
        response: jsonResponse(404, {
          error: { code: "NotFound", message: `The emulator serves no API at ${url.pathname}.` },
        }),
      };
    }
    const method = request.method.toUpperCase();
    const match = module.match(method, url);
    const routeKey = match?.key ?? `${method} (unmatched)`;
    const s = statsFor(module.name);
    s.requests++;
    s.byRoute[routeKey] = (s.byRoute[routeKey] ?? 0) + 1;
    const requestId = requestRng.guid();
    let bodyText: Promise<string> | undefined;
    const ctx: RequestContext = {
      request,
      url,
      method,
      requestId,
      clientRequestId:
        request.headers.get("client-request-id") ??
        request.headers.get("x-ms-client-request-id") ??
        requestId,
      now: now(),
      routeKey,
      services,
      text: () => {
        bodyText ??= request.text();
        return bodyText;
      },
      markThrottled: () => {
        s.throttled++;
      },
    };
    const fault: Fault | undefined = faults.decide({
      service: module.name,
      method,
      routeKey,
      path: url.pathname,
    });
    let truncate = false;
    if (fault) {
      s.faults++;
      switch (fault.kind) {
        case "status": {
          const headers: Record<string, string> = {};
          if (fault.status === 429 || fault.status === 503 || fault.retryAfterSeconds !== undefined) {
            const seconds = fault.retryAfterSeconds ?? 1;
            headers["Retry-After"] = String(Math.max(1, Math.ceil(seconds / timeScale)));
            if (timeScale !== 1)
              headers["retry-after-ms"] = String(Math.max(1, Math.ceil((seconds * 1000) / timeScale)));
          }
          const code = fault.code ?? defaultErrorCode(fault.status);
          const message =
            fault.message ??
            (fault.status === 409
              ? `Newer version of resource '${match?.params.id ?? url.pathname.split("/").pop()}' exists. Data was not saved`
              : `Injected fault: ${fault.status} ${code}.`);
          return { response: module.error(ctx, fault.status, code, message, headers) };
        }
        case "reset":
          return { response: Response.error(), reset: true };
        case "slow":
          await sleep(fault.delayMs ?? 2000 / timeScale);
          break;
        case "truncate":
          truncate = true;
          break;
      }
    }
    const response = await module.handle(ctx, match);
    if (!truncate) return { response };
    const text = await response.text();
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    return {
      response: new Response(text.slice(0, Math.floor(text.length / 2)), {
        status: response.status,
        headers,
      }),
    };
  }

  function reset(): void {
    idRng = createRng(mixSeed(seed, 99));
    requestRng = createRng(mixSeed(seed, 98));
    clock.reset();
    throttler.reset();
    faults.clear();
    refusals = normalizeRefusals(options.refuse);
    stats = { defender: emptyStats(), sentinel: emptyStats() };
    for (const tenant of tenants.values()) tenant.seedData();
    for (const { workspace } of workspaces.values()) workspace.seedData();
    logsIngestion.control.clear();
    unified.reset();
  }

  let workspaceSalt = 56;

  const emulator: Emulator = {
    get handlers() {
      return createMswHandlers(
        modules.flatMap((m) => m.origins),
        dispatch,
      );
    },
    credential: createEmulatorCredential(tenantId, () => now().getTime()),
    tenantId,
    ...coords,
    defender: defaultTenant,
    sentinel: defaultWorkspace,
    logs: logsIngestion.control,
    unified: unified.control,
    faults: {
      configure: (config) => faults.configure(config),
      script: (script) => faults.script(script),
      clear: () => faults.clear(),
    },
    async handle(request) {
      const result = await dispatch(request);
      return result.reset ? Response.error() : result.response;
    },
    async listen(listenOptions = {}) {
      let tls: LoopbackTls | undefined;
      if (listenOptions.https) {
        const certificate = createSelfSignedCertificate();
        tls = { key: certificate.privateKeyPem, cert: certificate.certificatePem };
      }
      const server = await startLoopbackServer(dispatch, listenOptions.port ?? 0, tls);
      servers.add(server);
      return {
        ...(tls && { certificatePem: tls.cert }),
        defenderEndpoint: `${server.origin}/v1.0`,
        sentinelEndpoint: server.origin,
        url: server.origin,
        port: server.port,
        tenantId,
        ...coords,
        close: async () => {
          servers.delete(server);
          await server.close();
        },
      };
    },
    stats() {
      return structuredClone(stats) as EmulatorStats;
    },
    reset,
    addTenant(o) {
      const tenant = addTenantInternal(
        o.tenantId,
        o.incidents ?? 0,
        o.seed ?? mixSeed(seed, hashString(o.tenantId)),
      );
      return {
        tenantId: tenant.tenantId,
        credential: createEmulatorCredential(tenant.tenantId, () => now().getTime()),
        defender: tenant,
      };
    },
    addWorkspace(o) {
      return addWorkspaceInternal(o, workspaceSalt++);
    },
    registerRoutes(module) {
      const builtIn = modules.indexOf(logsIngestion.module);
      if (builtIn >= 0 && module !== logsIngestion.module && module.name === logsIngestion.module.name) {
        modules.splice(builtIn, 1);
      }
      if (modules.some((m) => m.name === module.name))
        throw new EmulatorError(`a route module named ${module.name} exists`);
      // Before the built-in modules, so a module may claim paths they would otherwise answer with 404.
      modules.unshift(module);
    },
    setThrottling(enabled) {
      throttler.setEnabled(enabled);
    },
    refuse(next) {
      refusals = normalizeRefusals(next);
    },
    users() {
      return structuredClone(directory);
    },
    credentialFor(id) {
      if (!tenants.has(id.toLowerCase())) throw new EmulatorError(`tenant ${id} does not exist`);
      return createEmulatorCredential(id, () => now().getTime());
    },
    async close() {
      await Promise.all([...servers].map((s) => s.close()));
      servers.clear();
    },
  };
  emulator.registerRoutes(logsIngestion.module);
  return emulator;
}

export type { Fault, FaultConfig, FaultScript, FaultScriptHandle, FaultShorthand, ServiceKey };
