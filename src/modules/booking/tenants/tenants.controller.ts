import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { scopeTenant } from '../../../common/auth/tenant-scope.js';
import { CreateResourceDto, CreateTenantDto } from '../dto/tenant.dto.js';
import { IdParam } from '../dto/appointment.dto.js';
import { TenantService } from './tenant.service.js';

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('api/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantService) {}

  @Post()
  @AdminOnly()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a tenant with its default resource and an API key (shown once)' })
  @ApiResponse({ status: 201, description: 'tenant, default resource and api_key' })
  @ApiResponse({ status: 400, description: 'invalid field' })
  @ApiResponse({ status: 409, description: 'SLUG_TAKEN' })
  async create(@Body() dto: CreateTenantDto) {
    const r = await this.tenants.create(dto);
    return { ...r.tenant, resource: r.resource, api_key: r.api_key, api_key_id: r.api_key_id };
  }

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'List tenants (admin)' })
  list() {
    return this.tenants.list(500);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One tenant with its resources' })
  @ApiResponse({ status: 404, description: 'not found (or another tenant)' })
  async get(@Param() p: IdParam, @CurrentPrincipal() principal: Principal) {
    const tenantId = scopeTenant(principal, p.id, 'id');
    const profile = await this.tenants.profile(tenantId);
    return { ...profile.tenant, resources: profile.resources };
  }

  @Post(':id/resources')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a resource (staff member or room) to a tenant' })
  addResource(@Param() p: IdParam, @Body() dto: CreateResourceDto, @CurrentPrincipal() principal: Principal) {
    return this.tenants.addResource(scopeTenant(principal, p.id, 'id'), dto.name);
  }
}
