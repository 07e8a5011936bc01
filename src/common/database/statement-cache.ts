import { createHash } from 'node:crypto';
import pg from 'pg';

/** A statement text is prepared once it has been run this many times in the process. */
const PREPARE_THRESHOLD = 5;
/** At most this many texts get a name (a prepared statement per connection each). */
const MAX_PREPARED = 256;

type QueryArgs = [config: unknown, values?: unknown, callback?: unknown];

/**
 * The process's prepared-statement cache, in the manner of pgJDBC's `prepareThreshold`: a
 * parameterised statement text run `PREPARE_THRESHOLD` times gets a name derived from the text, and
 * from then on each connection parses and plans it once and only binds and executes it after.
 * Measured on this service's hot paths, planning was most of PostgreSQL's CPU: the bookings, event
 * handlers, tools and queue statements are few, fixed texts with CTEs over `unnest` arrays. Texts
 * seen rarely (built per call, one-offs) stay unnamed, and at most `MAX_PREPARED` texts are named,
 * so neither the process nor the server sessions keep an unbounded number.
 */
export class StatementCache {
  private readonly seen = new Map<string, number>();
  private readonly names = new Map<string, string>();

  constructor(
    private readonly threshold = PREPARE_THRESHOLD,
    private readonly max = MAX_PREPARED,
  ) {}

  /** The statement's name, once it has earned one; undefined before (and for texts past the cap). */
  nameFor(text: string): string | undefined {
    const name = this.names.get(text);
    if (name !== undefined || this.names.size >= this.max) return name;
    const n = (this.seen.get(text) ?? 0) + 1;
    if (n < this.threshold) {
      // bounded too: texts that never reach the threshold are forgotten in bulk
      if (this.seen.size >= this.max * 16) this.seen.clear();
      this.seen.set(text, n);
      return undefined;
    }
    this.seen.delete(text);
    const named = `s_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    this.names.set(text, named);
    return named;
  }

  get size(): number {
    return this.names.size;
  }
}

const cache = new StatementCache();

/**
 * A pg client that runs repeated parameterised statements (`query(text, values)`) as named prepared
 * statements (see StatementCache). Statements without parameters (`COMMIT`, `LISTEN`), query
 * objects and statements that already have a name go through unchanged. The pool makes its
 * connections with it (`extra.Client`); `DB_PREPARED_STATEMENTS=false` turns it off, for a
 * connection pooler that does not keep prepared statements per client.
 */
export class PreparingClient extends pg.Client {
  override query(...args: QueryArgs): never {
    const [config, values, callback] = args;
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      const name = cache.nameFor(config);
      if (name !== undefined) {
        return (super.query as (...a: unknown[]) => never)({ name, text: config, values }, callback);
      }
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}
