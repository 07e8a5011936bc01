import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsUUID } from 'class-validator';

export class CreateHoldDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  tenant_id!: string;

  @ApiPropertyOptional({ format: 'uuid', description: "defaults to the tenant's default resource" })
  @IsOptional() @IsUUID()
  resource_id?: string;

  @ApiProperty({ example: '2030-01-07T09:00:00Z' })
  @IsISO8601({ strict: true, strictSeparator: true })
  start!: string;

  @ApiProperty({ example: '2030-01-07T09:30:00Z' })
  @IsISO8601({ strict: true, strictSeparator: true })
  end!: string;
}
