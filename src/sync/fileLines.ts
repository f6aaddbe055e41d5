import { isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";

/** One line of a file, as bytes, with its exact byte position. */
export interface FileLine {
  bytes: Buffer;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** 1-based line number. */
  number: number;
  /** Whether a newline ends it (false only for the file's last line). */
  terminated: boolean;
}

const NEWLINE = 0x0a;

/**
 * Streams a file line by line. Offsets are counted in bytes, not decoded characters, so they stay exact even
 * when a damaged line holds invalid UTF-8 (a decoder would widen it to U+FFFD and shift every later offset).
 */
export async function* readFileLines(path: string): AsyncGenerator<FileLine> {
  let parts: Buffer[] = [];
  let offset = 0;
  let number = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      parts.push(chunk.subarray(start, nl));
      const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      parts = [];
      yield { bytes, offset, number: ++number, terminated: true };
      offset += bytes.length + 1;
      start = nl + 1;
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
  }
  if (parts.length > 0) {
    yield { bytes: Buffer.concat(parts), offset, number: ++number, terminated: false };
  }
}

/** Decodes a line, throwing on invalid UTF-8 instead of replacing it silently. */
export function decodeLine(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new TypeError("invalid UTF-8");
  return bytes.toString("utf8");
}
