import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { Caller, type RequestContext } from '../../../common/http/request-context.js';
import { scopeTenant } from '../../../common/auth/tenant-scope.js';
import { ApiErrors, ApiProtected } from '../../../common/openapi/api-errors.decorator.js';
import { CreateResourceDto, CreateTenantDto } from '../dto/tenant.dto.js';
import { IdParam } from '../dto/appointment.dto.js';
import { ResourceView, TenantCreatedView, TenantProfileView, TenantView } from '../dto/tenant.view.js';
import { TenantService } from './tenant.service.js';

@ApiTags('tenants')
@ApiProtected()
@Controller('api/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantService) {}

  @Post()
  @AdminOnly()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a tenant with its default resource and an API key (shown once)' })
  @ApiCreatedResponse({ type: TenantCreatedView, description: 'tenant, default resource and api_key (shown once)' })
  @ApiErrors({ 400: 'VALIDATION_FAILED or INVALID_SLOT (bad timezone or business hours): names the field', 409: 'SLUG_TAKEN' })
  async create(@Body() dto: CreateTenantDto, @Caller() caller: RequestContext): Promise<TenantCreatedView> {
    const r = await this.tenants.create(dto, caller);
    return { ...r.tenant, resource: r.resource, api_key: r.api_key, api_key_id: r.api_key_id };
  }

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'List tenants (admin), oldest first, up to 500' })
  @ApiOkResponse({ type: [TenantView] })
  list(): Promise<TenantView[]> {
    return this.tenants.list(500);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One tenant with its resources' })
  @ApiOkResponse({ type: TenantProfileView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: id is not a uuid', 404: 'NOT_FOUND or TENANT_NOT_FOUND (another tenant answers 404 too)' })
  async get(@Param() p: IdParam, @CurrentPrincipal() principal: Principal): Promise<TenantProfileView> {
    const tenantId = scopeTenant(principal, p.id, 'id');
    const profile = await this.tenants.profile(tenantId);
    return { ...profile.tenant, resources: profile.resources };
  }

  @Post(':id/resources')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a resource (staff member or room) to a tenant' })
  @ApiCreatedResponse({ type: ResourceView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: names the field', 404: 'NOT_FOUND or TENANT_NOT_FOUND (another tenant answers 404 too)' })
  addResource(@Param() p: IdParam, @Body() dto: CreateResourceDto, @CurrentPrincipal() principal: Principal, @Caller() caller: RequestContext): Promise<ResourceView> {
    return this.tenants.addResource(scopeTenant(principal, p.id, 'id'), dto.name, caller);
  }
}
