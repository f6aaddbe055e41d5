import { describe, expect, it, vi } from "vitest";
import { isPagingError, isSyncSdkError, PagingError } from "../../src/core/errors";
import { createPagedIterator, type Page } from "../../src/core/paging";

function threePages() {
  const pages: Record<string, Page<number>> = {
    start: { items: [1, 2], continuationToken: "p2" },
    p2: { items: [3], continuationToken: "p3" },
    p3: { items: [4, 5] },
  };
  return vi.fn(async (token: string | undefined) => pages[token ?? "start"]!);
}

describe("createPagedIterator", () => {
  it("fetches nothing until iterated, then one page at a time", async () => {
    const getPage = threePages();
    const iter = createPagedIterator(getPage);
    expect(getPage).not.toHaveBeenCalled();
    expect((await iter.next()).value).toBe(1);
    expect(getPage).toHaveBeenCalledTimes(1);
    expect((await iter.next()).value).toBe(2);
    expect(getPage).toHaveBeenCalledTimes(1);
    expect((await iter.next()).value).toBe(3);
    expect(getPage).toHaveBeenCalledTimes(2);
  });

  it("iterates every item to the last page and stops", async () => {
    const getPage = threePages();
    const items: number[] = [];
    for await (const item of createPagedIterator(getPage)) items.push(item);
    expect(items).toEqual([1, 2, 3, 4, 5]);
    expect(getPage.mock.calls.map((c) => c[0])).toEqual([undefined, "p2", "p3"]);
  });

  it("byPage resumes from a continuation token", async () => {
    const getPage = threePages();
    const pages: number[][] = [];
    for await (const page of createPagedIterator(getPage).byPage({ continuationToken: "p2" }))
      pages.push(page);
    expect(pages).toEqual([[3], [4, 5]]);
  });

  it("propagates a page error to the caller", async () => {
    const iter = createPagedIterator<number>(async (token) => {
      if (token) throw new Error("page 2 failed");
      return { items: [1], continuationToken: "next" };
    });
    await expect(iter.next()).resolves.toEqual({ value: 1, done: false });
    await expect(iter.next()).rejects.toThrow("page 2 failed");
  });
});

describe("createPagedIterator's guard against endless paging", () => {
  async function drain<T>(iter: AsyncIterable<T[]>): Promise<{ pages: T[][]; error: unknown }> {
    const pages: T[][] = [];
    try {
      for await (const page of iter) {
        pages.push(page);
        if (pages.length > 100) throw new Error("ran away");
      }
    } catch (error) {
      return { pages, error };
    }
    return { pages, error: undefined };
  }

  it("stops at a token already followed, after yielding the page that sent it", async () => {
    const next: Record<string, string> = { start: "a", a: "b", b: "a" };
    const getPage = vi.fn(async (t: string | undefined) => ({
      items: [t ?? "start"],
      continuationToken: next[t ?? "start"],
    }));
    const { pages, error } = await drain(createPagedIterator(getPage, { service: "sentinel" }).byPage());
    expect(pages).toEqual([["start"], ["a"], ["b"]]);
    expect(error).toBeInstanceOf(PagingError);
    expect(error).toMatchObject({
      name: "PagingError",
      reason: "repeatedLink",
      pages: 3,
      service: "sentinel",
    });
    expect(isPagingError(error)).toBe(true);
    expect(isSyncSdkError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^sentinel listing stopped after 3 page\(s\)/);
  });

  it("compares nextLinkKey, not the token, when a page gives one", async () => {
    let n = 0;
    const getPage = async () => ({
      items: [++n],
      continuationToken: `cursor-${n}`,
      nextLinkKey: "same-link",
    });
    const { pages, error } = await drain(createPagedIterator(getPage).byPage());
    expect(pages).toEqual([[1], [2]]);
    expect(isPagingError(error) && error.reason).toBe("repeatedLink");
  });

  it("counts a resumed continuation token as followed", async () => {
    const getPage = async (t: string | undefined) => ({ items: [t], continuationToken: "p2" });
    const { pages, error } = await drain(createPagedIterator(getPage).byPage({ continuationToken: "p2" }));
    expect(pages).toEqual([["p2"]]);
    expect(isPagingError(error)).toBe(true);
  });

  it("stops after maxConsecutiveEmptyPages empty pages in a row; a full page resets the count", async () => {
    let n = 0;
    const full = new Set([3, 6]);
    const getPage = async () => {
      n++;
      return { items: full.has(n) ? [n] : [], continuationToken: `t${n}` };
    };
    const { pages, error } = await drain(
      createPagedIterator(getPage, { maxConsecutiveEmptyPages: 3 }).byPage(),
    );
    // 1 2 [3] 4 5 [6] 7 8 9 → three empty in a row at page 9.
    expect(pages).toHaveLength(9);
    expect(error).toMatchObject({ reason: "emptyPages", pages: 9 });
    expect((error as Error).message).toContain("maxConsecutiveEmptyPages is 3");
  });

  it("an empty last page is fine, and Infinity turns the empty-page bound off", async () => {
    expect((await drain(createPagedIterator(async () => ({ items: [] })).byPage())).error).toBeUndefined();
    let n = 0;
    const getPage = async () => ({ items: [], continuationToken: ++n < 50 ? `t${n}` : undefined });
    const { pages, error } = await drain(
      createPagedIterator(getPage, { maxConsecutiveEmptyPages: Number.POSITIVE_INFINITY }).byPage(),
    );
    expect(error).toBeUndefined();
    expect(pages).toHaveLength(50);
  });

  it("refuses a bound that is not a positive integer", () => {
    for (const bad of [0, -1, 2.5, Number.NaN]) {
      expect(() =>
        createPagedIterator(async () => ({ items: [] }), { maxConsecutiveEmptyPages: bad }),
      ).toThrow(/maxConsecutiveEmptyPages/);
    }
  });
});
