import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { JOB_STATUSES, type JobStatus } from '../job.types.js';

export class ListJobsQuery {
  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional() @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @ApiPropertyOptional({ example: 'send_reminder' })
  @IsOptional() @IsString() @Matches(/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/, { message: 'type must be a job type name' })
  type?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the admin key may omit it (every tenant); a tenant key sees its own tenant' })
  @IsOptional() @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional() @IsUUID()
  appointment_id?: string;

  @ApiPropertyOptional({ example: '2030-01-01T00:00:00Z', description: 'created at or after' })
  @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2030-02-01T00:00:00Z', description: 'created before' })
  @IsOptional() @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'opaque cursor from the previous page' })
  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;
}
