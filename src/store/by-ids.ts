import { type AnyColumn, type SQL, sql } from 'drizzle-orm';

/** A prepared statement as drizzle makes it: run with its placeholders' values. */
interface Prepared<Row> {
  execute(values: Record<string, unknown>): Promise<Row[]>;
}

/**
 * Reads by a batch of uuids in `column` with two prepared statements: `= $1` for a batch of one (a point
 * read's), `= any($1)` for more. PostgreSQL's generic plan for `= any($1)` expects ten rows and takes a
 * bitmap scan with a hash join per row, several times slower for one id than the plan for `= $1`.
 * `prepare` builds the statement around the condition it is given, under the name it is given.
 */
export function prepareByIds<Row>(column: AnyColumn, name: string, prepare: (where: SQL, name: string) => Prepared<Row>) {
  const one = prepare(sql`${column} = ${sql.placeholder('id')}::uuid`, `${name}_of_one`);
  const many = prepare(sql`${column} = any(${sql.placeholder('ids')}::uuid[])`, name);
  return (ids: readonly string[]): Promise<Row[]> => (ids.length === 1 ? one.execute({ id: ids[0] }) : many.execute({ ids: [...ids] }));
}
