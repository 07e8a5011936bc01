import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

export class ListAuditQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "the admin may omit it to see every tenant (and the platform's rows); a tenant key sees its own tenant" })
  @IsOptional() @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({ example: 'event.BookingCreated', description: 'exact event type (e.g. `api.request`, `event.BookingCreated`)' })
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'event_type must be letters, digits, _ . : -' })
  event_type?: string;

  @ApiPropertyOptional({ description: 'the entity the row is about (e.g. an appointment id)' })
  @IsOptional() @IsString() @MaxLength(200)
  entity_id?: string;

  @ApiPropertyOptional({ example: '2031-01-01T00:00:00Z', description: 'created at or after' })
  @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2031-02-01T00:00:00Z', description: 'created before' })
  @IsOptional() @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'opaque cursor from the previous page (`next_cursor`)' })
  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;
}
