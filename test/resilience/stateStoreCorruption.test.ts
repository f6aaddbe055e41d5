/**
 * A FileStateStore whose files are damaged must never load a partial ledger: the engine would then re-create
 * incidents it no longer knows about (a PUT without etag over an analyst's edits) and skip others. Only a torn
 * last log line is a normal crash artifact; it is cut and the file repaired. Everything else is refused with
 * StateStoreCorruptedError naming the file and line, and the files are left as they were for inspection.
 */
import { execFile } from "node:child_process";
import { appendFile, copyFile, mkdtemp, readFile, rm, truncate, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import {
  FileStateStore,
  isSyncSdkError,
  StateStoreCorruptedError,
  StateStoreLockedError,
  type SyncRecord,
} from "defender-sentinel-sync";
import { afterEach, describe, expect, it } from "vitest";
import { runToQuiescence, useSyncSetups, writeCounts } from "../helpers/engine";

const LOG = "records.log.jsonl";
const SNAPSHOT = "records.snapshot.jsonl";
const WATERMARKS = "watermarks.json";

const dirs: string[] = [];
const open: FileStateStore[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "dss-corrupt-"));
  dirs.push(d);
  return d;
}
/** A store closed after the test even when an assertion failed first. */
function store(dir: string, options?: ConstructorParameters<typeof FileStateStore>[1]): FileStateStore {
  const s = new FileStateStore(dir, options);
  open.push(s);
  return s;
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const rec = (i: number, defenderVersion = "a"): Omit<SyncRecord, "version"> => ({
  defenderId: String(i),
  sentinelName: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  link: "owned",
  defenderVersion,
  comments: [],
});

/** Writes records 1..n (and watermarks), closes the store. */
async function filled(dir: string, n: number, options?: { compactAfterLines?: number }): Promise<void> {
  const s = store(dir, options);
  for (let i = 1; i <= n; i++) await s.putRecord(rec(i), 0);
  for (let i = 1; i <= n; i++) await s.putRecord(rec(i, "b"), 1);
  await s.putWatermarks({ defender: "2026-01-01T00:00:00.0000000Z", cycles: 4 }, 0);
  await s.close();
}

/** 1-based number of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`no line contains ${needle}`);
  return index + 1;
}

async function expectCorrupt(dir: string, file: string, line?: number): Promise<StateStoreCorruptedError> {
  const s = store(dir);
  const error = await s.getWatermarks().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, String(error)).toBeInstanceOf(StateStoreCorruptedError);
  expect(isSyncSdkError(error)).toBe(true);
  const corrupted = error as StateStoreCorruptedError;
  expect(corrupted.file).toBe(join(dir, file));
  if (line !== undefined) expect(corrupted.line).toBe(line);
  expect(corrupted.message).toContain(file);
  // Refusing is sticky for the instance: every later call fails the same way, none reads a partial ledger.
  await expect(s.getRecord("1")).rejects.toMatchObject({ name: "StateStoreCorruptedError" });
  await expect(s.putRecord(rec(99), 0)).rejects.toMatchObject({ name: "StateStoreCorruptedError" });
  return corrupted;
}

/** Every file of the store, byte for byte. */
async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of [LOG, SNAPSHOT, WATERMARKS]) {
    out[f] = await readFile(join(dir, f), "latin1").catch(() => "<absent>");
  }
  return out;
}

describe("a crash mid-append", () => {
  it("cuts a torn last log line and repairs the file so the next append starts on a clean line", async () => {
    const dir = await tempDir();
    await filled(dir, 3);
    const before = await readFile(join(dir, LOG));
    await appendFile(join(dir, LOG), '{"k":"9","r":{"defenderId":"9","sentin');
    const s = store(dir);
    expect((await s.getRecord("3"))?.defenderVersion).toBe("b");
    expect(await s.getRecord("9")).toBeUndefined();
    // Repaired at load, before any append: the torn bytes are gone from the file.
    expect(await readFile(join(dir, LOG))).toEqual(before);
    await s.putRecord(rec(4), 0);
    await s.close();
    const again = store(dir);
    expect((await again.getRecord("4"))?.version).toBe(1);
    expect((await again.getRecord("1"))?.version).toBe(2);
  });
});

