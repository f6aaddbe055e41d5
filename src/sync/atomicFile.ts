import { type FileHandle, open, rename } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Replaces `path` as a whole: `write` fills a temp file, which is synced and renamed over `path`, and the
 * directory is synced so that the rename itself survives a power loss. A crash leaves either the old file or
 * the new one, never half of one (without the sync before the rename, some file systems may keep the new name
 * with empty contents).
 */
export async function replaceFile(path: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, "w");
  try {
    await write(handle);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await syncDirectory(dirname(path));
}

/** {@link replaceFile} with fixed contents. */
export function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  return replaceFile(path, async (handle) => {
    await handle.writeFile(data);
  });
}

/** Makes renames in `directory` durable (POSIX). Windows cannot open a directory and needs no such step. */
export async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, "r");
    await handle.sync();
  } catch {
    // Best effort: not supported on this platform or file system.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
