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
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import { scopeTenant } from '../../../common/auth/tenant-scope.js';
import { AvailabilityQuery } from '../dto/appointment.dto.js';
import { AvailabilityService } from './availability.service.js';
let AvailabilityController = class AvailabilityController {
    availability;
    constructor(availability) {
        this.availability = availability;
    }
    get(q, principal) {
        return this.availability.forDate(scopeTenant(principal, q.tenant_id), q.resource_id, q.date);
    }
};
__decorate([
    Get(),
    ApiOperation({ summary: "Slots of a date in the tenant's timezone, with whether each is available" }),
    __param(0, Query()),
    __param(1, CurrentPrincipal()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [AvailabilityQuery, Object]),
    __metadata("design:returntype", void 0)
], AvailabilityController.prototype, "get", null);
AvailabilityController = __decorate([
    ApiTags('booking'),
    ApiBearerAuth(),
    Controller('api/availability'),
    __metadata("design:paramtypes", [AvailabilityService])
], AvailabilityController);
export { AvailabilityController };
