import { describe, expect, it, vi } from "vitest";
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
