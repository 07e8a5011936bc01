import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested, IsISO8601 } from 'class-validator';
import { POLICY_ACTIONS } from '../engine/policy.types.js';

const CONDITIONS_DOC =
  'closed set: min_lead_time_minutes, max_lead_time_minutes (integers), quiet_hours {start, end, timezone}, channels (email|sms|webhook|log), max_per_recipient_per_day, max_per_appointment';

export class CreatePolicyRuleDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'omit (admin only) for a global rule; a tenant key always writes its own tenant' })
  @IsOptional() @IsUUID()
  tenant_id?: string;

  @ApiProperty({ enum: POLICY_ACTIONS })
  @IsString() @MaxLength(64)
  action!: string;

  @ApiProperty({ enum: ['allow', 'deny'] })
  @IsIn(['allow', 'deny'])
  effect!: 'allow' | 'deny';

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: CONDITIONS_DOC, example: { min_lead_time_minutes: 60 } })
  @IsOptional() @IsObject()
  conditions?: Record<string, unknown>;

  @ApiPropertyOptional({ default: 0, description: 'higher wins; at equal priority deny wins' })
  @IsOptional() @IsInt() @Min(-1_000_000) @Max(1_000_000)
  priority?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional() @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(500)
  description?: string;
}

export class UpdatePolicyRuleDto {
  @ApiPropertyOptional({ enum: ['allow', 'deny'] })
  @IsOptional() @IsIn(['allow', 'deny'])
  effect?: 'allow' | 'deny';

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: CONDITIONS_DOC })
  @IsOptional() @IsObject()
  conditions?: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptional() @IsInt() @Min(-1_000_000) @Max(1_000_000)
  priority?: number;

  @ApiPropertyOptional()
  @IsOptional() @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MaxLength(500)
  description?: string;
}

export class EvaluationContextDto {
  @ApiPropertyOptional({ example: '2031-07-07T09:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true })
  appointment_start?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional() @IsUUID()
  appointment_id?: string;

  @ApiPropertyOptional({ enum: ['email', 'sms', 'webhook', 'log'] })
  @IsOptional() @IsIn(['email', 'sms', 'webhook', 'log'])
  channel?: string;

  @ApiPropertyOptional({ description: 'used for per-recipient limits; redacted in the audit trail' })
  @IsOptional() @IsString() @MaxLength(254)
  recipient?: string;

  @ApiPropertyOptional({ description: 'evaluate as if at this time (what-if)', example: '2031-07-06T22:30:00Z' })
  @IsOptional() @IsISO8601({ strict: true })
  now?: string;
}

export class EvaluatePolicyDto {
  @ApiProperty({ enum: POLICY_ACTIONS })
  @IsString() @MaxLength(64)
  action!: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional() @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({ type: EvaluationContextDto })
  @IsOptional() @ValidateNested() @Type(() => EvaluationContextDto)
  context?: EvaluationContextDto;
}

export class ListPolicyRulesQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional() @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({ enum: POLICY_ACTIONS })
  @IsOptional() @IsString() @MaxLength(64)
  action?: string;
}

export class RuleIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}