describe("damage a crash cannot explain is refused with StateStoreCorruptedError", () => {
  it("refuses a log torn in the middle, naming the file and line, and leaves the files untouched", async () => {
    const dir = await tempDir();
    await filled(dir, 5);
    const text = await readFile(join(dir, LOG), "utf8");
    const line = lineOf(text, '"k":"3"');
    const lines = text.split("\n");
    lines[line - 1] = lines[line - 1]!.slice(0, 25);
    await writeFile(join(dir, LOG), lines.join("\n"));
    const before = await contents(dir);
    await expectCorrupt(dir, LOG, line);
    expect(await contents(dir)).toEqual(before);
    // Still refused on the next start: nothing was "repaired" into a shorter ledger.
    await expectCorrupt(dir, LOG, line);
  });

  it("refuses a log line that is complete JSON of the wrong shape, even as the last line", async () => {
    const dir = await tempDir();
    await filled(dir, 2);
    await appendFile(
      join(dir, LOG),
      '{"k":"7","r":{"defenderId":"7","sentinelName":"x","link":"owned","comments":"none","version":1}}\n',
    );
    const text = await readFile(join(dir, LOG), "utf8");
    const error = await expectCorrupt(dir, LOG, lineOf(text, '"k":"7"'));
    expect(error.message).toMatch(/comments/);
  });

  it("refuses a record whose key does not match its defenderId", async () => {
    const dir = await tempDir();
    await filled(dir, 2);
    await appendFile(join(dir, LOG), `${JSON.stringify({ k: "8", r: { ...rec(7), version: 1 } })}\n`);
    const text = await readFile(join(dir, LOG), "utf8");
    await expectCorrupt(dir, LOG, lineOf(text, '"k":"8"'));
  });

  it("refuses a log that starts mid-history (its earlier lines were lost)", async () => {
    const dir = await tempDir();
    await filled(dir, 4);
    const text = await readFile(join(dir, LOG), "utf8");
    // Drop the version-1 line of record 2: its version-2 line no longer follows anything.
    const first = lineOf(text, '"k":"2"');
    const lines = text.split("\n");
    lines.splice(first - 1, 1);
    await writeFile(join(dir, LOG), lines.join("\n"));
    await expectCorrupt(dir, LOG, lineOf(lines.join("\n"), '"k":"2"'));
  });

  it("refuses to load without the snapshot a compaction wrote", async () => {
    const dir = await tempDir();
    await filled(dir, 30, { compactAfterLines: 5 });
    expect((await readFile(join(dir, SNAPSHOT), "utf8")).length).toBeGreaterThan(0);
    await rm(join(dir, SNAPSHOT));
    const before = await contents(dir);
    await expectCorrupt(dir, SNAPSHOT);
    // The refusal does not paper over the loss with a new empty snapshot.
    expect(await contents(dir)).toEqual(before);
    await expectCorrupt(dir, SNAPSHOT);
  });

  it("refuses a snapshot cut short", async () => {
    const dir = await tempDir();
    await filled(dir, 30, { compactAfterLines: 5 });
    const text = await readFile(join(dir, SNAPSHOT), "utf8");
    const cut = text.lastIndexOf("\n", text.length - 2);
    await truncate(join(dir, SNAPSHOT), Buffer.byteLength(text.slice(0, cut + 1)));
    await expectCorrupt(dir, SNAPSHOT);
  });

  it("refuses to load without the log once the store has written watermarks", async () => {
    const dir = await tempDir();
    await filled(dir, 3);
    await rm(join(dir, LOG));
    await expectCorrupt(dir, LOG);
  });

  it("refuses an unparsable watermarks file", async () => {
    const dir = await tempDir();
    await filled(dir, 2);
    await writeFile(join(dir, WATERMARKS), '{"defender":"2026-01-01T00:00:00.0000000Z","cyc');
    await expectCorrupt(dir, WATERMARKS);
  });

  it("refuses watermarks of the wrong shape", async () => {
    const dir = await tempDir();
    await filled(dir, 2);
    await writeFile(join(dir, WATERMARKS), '{"cycles":"four","version":1}');
    const error = await expectCorrupt(dir, WATERMARKS);
    expect(error.message).toMatch(/cycles/);
  });
});

