// Listing every page of a gax list call, one call (and one quota charge) per page, so the count
// of calls stays honest.

/** What a gax list call answers with autoPaginate off: the page and the request for the next one. */
type Page<T> = [T[], { pageToken?: string | null } | null | undefined, ...unknown[]];

export async function listAllPages<T>(fetchPage: (pageToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let pageToken: string | undefined;
  do {
    const [items, next] = await fetchPage(pageToken);
    all.push(...items);
    pageToken = next?.pageToken || undefined;
  } while (pageToken);
  return all;
}
