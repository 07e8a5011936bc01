import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

export class VerifyAuditQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "one tenant's chain; the admin without it verifies every chain, a tenant key only its own" })
  @IsOptional() @IsUUID()
  tenant_id?: string;
}
