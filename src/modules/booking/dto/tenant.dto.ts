import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

export class CreateTenantDto {
  @ApiProperty({ example: 'Downtown Dental' })
  @IsString() @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'downtown-dental', description: 'lowercase letters, digits and dashes' })
  @IsString() @Length(1, 64) @Matches(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, { message: 'slug must be lowercase letters, digits and dashes' })
  slug!: string;

  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone' })
  @IsString() @Length(1, 64)
  timezone!: string;

  @ApiPropertyOptional({ example: 30, minimum: 5, maximum: 480 })
  @IsOptional() @IsInt() @Min(5) @Max(480)
  slot_minutes?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'array', items: { type: 'string', example: '09:00' }, minItems: 2, maxItems: 2 } },
    example: { mon: [['09:00', '17:00']], sat: [] },
    description: 'per weekday (sun…sat) a list of [open, close] intervals; missing days are closed',
  })
  @IsOptional() @IsObject()
  business_hours?: Record<string, [string, string][]>;

  @ApiPropertyOptional({ example: 'Dr. Who', description: 'name of the default resource' })
  @IsOptional() @IsString() @Length(1, 200)
  resource_name?: string;
}

export class CreateResourceDto {
  @ApiProperty({ example: 'Room 2' })
  @IsString() @Length(1, 200)
  name!: string;
}
