import { ApiProperty } from '@nestjs/swagger';
import { POLICY_ACTIONS } from '../engine/policy.types.js';

export class PolicyRuleView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null: a global rule (every tenant)' }) tenant_id!: string | null;
  @ApiProperty({ enum: POLICY_ACTIONS }) action!: string;
  @ApiProperty({ enum: ['allow', 'deny'] }) effect!: 'allow' | 'deny';
  @ApiProperty({ type: 'object', additionalProperties: true, example: { min_lead_time_minutes: 60 } }) conditions!: unknown;
  @ApiProperty({ description: 'higher wins; at equal priority deny wins' }) priority!: number;
  @ApiProperty() is_active!: boolean;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ description: 'one of the seeded global defaults' }) is_default!: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) created_at!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updated_at!: Date;
}

export class PolicyRuleListView {
  @ApiProperty({ type: [PolicyRuleView], description: "the tenant's rules and the global ones (the admin without tenant_id: all)" }) items!: PolicyRuleView[];
}

export class PolicyWarningView {
  @ApiProperty({ enum: ['shadowed', 'allow_deny_tie'] }) kind!: string;
  @ApiProperty({ format: 'uuid', description: 'shadowed: the rule that can never win; tie: the allow rule' }) rule_id!: string;
  @ApiProperty({ format: 'uuid', description: 'shadowed: the rule that always beats it; tie: the deny rule' }) other_rule_id!: string;
  @ApiProperty() action!: string;
  @ApiProperty() message!: string;
}

export class PolicyAnalysisView {
  @ApiProperty({ type: [PolicyWarningView] }) warnings!: PolicyWarningView[];
}

export class PolicyRuleChangedView extends PolicyRuleView {
  @ApiProperty({ type: [PolicyWarningView], description: 'the rule is shadowed by, or ties with, another' }) warnings!: PolicyWarningView[];
}
