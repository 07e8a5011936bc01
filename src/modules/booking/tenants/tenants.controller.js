var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import { scopeTenant } from '../../../common/auth/tenant-scope.js';
import { CreateResourceDto, CreateTenantDto } from '../dto/tenant.dto.js';
import { IdParam } from '../dto/appointment.dto.js';
import { TenantService } from './tenant.service.js';
let TenantsController = class TenantsController {
    tenants;
    constructor(tenants) {
        this.tenants = tenants;
    }
    async create(dto) {
        const r = await this.tenants.create(dto);
        return { ...r.tenant, resource: r.resource, api_key: r.api_key, api_key_id: r.api_key_id };
    }
    list() {
        return this.tenants.list(500);
    }
    async get(p, principal) {
        const tenantId = scopeTenant(principal, p.id, 'id');
        const profile = await this.tenants.profile(tenantId);
        return { ...profile.tenant, resources: profile.resources };
    }
    addResource(p, dto, principal) {
        return this.tenants.addResource(scopeTenant(principal, p.id, 'id'), dto.name);
    }
};
__decorate([
    Post(),
    AdminOnly(),
    HttpCode(201),
    ApiOperation({ summary: 'Create a tenant with its default resource and an API key (shown once)' }),
    ApiResponse({ status: 201, description: 'tenant, default resource and api_key' }),
    ApiResponse({ status: 400, description: 'invalid field' }),
    ApiResponse({ status: 409, description: 'SLUG_TAKEN' }),
    __param(0, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [CreateTenantDto]),
    __metadata("design:returntype", Promise)
], TenantsController.prototype, "create", null);
__decorate([
    Get(),
    AdminOnly(),
    ApiOperation({ summary: 'List tenants (admin)' }),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", []),
    __metadata("design:returntype", void 0)
], TenantsController.prototype, "list", null);
__decorate([
    Get(':id'),
    ApiOperation({ summary: 'One tenant with its resources' }),
    ApiResponse({ status: 404, description: 'not found (or another tenant)' }),
    __param(0, Param()),
    __param(1, CurrentPrincipal()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [IdParam, Object]),
    __metadata("design:returntype", Promise)
], TenantsController.prototype, "get", null);
__decorate([
    Post(':id/resources'),
    HttpCode(201),
    ApiOperation({ summary: 'Add a resource (staff member or room) to a tenant' }),
    __param(0, Param()),
    __param(1, Body()),
    __param(2, CurrentPrincipal()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [IdParam, CreateResourceDto, Object]),
    __metadata("design:returntype", void 0)
], TenantsController.prototype, "addResource", null);
TenantsController = __decorate([
    ApiTags('tenants'),
    ApiBearerAuth(),
    Controller('api/tenants'),
    __metadata("design:paramtypes", [TenantService])
], TenantsController);
export { TenantsController };
