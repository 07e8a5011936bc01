import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The runner state an instance publishes with every heartbeat (snake_case, as the API shows it). */
export interface InstanceRunnerState {
  running: boolean;
  concurrency: number;
  in_flight: number;
  poll_interval_ms: number;
  lease_ms: number;
  listening: boolean;
  last_claim_at: string | null;
}

export interface RuntimeInstanceRow {
  instance_id: string;
  role: string;
  hostname: string;
  pid: number;
  started_at: Date;
  heartbeat_at: Date;
  /** Milliseconds since the heartbeat, by the database clock (no skew between hosts). */
  age_ms: number;
  state: InstanceRunnerState;
}

export interface RuntimeInstanceUpsert {
  instance_id: string;
  role: string;
  hostname: string;
  pid: number;
  started_at: Date;
  state: InstanceRunnerState;
}

/** `runtime_instances`: one row per live process, refreshed by its heartbeat. */
@Injectable()
export class RuntimeInstanceRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async upsert(i: RuntimeInstanceUpsert): Promise<void> {
    await this.db.query(
      `INSERT INTO runtime_instances (instance_id, role, hostname, pid, started_at, heartbeat_at, state)
       VALUES ($1, $2, $3, $4, $5, now(), $6::jsonb)
       ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = now(), state = EXCLUDED.state`,
      [i.instance_id, i.role, i.hostname, i.pid, i.started_at, JSON.stringify(i.state)],
    );
  }

  async delete(instanceId: string): Promise<void> {
    await this.db.query(`DELETE FROM runtime_instances WHERE instance_id = $1`, [instanceId]);
  }

  /** Rows of processes that died without saying so (SIGKILL, lost host), long after they stopped counting. */
  async purgeOlderThan(ms: number): Promise<void> {
    await this.db.query(`DELETE FROM runtime_instances WHERE heartbeat_at < now() - make_interval(secs => $1::double precision / 1000)`, [ms]);
  }

  /** Instances whose heartbeat is younger than `withinMs`, oldest start first. */
  async listActive(withinMs: number): Promise<RuntimeInstanceRow[]> {
    return this.db.query(
      `SELECT instance_id, role, hostname, pid, started_at, heartbeat_at, state,
              (extract(epoch FROM now() - heartbeat_at) * 1000)::int AS age_ms
         FROM runtime_instances
        WHERE heartbeat_at > now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY started_at, instance_id`,
      [withinMs],
    );
  }
}
