import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface JobCountRow {
  status: string;
  type: string;
  n: number;
}

const CACHE_MS = 5000;

/** Jobs by status and type for the `agent_jobs` gauge: one aggregate, cached a few seconds per process. */
@Injectable()
export class JobStatsRepository {
  private cached: { at: number; rows: Promise<JobCountRow[]> } | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  countByStatusAndType(): Promise<JobCountRow[]> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.rows;
    const rows = this.db.query(`SELECT status, type, count(*)::int AS n FROM jobs GROUP BY status, type`) as Promise<JobCountRow[]>;
    this.cached = { at: now, rows };
    // a failed query is not cached: the next scrape asks again
    rows.catch(() => {
      if (this.cached?.rows === rows) this.cached = null;
    });
    return rows;
  }
}
