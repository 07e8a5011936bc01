import { ApiProperty } from '@nestjs/swagger';

export class HoldView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ format: 'uuid' }) resource_id!: string;
  @ApiProperty({ type: String, format: 'date-time' }) start!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) end!: Date;
  @ApiProperty({ type: String, format: 'date-time', description: 'book with hold_id before this (HOLD_TTL_SECONDS)' }) expires_at!: Date;
  @ApiProperty({ enum: ['active', 'confirmed', 'expired'] }) status!: string;
}
