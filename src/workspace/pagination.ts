// Iterating list endpoints. Token style (page_token → next_page_token) is what every current list call uses;
// the offset style (offset + limit, has_more) is kept for jobs/list and runs/list callers that still need it.

/** One page as the list endpoints return it. */
export interface TokenPage {
  next_page_token?: string;
  has_more?: boolean;
}

/**
 * Yields every item of every page. Stops when the next token is absent or empty, when the server says
 * `has_more: false`, or if a token repeats (a server bug would otherwise loop forever).
 */
export async function* paginate<Page extends TokenPage, Item>(
  fetchPage: (pageToken: string | undefined) => Promise<Page>,
  itemsOf: (page: Page) => readonly Item[] | undefined,
): AsyncGenerator<Item, void, undefined> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage(token);
    yield* itemsOf(page) ?? [];
    const next = page.next_page_token;
    if (next === undefined || next === '' || page.has_more === false || seen.has(next)) return;
    seen.add(next);
    token = next;
  }
}

/** Offset-style pages (deprecated by Databricks since June 2023, still accepted by jobs/list and runs/list). */
export async function* paginateByOffset<Page extends { has_more?: boolean }, Item>(
  fetchPage: (offset: number) => Promise<Page>,
  itemsOf: (page: Page) => readonly Item[] | undefined,
): AsyncGenerator<Item, void, undefined> {
  let offset = 0;
  for (;;) {
    const page = await fetchPage(offset);
    const items = itemsOf(page) ?? [];
    yield* items;
    if (page.has_more !== true || items.length === 0) return;
    offset += items.length;
  }
}

/** Collects an async iterable into an array (Array.fromAsync is not in our ES2023 lib). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
