import { type Client, type QueryOptions, type types } from 'cassandra-driver';

/**
 * Every row a query matches, page by page: a single execute returns only its
 * first `fetchSize` rows, and a busy partition holds more than that.
 */
export async function forEachRow(
  client: Client,
  cql: string,
  params: unknown[],
  options: QueryOptions & { readonly fetchSize: number },
  onRow: (row: types.Row) => void,
): Promise<void> {
  let pageState: string | undefined;
  do {
    const page = await client.execute(cql, params, { ...options, pageState });
    for (const row of page.rows) onRow(row);
    pageState = page.pageState ?? undefined;
  } while (pageState);
}
