import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { scopeTenant } from '../../../common/auth/tenant-scope.js';
import { ApiErrors, ApiProtected } from '../../../common/openapi/api-errors.decorator.js';
import { AvailabilityQuery } from '../dto/appointment.dto.js';
import { AvailabilityView } from '../dto/availability.view.js';
import { AvailabilityService } from './availability.service.js';

@ApiTags('booking')
@ApiProtected()
@Controller('api/availability')
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  @Get()
  @ApiOperation({ summary: "Slots of a date in the tenant's timezone, with whether each is available" })
  @ApiOkResponse({ type: AvailabilityView })
  @ApiErrors({
    400: 'VALIDATION_FAILED: names the field (date is YYYY-MM-DD; the admin must give tenant_id)',
    404: "TENANT_NOT_FOUND, RESOURCE_NOT_FOUND, or a tenant key naming another tenant's id",
  })
  get(@Query() q: AvailabilityQuery, @CurrentPrincipal() principal: Principal): Promise<AvailabilityView> {
    return this.availability.forDate(scopeTenant(principal, q.tenant_id), q.resource_id, q.date);
  }
}
