/**
 * The msw front end: one catch-all handler per origin of each route module (graph.microsoft.com,
 * management.azure.com, …). A "reset" fault becomes `HttpResponse.error()` (a network error).
 */
import { HttpResponse, http, type RequestHandler } from "msw";
import type { Dispatcher } from "./loopbackServer";

export function createMswHandlers(origins: readonly string[], dispatch: Dispatcher): RequestHandler[] {
  return origins.map((origin) =>
    http.all(`${origin}/*`, async ({ request }) => {
      const result = await dispatch(request);
      if (result.reset) return HttpResponse.error();
      return result.response;
    }),
  );
}
