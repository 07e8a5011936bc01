import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { scopeTenant } from '../../../common/auth/tenant-scope.js';
import { CreateHoldDto } from '../dto/hold.dto.js';
import { HoldService } from './hold.service.js';

@ApiTags('booking')
@ApiBearerAuth()
@Controller('api/holds')
export class HoldsController {
  constructor(private readonly holds: HoldService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Hold a slot for HOLD_TTL_SECONDS' })
  @ApiResponse({ status: 201, description: 'the hold with expires_at' })
  @ApiResponse({ status: 409, description: 'SLOT_TAKEN' })
  async create(@Body() dto: CreateHoldDto, @CurrentPrincipal() principal: Principal) {
    const h = await this.holds.hold({ ...dto, tenant_id: scopeTenant(principal, dto.tenant_id) });
    return { id: h.id, tenant_id: h.tenant_id, resource_id: h.resource_id, start: h.start_time, end: h.end_time, expires_at: h.expires_at, status: h.status };
  }
}
