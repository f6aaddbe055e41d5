import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { FileStateStore, InMemoryStateStore } from "defender-sentinel-sync";
import { durableStateStoreContract, stateStoreContract } from "defender-sentinel-sync/testing";
import { afterEach, describe, expect, it } from "vitest";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "dss-state-"));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("InMemoryStateStore contract", () => {
  for (const c of stateStoreContract(() => new InMemoryStateStore())) it(c.name, c.run);
});

describe("FileStateStore contract", () => {
  for (const c of stateStoreContract(async () => new FileStateStore(await tempDir()))) it(c.name, c.run);
  let dir = "";
  for (const c of durableStateStoreContract(async () => {
    dir ||= await tempDir();
    return new FileStateStore(dir);
  })) {
    it(c.name, c.run);
  }
});

describe("FileStateStore durability", () => {
  it("appends one log line per write instead of rewriting a file", async () => {
    const dir = await tempDir();
    const store = new FileStateStore(dir, { compactAfterLines: 1_000_000 });
    const rec = (i: number) => ({
      defenderId: String(i),
      sentinelName: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      link: "owned" as const,
      comments: [],
    });
    for (let i = 0; i < 200; i++) await store.putRecord(rec(i), 0);
    const sizeBefore = (await stat(join(dir, "records.log.jsonl"))).size;
    await store.putRecord(rec(500), 0);
    const sizeAfter = (await stat(join(dir, "records.log.jsonl"))).size;
    const lineLength = JSON.stringify({ k: "500", r: { ...rec(500), version: 1 } }).length + 1;
    expect(sizeAfter - sizeBefore).toBe(lineLength);
    await store.close();
  });

  it("compacts the log into a snapshot via temp file + rename and keeps every record", async () => {
    const dir = await tempDir();
    const store = new FileStateStore(dir, { compactAfterLines: 50 });
    const rec = (i: number, v: string) => ({
      defenderId: String(i),
      sentinelName: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      link: "owned" as const,
      defenderVersion: v,
      comments: [],
    });
    for (let i = 0; i < 120; i++) await store.putRecord(rec(i, "a"), 0);
    // Updates make the log longer than the record count: that waste is what compaction removes.
    for (let i = 0; i < 120; i++) await store.putRecord(rec(i, "b"), 1);
    await store.close();
    const files = await readdir(dir);
    expect(files).toContain("records.snapshot.jsonl");
    expect(files.some((f) => f.endsWith(".tmp"))).toBe(false);
    const snapshotLines = (await readFile(join(dir, "records.snapshot.jsonl"), "utf8"))
      .trim()
      .split("\n").length;
    expect(snapshotLines).toBeGreaterThan(50);
    const reopened = new FileStateStore(dir);
    let n = 0;
    for await (const r of reopened.listRecords()) {
      n++;
      expect(r).toMatchObject({ defenderVersion: "b", version: 2 });
    }
    expect(n).toBe(120);
    await reopened.close();
  });

  it("refuses a directory whose lock a live process refreshes, and takes it over once refreshing stopped", async () => {
    const dir = await tempDir();
    const lock = join(dir, "lock");
    // The parent process is alive and is not this one.
    await writeFile(lock, JSON.stringify({ pid: process.ppid, host: hostname(), token: "t" }));
    const b = new FileStateStore(dir, { lockLeaseInMs: 60_000 });
    await expect(b.getWatermarks()).rejects.toMatchObject({ name: "StateStoreLockedError", directory: dir });
    expect(JSON.parse(await readFile(lock, "utf8"))).toMatchObject({ pid: process.ppid });
    // Not refreshed for a whole lease: that pid now belongs to another program, the owner is gone.
    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    expect((await b.getWatermarks()).version).toBe(0);
    expect(JSON.parse(await readFile(lock, "utf8"))).toMatchObject({ pid: process.pid });
    await b.close();
  });

  it("is closed for good after close(): later calls throw instead of touching closed files", async () => {
    const dir = await tempDir();
    const s = new FileStateStore(dir);
    await s.putRecord(
      { defenderId: "1", sentinelName: "00000000-0000-4000-8000-000000000001", link: "owned", comments: [] },
      0,
    );
    await s.close();
    await expect(s.getRecord("1")).rejects.toMatchObject({ name: "SyncSdkError", message: /closed/ });
    await s.close(); // idempotent
  });
});

describe("FileStateStore compact records", () => {
  it("round-trips merge bases that differ in a few fields", async () => {
    const dir = await tempDir();
    const base = {
      title: "T",
      description: "sha256:abc",
      severity: "high" as const,
      status: "closed" as const,
      classification: "falsePositive" as const,
      classificationDetail: "notMalicious",
      closingComment: undefined,
      owner: "a@b.c",
      tags: ["x"],
      redirectTarget: undefined,
    };
    const record = {
      defenderId: "9",
      sentinelName: "00000000-0000-4000-8000-000000000009",
      link: "owned" as const,
      baseDefender: base,
      baseSentinel: { ...base, classificationDetail: "InaccurateData", owner: undefined, tags: [] },
      comments: [],
    };
    const a = new FileStateStore(dir);
    await a.putRecord(record, 0);
    const read = await a.getRecord("9");
    expect(read?.baseSentinel).toEqual({
      ...base,
      classificationDetail: "InaccurateData",
      owner: undefined,
      tags: [],
    });
    expect(read?.baseDefender).toEqual(base);
    await a.close();
    const b = new FileStateStore(dir);
    expect((await b.getRecord("9"))?.baseSentinel?.classificationDetail).toBe("InaccurateData");
    await b.close();
  });

  it("keeps a field the Sentinel base lacks absent, rather than borrowing the Defender base's value", async () => {
    const dir = await tempDir();
    const base = {
      title: "T",
      description: "d",
      severity: "low" as const,
      status: "active" as const,
      classification: "undetermined" as const,
      owner: "a@b.c",
      tags: [],
    };
    const { owner: _, ...withoutOwner } = base;
    const a = new FileStateStore(dir);
    await a.putRecord(
      {
        defenderId: "9",
        sentinelName: "00000000-0000-4000-8000-000000000009",
        link: "owned",
        baseDefender: base as never,
        baseSentinel: withoutOwner as never,
        comments: [],
      },
      0,
    );
    await a.close();
    const b = new FileStateStore(dir);
    const read = await b.getRecord("9");
    expect(read?.baseSentinel).not.toHaveProperty("owner");
    expect(read?.baseDefender?.owner).toBe("a@b.c");
    await b.close();
  });
});
