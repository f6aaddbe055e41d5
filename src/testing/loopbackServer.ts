/**
 * The loopback HTTP front end: a node:http (or node:https) server bound to 127.0.0.1 that turns each request
 * into a Fetch `Request`, lets the emulator core answer, and writes the `Response` back. A "reset" fault
 * destroys the socket without an answer.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface DispatchResult {
  response: Response;
  /** Drop the connection instead of answering. */
  reset?: boolean;
}

export type Dispatcher = (request: Request) => Promise<DispatchResult>;

/** Serve HTTPS with this PEM key and certificate. */
export interface LoopbackTls {
  key: string;
  cert: string;
}

export interface LoopbackServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` (`https://` when started with TLS) */
  readonly origin: string;
  close(): Promise<void>;
}

const SKIPPED_HEADERS = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
  "expect",
]);

function toRequest(req: IncomingMessage, body: Buffer, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || SKIPPED_HEADERS.has(name)) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = (req.method ?? "GET").toUpperCase();
  const hasBody = body.length > 0 && method !== "GET" && method !== "HEAD";
  const host = req.headers.host;
  const scheme = origin.slice(0, origin.indexOf(":"));
  return new Request(`${host ? `${scheme}://${host}` : origin}${req.url ?? "/"}`, {
    method,
    headers,
    body: hasBody ? new Uint8Array(body) : undefined,
  });
}

/** Starts the server on 127.0.0.1 (never on other interfaces), over TLS when `tls` is given. */
export async function startLoopbackServer(
  dispatch: Dispatcher,
  port = 0,
  tls?: LoopbackTls,
): Promise<LoopbackServer> {
  let origin = "";
  const listener: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      void (async () => {
        try {
          const result = await dispatch(toRequest(req, Buffer.concat(chunks), origin));
          if (result.reset) {
            req.socket.destroy();
            return;
          }
          const r = result.response;
          const payload = Buffer.from(await r.arrayBuffer());
          res.statusCode = r.status;
          r.headers.forEach((value, name) => {
            if (name !== "content-length") res.setHeader(name, value);
          });
          res.setHeader("content-length", payload.length);
          res.end(payload);
        } catch (e) {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          const message = e instanceof Error ? e.message : String(e);
          res.statusCode = 500;
          res.setHeader("content-type", "application/json; charset=utf-8");
          res.end(
            JSON.stringify({
              error: { code: "InternalServerError", message: `Emulator failure: ${message}` },
            }),
          );
        }
      })();
    });
  };
  const server: Server = tls ? createHttpsServer(tls, listener) : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  origin = `${tls ? "https" : "http"}://127.0.0.1:${address.port}`;
  let closed: Promise<void> | undefined;
  return {
    port: address.port,
    origin,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
