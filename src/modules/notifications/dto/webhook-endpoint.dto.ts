import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

export class SetWebhookEndpointDto {
  @ApiProperty({ example: 'https://hooks.example.com/agent-runtime', description: 'http(s); localhost and private ranges are refused unless WEBHOOK_ALLOW_PRIVATE=true' })
  @IsString() @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'required with the admin key; a tenant key sets its own' })
  @IsOptional() @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({ default: false, description: 'generate a new secret for an existing endpoint (the new one is shown once)' })
  @IsOptional() @IsBoolean()
  rotate_secret?: boolean;
}

export class WebhookTenantQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'required with the admin key' })
  @IsOptional() @IsUUID()
  tenant_id?: string;
}
