// Jobs API 2.2 returns at most 100 elements per array in jobs/get and runs/get, with a top-level
// next_page_token; the SDK mixins fetch the remaining pages and concatenate the arrays (api-notes §2).

/** Fetches follow-up pages of one object and appends their arrays to `first`; drops the page token. */
export async function mergeObjectPages<T extends { next_page_token?: string }>(
  first: T,
  fetchPage: (pageToken: string) => Promise<T>,
  arraysOf: (object: T) => Record<string, unknown[] | undefined>,
  setArray: (object: T, key: string, values: unknown[]) => void,
): Promise<T> {
  const seen = new Set<string>();
  let token = first.next_page_token;
  while (token !== undefined && token !== '' && !seen.has(token)) {
    seen.add(token);
    const page = await fetchPage(token);
    const target = arraysOf(first);
    for (const [key, values] of Object.entries(arraysOf(page))) {
      if (values === undefined || values.length === 0) continue;
      setArray(first, key, [...(target[key] ?? []), ...values]);
    }
    token = page.next_page_token;
  }
  delete first.next_page_token;
  return first;
}
