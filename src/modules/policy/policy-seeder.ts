import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DEFAULT_RULES } from './engine/default-rules.js';
import { PolicyRuleRepository } from './policy-rule.repository.js';

/** Seeds the global default rules at start-up, idempotently (an operator's later change is kept). */
@Injectable()
export class PolicySeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('PolicySeeder');

  constructor(
    private readonly repo: PolicyRuleRepository,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const n = await this.db.transaction((m) => this.repo.seedDefaults(m, DEFAULT_RULES));
    if (n > 0) this.logger.log(`seeded ${n} default policy rule(s)`);
  }
}
