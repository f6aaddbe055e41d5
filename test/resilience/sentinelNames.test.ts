/**
 * Sentinel names: the spec types incident and comment names as plain strings (not GUIDs) and workspace names as
 * `^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$` (3–90 characters). The client and the emulator accept every such
 * name and refuse only what would change the request path. A 404 means "no such incident" only when ARM says
 * so: a missing workspace, resource group or subscription is an error, never an absent incident.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type HttpResponseError, isInvalidArgumentError, isNotFoundError } from "../../src/core/errors";
import { armNameProblem, MAX_ARM_NAME_LENGTH } from "../../src/core/ids";
import { SentinelClient, type SentinelClientOptions } from "../../src/sentinel/sentinelClient";
import { createEmulator, type Emulator, type EmulatorServer } from "../../src/testing/index";

const FAST = { rateLimit: false, retryOptions: { retryDelayInMs: 1, maxRetries: 1 } } as const;
const minimal = { title: "t", severity: "Low", status: "New" } as const;

let open: { emu: Emulator; srv: EmulatorServer }[] = [];
afterEach(async () => {
  await Promise.all(
    open.map(async ({ emu, srv }) => {
      await srv.close();
      await emu.close();
    }),
  );
  open = [];
});

async function start(options: Parameters<typeof createEmulator>[0] = {}) {
  const emu = createEmulator({ seed: 2, incidents: 2, throttling: false, ...options });
  const srv = await emu.listen();
  open.push({ emu, srv });
  const client = (o: Partial<SentinelClientOptions> = {}) =>
    new SentinelClient(emu.credential, {
      endpoint: srv.sentinelEndpoint,
      subscriptionId: srv.subscriptionId,
      resourceGroupName: srv.resourceGroupName,
      workspaceName: srv.workspaceName,
      ...FAST,
      ...o,
    });
  return { emu, srv, client };
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

const goodNames = [
  "3177",
  "x".repeat(36),
  "incident with spaces",
  "ünïcødé-名前",
  "a:b+c&d=e;f,g",
  "'quoted'",
  "x".repeat(MAX_ARM_NAME_LENGTH),
];

describe("incident and comment names", () => {
  it.each(goodNames)("%j works end to end: PUT, GET, comment, list comments, delete", async (name) => {
    const { emu, client } = await start();
    const c = client();
    const created = await c.createOrUpdateIncident(name, minimal);
    expect(created.name).toBe(name);
    expect(emu.sentinel.getIncident(name)?.properties.title).toBe("t");
    expect((await c.getIncident(name))?.name).toBe(name);
    const comment = await c.createIncidentComment(name, name, "a note");
    expect(comment.name).toBe(name);
    const comments = [];
    for await (const x of c.listIncidentComments(name)) comments.push(x);
    expect(comments.map((x) => x.properties.message)).toEqual(["a note"]);
    await c.deleteIncident(name);
    expect(await c.getIncident(name)).toBeUndefined();
  });

  it.each([
    ["", "is empty"],
    [" \t", "is empty"],
    ["a/b", 'contains "/"'],
    ["a\\b", 'contains "\\\\"'],
    ["a?b", 'contains "?"'],
    ["a#b", 'contains "#"'],
    ["a%2Fb", 'contains "%"'],
    ["a\nb", 'contains "\\n"'],
    ["a\u007fb", 'contains "\u007f"'],
    ["..", 'contains ".."'],
    ["a..b", 'contains ".."'],
    [".", 'ends with "."'],
    ["abc.", 'ends with "."'],
    ["x".repeat(MAX_ARM_NAME_LENGTH + 1), "is longer than 256 characters"],
  ])("%j is refused by the client (%s) and nothing is sent", async (name, problem) => {
    expect(armNameProblem(name)).toBe(problem);
    const { emu, client } = await start();
    const e = await caught(client().getIncident(name));
    expect(isInvalidArgumentError(e)).toBe(true);
    expect((e as Error).message).toContain(problem);
    expect(emu.stats().sentinel.requests).toBe(0);
  });

  it.each([
    ["a%5Cb", "\\"],
    ["a%25b", "%"],
    ["abc.", "."],
    ["a%0Ab", "\n"],
  ])("the emulator answers a raw %s with 400 InvalidResourceName", async (segment) => {
    const { emu, srv } = await start();
    const token = (await emu.credential.getToken("https://management.azure.com/.default"))!.token;
    const base =
      `${srv.sentinelEndpoint}/subscriptions/${srv.subscriptionId}/resourceGroups/${srv.resourceGroupName}` +
      `/providers/Microsoft.OperationalInsights/workspaces/${srv.workspaceName}/providers/Microsoft.SecurityInsights`;
    const res = await fetch(`${base}/incidents/${segment}?api-version=2025-09-01`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("InvalidResourceName");
  });
});

describe("workspace names", () => {
  it.each(["abc", "a-b", "W0rkspace-01", "w".repeat(90)])(
    "%s is accepted and works",
    async (workspaceName) => {
      const { emu, client } = await start();
      emu.addWorkspace({
        subscriptionId: emu.subscriptionId,
        resourceGroupName: emu.resourceGroupName,
        workspaceName,
      });
      const c = client({ workspaceName });
      await c.createOrUpdateIncident("first", minimal);
      expect((await c.getIncident("first"))?.properties.title).toBe("t");
    },
  );

  it.each(["ab", "a", "-abc", "abc-", "a_b", "a.b", "w".repeat(91)])("%s is refused", (workspaceName) => {
    let error: unknown;
    try {
      new SentinelClient(
        { getToken: async () => null },
        { subscriptionId: "d0cfe6b2-9ac0-4464-9919-dccaee2e48c0", resourceGroupName: "rg", workspaceName },
      );
    } catch (e) {
      error = e;
    }
    expect(isInvalidArgumentError(error)).toBe(true);
    expect((error as { argument: string }).argument).toBe("workspaceName");
  });
});

describe("404: a missing incident vs a missing workspace", () => {
  it("getIncident and deleteIncident treat only a missing incident as absent", async () => {
    const { client } = await start();
    const c = client();
    expect(await c.getIncident("never-created")).toBeUndefined();
    await expect(c.deleteIncident("never-created")).resolves.toBeUndefined();
  });

  it.each([
    ["workspace", { workspaceName: "goneWorkspace" }, "ResourceNotFound"],
    ["resource group", { resourceGroupName: "goneRg" }, "ResourceGroupNotFound"],
    ["subscription", { subscriptionId: "00000000-0000-0000-0000-000000000001" }, "SubscriptionNotFound"],
  ] as const)(
    "a missing %s is a NotFoundError (%s), for get and delete alike",
    async (_what, coords, code) => {
      const { client } = await start();
      const c = client(coords);
      for (const call of [() => c.getIncident("never-created"), () => c.deleteIncident("never-created")]) {
        const e = (await caught(call())) as HttpResponseError;
        expect(isNotFoundError(e)).toBe(true);
        expect(e.code).toBe(code);
      }
    },
  );

  it("the emulator words a missing workspace as ARM does", async () => {
    const { client } = await start();
    const e = (await caught(
      client({ workspaceName: "goneWorkspace" }).getIncident("x"),
    )) as HttpResponseError;
    expect((e.details as { error: { message: string } }).error.message).toBe(
      "The Resource 'Microsoft.OperationalInsights/workspaces/goneWorkspace' under resource group 'myRg' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    );
  });
});
