/**
 * The msw front end: one catch-all handler per origin of each route module (graph.microsoft.com,
 * management.azure.com, …). A "reset" fault becomes `HttpResponse.error()` (a network error).
 *
 * msw is an optional peer dependency: it is loaded only when `emulator.handlers` is read, so the loopback
 * server works in projects that do not install msw.
 */
import { createRequire } from "node:module";
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

export function createMswHandlers(origins: readonly string[], dispatch: Dispatcher): RequestHandler[] {
  const { http, HttpResponse } = loadMsw();
  return origins.map((origin) =>
    http.all(`${origin}/*`, async ({ request }) => {
      const result = await dispatch(request);
      if (result.reset) return HttpResponse.error();
      return result.response;
    }),
  );
}
