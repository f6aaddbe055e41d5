/**
 * Starts Azurite (the Azure Storage emulator, a devDependency) on random loopback ports for a test file, in
 * memory, and stops it afterwards. Nothing has to be installed or started by hand.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
  blobEndpoint: string;
  tableEndpoint: string;
  /** A connection string for `TableClient.fromConnectionString` / `BlobServiceClient.fromConnectionString`. */
  connectionString: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const LISTENING =
  /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/127\.0\.0\.1:\d+)/;

export async function startAzurite(timeoutInMs = 30_000): Promise<Azurite> {
  const cwd = mkdtempSync(path.join(tmpdir(), "azurite-"));
  const bin = path.resolve(__dirname, "../../node_modules/.bin/azurite");
  const child = spawn(
    bin,
    [
      "--inMemoryPersistence",
      "--disableTelemetry",
      "--skipApiVersionCheck",
      "--loose",
      "--blobHost",
      "127.0.0.1",
      "--queueHost",
      "127.0.0.1",
      "--tableHost",
      "127.0.0.1",
      "--blobPort",
      "0",
      "--queuePort",
      "0",
      "--tablePort",
      "0",
    ],
    { cwd, stdio: ["ignore", "pipe", "pipe"] },
  );
  const endpoints: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Azurite did not start in time")), timeoutInMs);
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split("\n")) {
        const m = LISTENING.exec(line);
        if (m?.[1] && m[2]) endpoints[m[1]] = m[2];
      }
      if (endpoints.Blob && endpoints.Table) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code}`));
    });
  });
  const blobEndpoint = `${endpoints.Blob}/${AZURITE_ACCOUNT}`;
  const tableEndpoint = `${endpoints.Table}/${AZURITE_ACCOUNT}`;
  return {
    blobEndpoint,
    tableEndpoint,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
      `BlobEndpoint=${blobEndpoint};TableEndpoint=${tableEndpoint};`,
    process: child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
