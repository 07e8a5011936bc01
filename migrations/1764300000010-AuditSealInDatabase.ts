import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 010: the audit hash chain is sealed inside PostgreSQL, one statement per batch.
 *
 * Before, the sealer read each batch of unsealed rows into Node (payloads parsed), hashed a
 * canonical JSON of each row on the event loop and sent the hashes back in an UPDATE: about a third
 * of the CPU a booking costs, and stalls of the event loop of up to ~15 ms per batch under load.
 *
 * - `audit_row_content(audit_log)`: the hashed content of a row, as PostgreSQL's `jsonb` text of
 *   `{id, tenant_id, event_type, entity_type, entity_id, actor, payload, correlation_id, created_at}`
 *   (`created_at` in UTC with microseconds). `jsonb` text is deterministic: keys sorted (shorter
 *   first, then bytewise), one space after `:` and `,`.
 * - `audit_seal(max_rows, lock_key, wait)`: under the transaction-level advisory lock `lock_key` (the
 *   sealer's; `wait`: block for it, otherwise answer -1 if another session holds it), links the
 *   oldest `max_rows` unsealed rows into their chains, each chain in insertion order:
 *   `hash = sha256(prev_hash ‖ audit_row_content(row))`, hex.
 *   Answers the number of rows sealed. Its transaction (the statement that calls it, alone) commits
 *   asynchronously: a seal lost in a crash of the server only leaves rows to seal again.
 *
 * Rows sealed before this migration keep their hashes (canonical JSON computed in Node); the
 * verifier accepts a row whose hash matches either form, both being functions of the row's content.
 */
export class AuditSealInDatabase1764300000010 implements MigrationInterface {
  name = 'AuditSealInDatabase1764300000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_row_content(a audit_log) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT jsonb_build_object(
          'id', a.id, 'tenant_id', a.tenant_id, 'event_type', a.event_type, 'entity_type', a.entity_type,
          'entity_id', a.entity_id, 'actor', a.actor, 'payload', a.payload, 'correlation_id', a.correlation_id,
          'created_at', to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
      $$`);
    await q.query(`
      CREATE FUNCTION audit_seal(max_rows integer, lock_key bigint, wait boolean) RETURNS integer LANGUAGE plpgsql
        -- Every statement here is meant to walk an index (the unsealed rows in order, a chain's head,
        -- the batch's rows by id): a plan from stale statistics that scans or hashes the whole
        -- table, or renders every unsealed row to keep the oldest, would grow with the table.
        SET enable_seqscan = off SET enable_bitmapscan = off SET enable_hashjoin = off SET enable_mergejoin = off
        AS $$
      DECLARE
        r record;
        chain uuid;
        head_seq bigint;
        head_hash text;
        ids uuid[] := '{}';
        seqs bigint[] := '{}';
        prevs text[] := '{}';
        hashes text[] := '{}';
        sealed integer;
      BEGIN
        IF wait THEN
          PERFORM pg_advisory_xact_lock(lock_key);
        ELSIF NOT pg_try_advisory_xact_lock(lock_key) THEN
          RETURN -1;
        END IF;
        -- The commit need not wait for its WAL to reach disk: a seal lost in a crash of the server
        -- leaves its rows unsealed, and they are sealed again (see ASYNC_COMMIT_CTE).
        PERFORM set_config('synchronous_commit', 'off', true);
        -- The batch comes in insertion order from the partial index of unsealed rows, and only its
        -- rows are rendered; each chain is then walked in insertion order from its head.
        FOR r IN
          SELECT b.id, b.chain_key, b.content
            FROM (SELECT u.id, u.seq, coalesce(u.tenant_id, '${PLATFORM}'::uuid) AS chain_key, audit_row_content(u) AS content
                    FROM audit_log u WHERE u.hash IS NULL ORDER BY u.seq LIMIT max_rows) b
           ORDER BY b.chain_key, b.seq
        LOOP
          IF chain IS DISTINCT FROM r.chain_key THEN
            chain := r.chain_key;
            SELECT h.chain_seq, h.hash INTO head_seq, head_hash FROM audit_log h
             WHERE coalesce(h.tenant_id, '${PLATFORM}'::uuid) = chain AND h.chain_seq IS NOT NULL
             ORDER BY h.chain_seq DESC LIMIT 1;
            IF NOT FOUND THEN
              head_seq := 0;
              head_hash := repeat('0', 64);
            END IF;
          END IF;
          head_seq := head_seq + 1;
          ids := ids || r.id;
          seqs := seqs || head_seq;
          prevs := prevs || head_hash;
          head_hash := encode(sha256(convert_to(head_hash || r.content, 'UTF8')), 'hex');
          hashes := hashes || head_hash;
        END LOOP;
        -- By id, through the primary key. The still-unsealed check is written so that it cannot use
        -- the partial index of unsealed rows: with statistics taken while few rows were unsealed,
        -- that index looks like one row, and driving the join it read the whole backlog on every pass.
        UPDATE audit_log a
           SET chain_seq = v.chain_seq, prev_hash = v.prev_hash, hash = v.hash
          FROM unnest(ids, seqs, prevs, hashes) AS v(id, chain_seq, prev_hash, hash)
         WHERE a.id = v.id AND coalesce(a.hash, '') = '';
        GET DIAGNOSTICS sealed = ROW_COUNT;
        -- Under the lock nobody else seals: a row gone or sealed meanwhile rolls the batch back.
        IF sealed <> cardinality(ids) THEN
          RAISE EXCEPTION 'sealed % of % audit rows; rolled back', sealed, cardinality(ids);
        END IF;
        RETURN sealed;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS audit_seal(integer, bigint, boolean)`);
    await q.query(`DROP FUNCTION IF EXISTS audit_row_content(audit_log)`);
  }
}

/** The chain key of the platform chain (`tenant_id` NULL), as in the `audit_log_chain` index. */
const PLATFORM = '00000000-0000-0000-0000-000000000000';