describe("an interrupted compaction", () => {
  it("loads the new snapshot and ignores the old log it already contains, losing nothing", async () => {
    const dir = await tempDir();
    // 6 records, compaction once the log holds more than 6 + 6 lines: the 13th write triggers it.
    const a = store(dir, { compactAfterLines: 6 });
    for (let i = 1; i <= 6; i++) await a.putRecord(rec(i), 0);
    for (let i = 1; i <= 5; i++) await a.putRecord(rec(i, "b"), 1);
    await a.close();
    // The log as it was just before the write that triggers the next compaction …
    await copyFile(join(dir, LOG), join(dir, "old-log"));
    const b = store(dir, { compactAfterLines: 6 });
    await b.putRecord(rec(6, "b"), 1);
    await b.putRecord(rec(1, "c"), 2);
    await b.close();
    expect((await readFile(join(dir, SNAPSHOT), "utf8")).length).toBeGreaterThan(0);
    // … plus those writes: what a crash between the snapshot's rename and the log's reset leaves behind.
    const tail = [rec(6, "b"), rec(1, "c")]
      .map((r, i) => JSON.stringify({ k: r.defenderId, r: { ...r, version: i === 0 ? 2 : 3 } }))
      .join("\n");
    await writeFile(join(dir, LOG), `${await readFile(join(dir, "old-log"), "utf8")}${tail}\n`);
    const c = store(dir);
    expect((await c.getRecord("1"))?.version).toBe(3);
    expect((await c.getRecord("6"))?.defenderVersion).toBe("b");
    let n = 0;
    for await (const _ of c.listRecords()) n++;
    expect(n).toBe(6);
    await c.putRecord(rec(1, "d"), 3);
    await c.close();
    expect((await store(dir).getRecord("1"))?.defenderVersion).toBe("d");
  });
});

