import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';

export class SetAutonomyDto {
  @ApiPropertyOptional({ enum: ['on', 'off', 'shadow'], description: '`shadow` records what the runtime would do without running any tool' })
  @IsOptional() @IsIn(['on', 'off', 'shadow'])
  mode?: 'on' | 'off' | 'shadow';

  @ApiPropertyOptional({ description: 'shorthand: true = on, false = off' })
  @IsOptional() @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ format: 'uuid', description: 'omit for the global toggle (admin only)' })
  @IsOptional() @IsUUID()
  tenant_id?: string;
}

export class AutonomyQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional() @IsUUID()
  tenant_id?: string;
}
