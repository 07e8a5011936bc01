import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { TenantWebhook } from '../webhooks/tenant-webhook.types.js';

export class WebhookEndpointView {
  @ApiProperty({ format: 'uuid' }) tenant_id!: string;
  @ApiProperty() url!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabled_at!: Date | null;
  @ApiProperty({ type: String, nullable: true, example: 'the endpoint answered 410 Gone' }) disabled_reason!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) created_at!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updated_at!: Date;
  @ApiPropertyOptional({ description: 'the signing secret (`whsec_…`): present only in the answer that generated it, never again', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })
  secret?: string;
}

export function toWebhookEndpointView(w: TenantWebhook, secret?: string | null): WebhookEndpointView {
  return {
    tenant_id: w.tenant_id,
    url: w.url,
    enabled: w.enabled,
    disabled_at: w.disabled_at,
    disabled_reason: w.disabled_reason,
    created_at: w.created_at,
    updated_at: w.updated_at,
    ...(secret ? { secret } : {}),
  };
}
