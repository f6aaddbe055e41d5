import type { PagedAsyncIterableIterator, PageSettings } from "@azure/core-paging";

export type { PagedAsyncIterableIterator, PageSettings };

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page; undefined on the last page. */
  continuationToken?: string;
}

/**
 * A lazy iterator over pages: nothing is fetched until the caller iterates, and each page is fetched only
 * when the previous one has been consumed (memory bounded by one page, as the Azure guidelines ask).
 */
export function createPagedIterator<T>(
  getPage: (continuationToken: string | undefined) => Promise<Page<T>>,
): PagedAsyncIterableIterator<T, T[], PageSettings> {
  async function* pages(settings?: PageSettings): AsyncIterableIterator<T[]> {
    let token = settings?.continuationToken;
    do {
      const page = await getPage(token);
      token = page.continuationToken;
      yield page.items;
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
