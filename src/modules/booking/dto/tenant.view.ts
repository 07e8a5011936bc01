import { ApiProperty } from '@nestjs/swagger';

const HOURS_EXAMPLE = { sun: [], mon: [['08:00', '18:00']], tue: [['08:00', '12:00'], ['13:00', '18:00']], wed: [], thu: [], fri: [], sat: [] };

export class ResourceView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty({ example: 'Dr. Who' }) name!: string;
  @ApiProperty({ description: 'booked when a request names no resource' }) is_default!: boolean;
}

export class TenantView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Downtown Dental' }) name!: string;
  @ApiProperty({ example: 'downtown-dental' }) slug!: string;
  @ApiProperty({ example: 'Europe/Berlin' }) timezone!: string;
  @ApiProperty({ example: 30 }) slot_minutes!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 } },
    example: HOURS_EXAMPLE,
    description: 'per weekday (sun…sat) the [open, close] intervals, local time',
  })
  business_hours!: Record<string, [string, string][]>;
  @ApiProperty({ type: String, format: 'date-time' }) created_at!: Date;
}

export class TenantCreatedView extends TenantView {
  @ApiProperty({ type: ResourceView, description: 'the default resource' }) resource!: ResourceView;
  @ApiProperty({ example: 'sk_AbCdEfGhIjKl_…', description: 'the tenant API key: shown once, stored only as a hash' }) api_key!: string;
  @ApiProperty({ format: 'uuid' }) api_key_id!: string;
}

export class TenantProfileView extends TenantView {
  @ApiProperty({ type: [ResourceView] }) resources!: ResourceView[];
}
