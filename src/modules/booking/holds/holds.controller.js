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
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import { scopeTenant } from '../../../common/auth/tenant-scope.js';
import { CreateHoldDto } from '../dto/hold.dto.js';
import { HoldService } from './hold.service.js';
let HoldsController = class HoldsController {
    holds;
    constructor(holds) {
        this.holds = holds;
    }
    async create(dto, principal) {
        const h = await this.holds.hold({ ...dto, tenant_id: scopeTenant(principal, dto.tenant_id) });
        return { id: h.id, tenant_id: h.tenant_id, resource_id: h.resource_id, start: h.start_time, end: h.end_time, expires_at: h.expires_at, status: h.status };
    }
};
__decorate([
    Post(),
    HttpCode(201),
    ApiOperation({ summary: 'Hold a slot for HOLD_TTL_SECONDS' }),
    ApiResponse({ status: 201, description: 'the hold with expires_at' }),
    ApiResponse({ status: 409, description: 'SLOT_TAKEN' }),
    __param(0, Body()),
    __param(1, CurrentPrincipal()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [CreateHoldDto, Object]),
    __metadata("design:returntype", Promise)
], HoldsController.prototype, "create", null);
HoldsController = __decorate([
    ApiTags('booking'),
    ApiBearerAuth(),
    Controller('api/holds'),
    __metadata("design:paramtypes", [HoldService])
], HoldsController);
export { HoldsController };
