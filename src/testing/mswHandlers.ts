/**
 * The msw front end: one catch-all handler per origin of each route module (graph.microsoft.com,
 * management.azure.com, …). A "reset" fault throws a Node-style `ECONNRESET` error from the handler: msw
 * hands such an error (one with `code` and `errno`) to the client as the request's error, as a dropped
 * connection would. `HttpResponse.error()` would give a code-less `TypeError`, which Azure clients do not
 * retry. msw 2.x logs each such error to stderr as an "unhandled exception"; the stack is kept to one line.
 *
 * msw is an optional peer dependency: it is loaded only when `emulator.handlers` is read, so the loopback
 * server works in projects that do not install msw.
 */
import { createRequire } from "node:module";
import { constants } from "node:os";
import type { RequestHandler } from "msw";
import { InvalidArgumentError } from "../core/errors";
import type { Dispatcher } from "./loopbackServer";

type Msw = typeof import("msw");

let msw: Msw | undefined;

function loadMsw(): Msw {
  if (msw) return msw;
  try {
    msw = createRequire(import.meta.url)("msw") as Msw;
  } catch {
    throw new InvalidArgumentError(
      "handlers",
      "needs the optional peer dependency msw (npm i -D msw); the loopback server (listen()) works without it",
    );
  }
  return msw;
}

/**
 * What Node's HTTP client reports when the server drops the connection before answering. `code` and `errno`
 * are not enumerable so msw's log of it stays one line.
 */
function connectionResetError(method: string, url: string): Error {
  const error = new Error("socket hang up (connection reset injected by the emulator)");
  Object.defineProperties(error, {
    code: { value: "ECONNRESET" },
    errno: { value: -constants.errno.ECONNRESET },
    syscall: { value: "read" },
    stack: { value: `Error: socket hang up (emulator: injected connection reset of ${method} ${url})` },
  });
  return error;
}

export function createMswHandlers(origins: readonly string[], dispatch: Dispatcher): RequestHandler[] {
  const { http } = loadMsw();
  return origins.map((origin) =>
    http.all(`${origin}/*`, async ({ request }) => {
      const result = await dispatch(request);
      if (result.reset) throw connectionResetError(request.method, new URL(request.url).pathname);
      return result.response;
    }),
  );
}
