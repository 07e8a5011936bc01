import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { scopeTenant } from '../../../common/auth/tenant-scope.js';
import { AvailabilityQuery } from '../dto/appointment.dto.js';
import { AvailabilityService } from './availability.service.js';

@ApiTags('booking')
@ApiBearerAuth()
@Controller('api/availability')
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  @Get()
  @ApiOperation({ summary: "Slots of a date in the tenant's timezone, with whether each is available" })
  get(@Query() q: AvailabilityQuery, @CurrentPrincipal() principal: Principal) {
    return this.availability.forDate(scopeTenant(principal, q.tenant_id), q.resource_id, q.date);
  }
}
