import { Module } from '@nestjs/common';
import { PolicyGuard } from './guard/policy.guard.js';
import { PolicyEngine } from './policy-engine.service.js';
import { PolicyRuleCache } from './policy-rule-cache.js';
import { PolicyRuleRepository } from './policy-rule.repository.js';
import { PolicyRulesController } from './policy-rules.controller.js';
import { PolicyRulesService } from './policy-rules.service.js';
import { PolicySeeder } from './policy-seeder.js';

/** DB-driven policy rules, default deny, explained decisions, the guard, and the dry run. */
@Module({
  controllers: [PolicyRulesController],
  providers: [PolicyRuleRepository, PolicyRuleCache, PolicyEngine, PolicyRulesService, PolicySeeder, PolicyGuard],
  exports: [PolicyEngine, PolicyGuard],
})
export class PolicyModule {}
