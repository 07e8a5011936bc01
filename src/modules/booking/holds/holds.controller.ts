import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { scopeTenant } from '../../../common/auth/tenant-scope.js';
import { Caller, type RequestContext } from '../../../common/http/request-context.js';
import { ApiErrors, ApiProtected } from '../../../common/openapi/api-errors.decorator.js';
import { CreateHoldDto } from '../dto/hold.dto.js';
import { HoldView } from '../dto/hold.view.js';
import { HoldService } from './hold.service.js';

@ApiTags('booking')
@ApiProtected()
@Controller('api/holds')
export class HoldsController {
  constructor(private readonly holds: HoldService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Hold a slot for HOLD_TTL_SECONDS' })
  @ApiCreatedResponse({ type: HoldView, description: 'the hold with expires_at' })
  @ApiErrors({
    400: 'VALIDATION_FAILED or INVALID_SLOT: names the field',
    404: "TENANT_NOT_FOUND, RESOURCE_NOT_FOUND, or a tenant key naming another tenant's id",
    409: 'SLOT_TAKEN or CONTENTION',
  })
  async create(@Body() dto: CreateHoldDto, @CurrentPrincipal() principal: Principal, @Caller() caller: RequestContext): Promise<HoldView> {
    const h = await this.holds.hold({ ...dto, tenant_id: scopeTenant(principal, dto.tenant_id) }, caller);
    return { id: h.id, tenant_id: h.tenant_id, resource_id: h.resource_id, start: h.start_time, end: h.end_time, expires_at: h.expires_at, status: h.status };
  }
}
