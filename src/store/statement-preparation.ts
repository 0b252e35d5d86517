import type { Sql } from 'postgres';

/**
 * Which statement texts run as prepared statements on PostgreSQL. drizzle runs every statement it was not
 * asked to prepare by name as an unnamed one, and postgres.js sends an unnamed statement with parameters in
 * two round trips (Parse and Describe first, to learn the parameter types, then Bind and Execute), which
 * PostgreSQL parses and plans every time. A prepared statement costs that once per connection, then one
 * round trip, and can be pipelined.
 *
 * Only statements that begin by inserting are chosen (`insert ...`, or `with x as (insert ...) ...`): their
 * plan does not depend on how much data the tables hold. A prepared SELECT, UPDATE or DELETE may settle on a
 * generic plan made while its table was small (a sequential scan) and keep it as the table grows: the bench
 * measured SCIM creates and change delivery at half their speed and less that way.
 *
 * postgres.js keeps every text a connection prepared for as long as the connection lives, and a text can
 * differ per call (drizzle spells a list as one parameter per element), so, as pgjdbc does: a text is
 * prepared from its `threshold`-th run on, and at most `maxTexts` texts are.
 */
export interface PreparationPolicy {
  /** Whether this run of the text should be prepared; counts the run. */
  shouldPrepare(text: string): boolean;
  /** How many texts are prepared from now on. */
  preparedCount(): number;
}

/** An INSERT, or a WITH whose first query inserts (data-modifying CTEs), whatever the case and spacing. */
const beginsByInserting = /^\s*(?:with\s+\w+\s+as\s*\(\s*)?insert\s/i;

export function createPreparationPolicy(options: { threshold: number; maxTexts: number }): PreparationPolicy {
  const prepared = new Set<string>();
  /** Runs of texts not prepared yet; cleared when it grows past a bound, so one-off texts cannot fill it. */
  const runs = new Map<string, number>();
  const maxCounted = options.maxTexts * 4;
  return {
    shouldPrepare(text) {
      if (prepared.has(text)) return true;
      if (!beginsByInserting.test(text)) return false;
      if (prepared.size >= options.maxTexts) return false;
      const count = (runs.get(text) ?? 0) + 1;
      if (count >= options.threshold) {
        runs.delete(text);
        prepared.add(text);
        return true;
      }
      if (runs.size >= maxCounted) runs.clear();
      runs.set(text, count);
      return false;
    },
    preparedCount: () => prepared.size,
  };
}

/**
 * The postgres.js client drizzle is given: the same client, but statements the policy chooses run
 * prepared, in transactions and savepoints too (drizzle runs those on the client postgres.js hands it).
 */
export function preparingClient(client: Sql, policy: PreparationPolicy): Sql {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (text: string, params?: never[], options?: { prepare?: boolean }) => {
          // unsafe(text, options) is postgres.js's other form: its statements have no parameters to prepare.
          if (!Array.isArray(params)) return target.unsafe(text, params as never);
          return target.unsafe(text, params, policy.shouldPrepare(text) ? { ...options, prepare: true } : options);
        };
      }
      if (property === 'begin' || property === 'savepoint') {
        const open = Reflect.get(target, property, receiver) as (...args: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => {
          const work = args.pop() as (inner: Sql) => unknown;
          return open.call(target, ...args, (inner: Sql) => work(preparingClient(inner, policy)));
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