describe("one owner per directory", () => {
  it("refuses a second FileStateStore on the same directory in this process until the first closes", async () => {
    const dir = await tempDir();
    const a = store(dir);
    await a.putRecord(rec(1), 0);
    const b = store(dir);
    const error = await b.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, String(error)).toBeInstanceOf(StateStoreLockedError);
    expect((error as Error).message).toContain(dir);
    await expect(b.getRecord("1")).rejects.toMatchObject({ name: "StateStoreLockedError" });
    // Also through another spelling of the same path.
    await expect(store(`${dir}/./`).getRecord("1")).rejects.toMatchObject({ name: "StateStoreLockedError" });
    await a.close();
    // Closing releases the lock: the refused instance may try again.
    expect((await b.getRecord("1"))?.version).toBe(1);
  });

  it("takes over a lock file left by a process that died", async () => {
    const dir = await tempDir();
    const child = execFile(process.execPath, ["-e", ""]);
    const pid = child.pid!;
    await new Promise((resolve) => child.on("exit", resolve));
    await writeFile(join(dir, "lock"), JSON.stringify({ pid, host: hostname(), token: "dead" }));
    const s = store(dir);
    await s.putRecord(rec(1), 0);
    expect(await readFile(join(dir, "lock"), "utf8")).toContain(String(process.pid));
  });

  it("takes over a lock file this process id left in an earlier life (container restart)", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "lock"), JSON.stringify({ pid: process.pid, host: hostname(), token: "old" }));
    await store(dir).putRecord(rec(1), 0);
  });

  it("respects a lock of another host until its lease runs out", async () => {
    const dir = await tempDir();
    const lock = join(dir, "lock");
    await writeFile(lock, JSON.stringify({ pid: 1, host: "another-host.invalid", token: "t" }));
    await expect(store(dir, { lockLeaseInMs: 60_000 }).open()).rejects.toMatchObject({
      name: "StateStoreLockedError",
    });
    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    await store(dir, { lockLeaseInMs: 60_000 }).putRecord(rec(1), 0);
  });

  it("stops writing once another owner took its lock over", async () => {
    const dir = await tempDir();
    const s = store(dir, { lockLeaseInMs: 200 });
    await s.putRecord(rec(1), 0);
    await writeFile(join(dir, "lock"), JSON.stringify({ pid: 1, host: "another-host.invalid", token: "x" }));
    await expect
      .poll(
        () =>
          s.putRecord(rec(2), 0).then(
            () => "written",
            (e: Error) => e.name,
          ),
        { timeout: 3_000 },
      )
      .toBe("StateStoreLockedError");
  });

  it("removes its lock file on close", async () => {
    const dir = await tempDir();
    const s = store(dir);
    await s.open();
    expect(JSON.parse(await readFile(join(dir, "lock"), "utf8"))).toMatchObject({ pid: process.pid });
    await s.close();
    await expect(readFile(join(dir, "lock"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("SyncEngine over a corrupted state directory", () => {
  const setup = useSyncSetups();

  const damage: Record<string, { compactAfterLines: number; corrupt: (dir: string) => Promise<void> }> = {
    "missing snapshot": { compactAfterLines: 2, corrupt: (dir) => rm(join(dir, SNAPSHOT)) },
    "log torn mid-file": {
      compactAfterLines: 1_000_000,
      corrupt: async (dir) => {
        const lines = (await readFile(join(dir, LOG), "utf8")).split("\n");
        lines[2] = lines[2]!.slice(0, 20);
        await writeFile(join(dir, LOG), lines.join("\n"));
      },
    },
  };

  it("raises no false alarm: a ledger the engine wrote (owned and connector pairs, closures, comments) reloads", async () => {
    const dir = await tempDir();
    const first = new FileStateStore(dir, { compactAfterLines: 5 });
    const t = await setup({ incidents: 24, seed: 41, store: first, emulator: { connectorCopies: 0.3 } });
    await runToQuiescence(t.engine);
    const [a, b] = t.emu.defender.listIncidents();
    t.emu.defender.addComment(a!.id, "Checked with the device owner");
    t.emu.defender.editIncident(b!.id, {
      status: "resolved",
      classification: "falsePositive",
      determination: "notMalicious",
    });
    await runToQuiescence(t.engine);
    const written: SyncRecord[] = [];
    for await (const r of first.listRecords()) written.push(r);
    await first.close();
    expect(written.some((r) => r.link === "connector")).toBe(true);
    expect(written.some((r) => r.comments.length > 0)).toBe(true);
    const reopened = store(dir);
    const read: SyncRecord[] = [];
    for await (const r of reopened.listRecords()) read.push(r);
    const byId = (x: SyncRecord, y: SyncRecord) => x.defenderId.localeCompare(y.defenderId);
    expect(read.sort(byId)).toEqual(written.sort(byId));
    const again = await t.restart({ stateStore: reopened }).runOnce();
    expect(again.writes).toEqual({ defender: 0, sentinel: 0 });
  });

  for (const [kind, { compactAfterLines, corrupt }] of Object.entries(damage)) {
    it(`stops the cycle before any request on a ${kind}, keeping an analyst's Sentinel edit`, async () => {
      const dir = await tempDir();
      const first = new FileStateStore(dir, { compactAfterLines });
      const t = await setup({ incidents: 6, seed: 23, store: first });
      await t.engine.runOnce();
      await t.engine.runOnce();
      const someRecord = (await first.getRecord(t.emu.defender.listIncidents()[0]!.id))!;
      await first.close();
      await corrupt(dir);

      t.emu.sentinel.editIncident(someRecord.sentinelName, { title: "Edited by an analyst" });
      const writesBefore = writeCounts(t.emu);
      const stats = t.emu.stats();
      const requestsBefore = stats.defender.requests + stats.sentinel.requests;

      const engine = t.restart({ stateStore: store(dir) });
      const failed: unknown[] = [];
      engine.on("cycle.failed", (event) => failed.push(event.error));
      const error = await engine.runOnce().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, String(error)).toBeInstanceOf(StateStoreCorruptedError);
      expect(failed).toEqual([error]);
      expect(writeCounts(t.emu)).toEqual(writesBefore);
      const after = t.emu.stats();
      expect(after.defender.requests + after.sentinel.requests).toBe(requestsBefore);
      expect(t.emu.sentinel.getIncident(someRecord.sentinelName)?.properties.title).toBe(
        "Edited by an analyst",
      );
      // The next cycle is refused the same way: the engine never runs on a partial ledger.
      await expect(engine.runOnce()).rejects.toMatchObject({ name: "StateStoreCorruptedError" });
      expect(writeCounts(t.emu)).toEqual(writesBefore);
    });
  }
});
