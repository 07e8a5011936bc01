import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';

export class CreateAppointmentDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  tenant_id!: string;

  @ApiPropertyOptional({ format: 'uuid', description: "defaults to the tenant's default resource" })
  @IsOptional() @IsUUID()
  resource_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'confirm this hold (must match resource and time)' })
  @IsOptional() @IsUUID()
  hold_id?: string;

  @ApiProperty({ example: '2030-01-07T09:00:00Z' })
  @IsISO8601({ strict: true, strictSeparator: true })
  start!: string;

  @ApiProperty({ example: '2030-01-07T09:30:00Z' })
  @IsISO8601({ strict: true, strictSeparator: true })
  end!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString() @Length(1, 200)
  client_name!: string;

  @ApiProperty({ example: 'ada@example.com' })
  @IsString() @MaxLength(254) @IsEmail({}, { message: 'client_email must be a valid email address' })
  client_email!: string;

  @ApiPropertyOptional({ example: '+44 20 7946 0958' })
  @IsOptional() @IsString() @Matches(/^\+?[0-9][0-9 ().-]{5,30}$/, { message: 'client_phone must be a phone number' })
  client_phone?: string;

  @ApiPropertyOptional({ example: 'Check-up' })
  @IsOptional() @IsString() @Length(1, 200)
  service?: string;
}

export class RescheduleDto {
  @ApiProperty({ example: '2030-01-07T10:00:00Z' })
  @IsISO8601({ strict: true, strictSeparator: true })
  start!: string;

  @ApiProperty({ example: '2030-01-07T10:30:00Z' })
  @IsISO8601({ strict: true, strictSeparator: true })
  end!: string;
}

export class ListAppointmentsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'required for the admin key; a tenant key sees its own tenant' })
  @IsOptional() @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({ example: '2030-01-01T00:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2030-02-01T00:00:00Z' })
  @IsOptional() @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: ['confirmed', 'cancelled', 'completed', 'no_show'] })
  @IsOptional() @IsIn(['confirmed', 'cancelled', 'completed', 'no_show'])
  status?: 'confirmed' | 'cancelled' | 'completed' | 'no_show';

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'opaque cursor from the previous page' })
  @IsOptional() @IsString() @MaxLength(200)
  cursor?: string;
}

export class AvailabilityQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional() @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional() @IsUUID()
  resource_id?: string;

  @ApiProperty({ example: '2030-01-07' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { message: 'date must be YYYY-MM-DD' })
  date!: string;
}

export class IdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id!: string;
}
