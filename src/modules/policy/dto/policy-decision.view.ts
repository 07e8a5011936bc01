import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A condition's value: a number, a string, a list or an object (quiet hours). */
const ANY_VALUE = { oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }, { type: 'array', items: {} }, { type: 'object' }], nullable: true };

export class ConditionResultView {
  @ApiProperty({ example: 'min_lead_time_minutes' }) name!: string;
  @ApiProperty({ ...ANY_VALUE, description: 'what the rule requires', example: 60 }) required!: unknown;
  @ApiProperty({ ...ANY_VALUE, description: 'what the context had', example: 1440 }) actual!: unknown;
  @ApiProperty() passed!: boolean;
  @ApiPropertyOptional() detail?: string;
}

/** A decision of the policy engine, explained. */
export class PolicyDecisionView {
  @ApiProperty({ enum: ['allow', 'deny'] }) effect!: 'allow' | 'deny';
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'the winning rule (null: default deny, kill switch, error)' }) rule_id!: string | null;
  @ApiProperty({ enum: ['rule', 'default_deny', 'kill_switch', 'invalid_rule', 'error'] }) basis!: string;
  @ApiProperty({ example: 'allowed by rule 3f0c… (priority 0)' }) reason!: string;
  @ApiProperty({ type: [ConditionResultView] }) conditions!: ConditionResultView[];
  @ApiPropertyOptional({ format: 'date-time', description: 'quiet hours deferred the action until then' }) defer_until?: string;
  @ApiProperty() action!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) tenant_id!: string | null;
  @ApiProperty({ format: 'date-time', description: 'the instant evaluated (context.now for what-if questions)' }) evaluated_at!: string;
}
