import type { PagedAsyncIterableIterator, PageSettings } from "@azure/core-paging";
import type { PagingOptions } from "./clientOptions";
import { InvalidArgumentError, PagingError, type ServiceName } from "./errors";

export type { PagedAsyncIterableIterator, PageSettings };

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page; undefined on the last page. */
  continuationToken?: string;
  /**
   * What the next request really is, for loop detection, when the token wraps more than a link (a cursor
   * holding a service nextLink). Defaults to `continuationToken`.
   */
  nextLinkKey?: string;
}

/** The paging guard's settings plus the service, for the error. */
export interface PagingGuardOptions extends PagingOptions {
  service?: ServiceName;
}

export const DEFAULT_MAX_CONSECUTIVE_EMPTY_PAGES = 10;

/**
 * A lazy iterator over pages: nothing is fetched until the caller iterates, and each page is fetched only
 * when the previous one has been consumed (memory bounded by one page, as the Azure guidelines ask).
 *
 * Every list method pages through here, so this is where a service's endless paging is stopped: a
 * next-page link already followed in this listing, or `maxConsecutiveEmptyPages` empty pages in a row that
 * still point onwards, end the listing with PagingError after the pages fetched so far were yielded.
 */
export function createPagedIterator<T>(
  getPage: (continuationToken: string | undefined) => Promise<Page<T>>,
  guard: PagingGuardOptions = {},
): PagedAsyncIterableIterator<T, T[], PageSettings> {
  const maxEmpty = guard.maxConsecutiveEmptyPages ?? DEFAULT_MAX_CONSECUTIVE_EMPTY_PAGES;
  if (!(Number.isInteger(maxEmpty) && maxEmpty >= 1) && maxEmpty !== Number.POSITIVE_INFINITY) {
    throw new InvalidArgumentError("pagingOptions.maxConsecutiveEmptyPages", "must be a positive integer");
  }
  async function* pages(settings?: PageSettings): AsyncIterableIterator<T[]> {
    let token = settings?.continuationToken;
    // Keys of the links followed so far: the resumed token counts as followed too.
    const followed = new Set<string>(token === undefined ? [] : [token]);
    let fetched = 0;
    let emptyRun = 0;
    do {
      const page = await getPage(token);
      fetched++;
      emptyRun = page.items.length === 0 ? emptyRun + 1 : 0;
      token = page.continuationToken;
      yield page.items;
      if (!token) return;
      const key = page.nextLinkKey ?? token;
      if (followed.has(key)) throw pagingError(guard.service, "repeatedLink", fetched);
      if (emptyRun >= maxEmpty) throw pagingError(guard.service, "emptyPages", fetched, maxEmpty);
      followed.add(key);
    } while (token);
  }
  async function* items(): AsyncIterableIterator<T> {
    for await (const page of pages()) yield* page;
  }
  const iter = items();
  return {
    next: () => iter.next(),
    [Symbol.asyncIterator]() {
      return this;
    },
    byPage: (settings?: PageSettings) => pages(settings),
  };
}

function pagingError(
  service: ServiceName | undefined,
  reason: PagingError["reason"],
  pages: number,
  maxEmpty?: number,
): PagingError {
  const why =
    reason === "repeatedLink"
      ? "the service sent a next-page link this listing had already followed (paging would loop forever)"
      : `the service returned ${maxEmpty} empty pages in a row, each with yet another next-page link ` +
        `(pagingOptions.maxConsecutiveEmptyPages is ${maxEmpty})`;
  return new PagingError({
    service,
    reason,
    pages,
    message: `${service ?? "Service"} listing stopped after ${pages} page(s): ${why}`,
  });
}
