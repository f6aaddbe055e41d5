/**
 * One owner per state directory. Within a process a registry refuses a second store on the same (real) path;
 * across processes a lock file names its owner (pid, host, random token):
 * - on the same host, a lock whose process is gone (or that names this very pid without this process holding
 *   it: an earlier life, e.g. a restarted container) is taken over at once;
 * - otherwise the owner refreshes the file's mtime every quarter lease, and a lock not refreshed for a whole lease
 *   is taken over (its owner died on another host, or its pid was reused).
 * An owner that finds its token replaced stops: every later use throws StateStoreLockedError.
 */
import { randomUUID } from "node:crypto";
import { link, readFile, realpath, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { StateStoreLockedError } from "../core/errors";
import { LOCK_FILE } from "./fileStateFormat";

interface LockInfo {
  pid: number;
  host: string;
  token: string;
}

// On globalThis so that two copies of the package in one process (ESM and CJS) share it.
const registryKey = Symbol.for("defender-sentinel-sync.stateDirectoryLocks");
const held: Set<string> = ((globalThis as Record<symbol, unknown>)[registryKey] ??=
  new Set<string>()) as Set<string>;

const HOST = hostname();

export class DirectoryLock {
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  private lostTo: LockInfo | "removed" | undefined;
  private readonly info: LockInfo = { pid: process.pid, host: HOST, token: randomUUID() };

  private constructor(
    private readonly directory: string,
    private readonly key: string,
    private readonly path: string,
    private readonly leaseInMs: number,
  ) {}

  /** Takes the lock of an existing directory or throws StateStoreLockedError. */
  static async acquire(directory: string, leaseInMs: number): Promise<DirectoryLock> {
    const key = await realpath(directory);
    if (held.has(key)) {
      throw new StateStoreLockedError(
        directory,
        "is already open in this process (another FileStateStore); close that one first",
      );
    }
    held.add(key);
    const lock = new DirectoryLock(directory, key, join(key, LOCK_FILE), leaseInMs);
    try {
      await lock.take();
    } catch (e) {
      held.delete(key);
      throw e;
    }
    lock.timer = setInterval(() => void lock.beat(), Math.max(10, Math.floor(leaseInMs / 4)));
    lock.timer.unref();
    return lock;
  }

  /** Throws when another owner took the lock over (this store must not write any more). */
  assertHeld(): void {
    if (!this.lostTo) return;
    const by =
      this.lostTo === "removed"
        ? "its lock file was removed"
        : `taken over by process ${this.lostTo.pid} on ${this.lostTo.host}`;
    throw new StateStoreLockedError(this.directory, `was ${by}; this store stopped`);
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    held.delete(this.key);
    const current = await readLock(this.path).catch(() => undefined);
    if (current?.info?.token === this.info.token) await rm(this.path, { force: true });
  }

  private async take(): Promise<void> {
    // Twice: a stale lock is removed, then created again (losing that race to another process is an error).
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await createExclusive(this.path, JSON.stringify(this.info))) return;
      const current = await readLock(this.path);
      if (!current) continue;
      if (!isStale(current, this.leaseInMs)) {
        const owner = current.info
          ? `process ${current.info.pid} on ${current.info.host}`
          : "another process";
        throw new StateStoreLockedError(this.directory, `is in use by ${owner} (lock file ${this.path})`);
      }
      await rm(this.path, { force: true });
    }
    throw new StateStoreLockedError(this.directory, "is being opened by another process at the same time");
  }

  private async beat(): Promise<void> {
    if (this.beating || this.lostTo) return;
    this.beating = true;
    try {
      const current = await readLock(this.path);
      if (current?.info?.token !== this.info.token) {
        this.lostTo = current?.info ?? "removed";
        clearInterval(this.timer);
        return;
      }
      const now = new Date();
      await utimes(this.path, now, now);
    } catch {
      // A transient file system error: the next beat tries again (the lease allows three misses).
    } finally {
      this.beating = false;
    }
  }
}

/** Creates the lock file with its full contents at once, or returns false if it exists. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, content);
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if (code(e) === "EEXIST") return false;
    // No hard links on this file system: an exclusive create (not atomic with its contents).
    return writeFile(path, content, { flag: "wx" }).then(
      () => true,
      (e2: unknown) => {
        if (code(e2) === "EEXIST") return false;
        throw e2;
      },
    );
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The lock file's owner (undefined if unreadable) and age; `undefined` if there is no lock file. */
async function readLock(path: string): Promise<{ info: LockInfo | undefined; mtimeMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    return { info: parseInfo(text), mtimeMs: st.mtimeMs };
  } catch (e) {
    if (code(e) === "ENOENT") return undefined;
    throw e;
  }
}

function parseInfo(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    // A bare pid: the format of earlier versions, always written on this host.
    if (typeof value === "number" && Number.isInteger(value)) return { pid: value, host: HOST, token: "" };
    const v = value as Partial<LockInfo>;
    if (Number.isInteger(v.pid) && typeof v.host === "string" && typeof v.token === "string")
      return v as LockInfo;
  } catch {
    // Not JSON: judged by its age alone.
  }
  return undefined;
}

function isStale(lock: { info: LockInfo | undefined; mtimeMs: number }, leaseInMs: number): boolean {
  const { info } = lock;
  // This process does not hold it (the registry said so): an earlier process with the same pid left it.
  if (info?.host === HOST && (info.pid === process.pid || !isAlive(info.pid))) return true;
  return Date.now() - lock.mtimeMs > leaseInMs;
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false; // 0 and negatives would address process groups.
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return code(e) === "EPERM"; // It exists, owned by another user.
  }
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}
