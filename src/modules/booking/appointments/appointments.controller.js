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
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import { scopeTenant, tenantFilter } from '../../../common/auth/tenant-scope.js';
import { decodeCursor, encodeCursor } from '../../../common/http/cursor.js';
import { CreateAppointmentDto, IdParam, ListAppointmentsQuery, RescheduleDto } from '../dto/appointment.dto.js';
import { AppointmentService } from './appointment.service.js';
function view(a) {
    return {
        id: a.id,
        tenant_id: a.tenant_id,
        resource_id: a.resource_id,
        hold_id: a.hold_id,
        client_name: a.client_name,
        client_email: a.client_email,
        client_phone: a.client_phone,
        service: a.service,
        start: a.start_time,
        end: a.end_time,
        status: a.status,
        version: a.version,
        checked_in_at: a.checked_in_at,
        calendar_sync_status: a.calendar_sync_status,
        created_at: a.created_at,
    };
}
let AppointmentsController = class AppointmentsController {
    appointments;
    constructor(appointments) {
        this.appointments = appointments;
    }
    async create(dto, principal) {
        return view(await this.appointments.book({ ...dto, tenant_id: scopeTenant(principal, dto.tenant_id) }));
    }
    async list(q, principal) {
        const tenantId = principal.kind === 'tenant' ? scopeTenant(principal, q.tenant_id) : q.tenant_id;
        const limit = q.limit ?? 100;
        const c = decodeCursor(q.cursor);
        const rows = await this.appointments.list({
            tenantId,
            from: q.from ? new Date(q.from) : undefined,
            to: q.to ? new Date(q.to) : undefined,
            status: q.status,
            limit,
            after: c ? { start: new Date(c.key), id: c.id } : undefined,
        });
        const last = rows[rows.length - 1];
        return { items: rows.map(view), next_cursor: rows.length === limit && last ? encodeCursor(last.start_time.toISOString(), last.id) : null };
    }
    async get(p, principal) {
        return view(await this.appointments.get(p.id, tenantFilter(principal)));
    }
    async cancel(p, principal) {
        return view(await this.appointments.cancel(p.id, tenantFilter(principal)));
    }
    async reschedule(p, dto, principal) {
        return view(await this.appointments.reschedule(p.id, tenantFilter(principal), dto.start, dto.end));
    }
    async checkIn(p, principal) {
        return view(await this.appointments.checkIn(p.id, tenantFilter(principal)));
    }
};
__decorate([
    Post(),
    HttpCode(201),
    ApiOperation({ summary: 'Book a slot (from a hold, or directly)' }),
    ApiResponse({ status: 201, description: 'the appointment' }),
    ApiResponse({ status: 400, description: 'invalid field (names it)' }),
    ApiResponse({ status: 409, description: 'SLOT_TAKEN' }),
    ApiResponse({ status: 410, description: 'HOLD_EXPIRED' }),
    __param(0, Body()),
    __param(1, CurrentPrincipal()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [CreateAppointmentDto, Object]),
    __metadata("design:returntype", Promise)
], AppointmentsController.prototype, "create", null);
__decorate([
    Get(),
    ApiOperation({ summary: 'List appointments (keyset pagination by start time)' }),
    __param(0, Query()),
    __param(1, CurrentPrincipal()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [ListAppointmentsQuery, Object]),
    __metadata("design:returntype", Promise)
], AppointmentsController.prototype, "list", null);
__decorate([
    Get(':id'),
    ApiResponse({ status: 404, description: 'not found (or another tenant)' }),
    __param(0, Param()),
    __param(1, CurrentPrincipal()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [IdParam, Object]),
    __metadata("design:returntype", Promise)
], AppointmentsController.prototype, "get", null);
__decorate([
    Post(':id/cancel'),
    HttpCode(200),
    ApiResponse({ status: 409, description: 'INVALID_STATE' }),
    __param(0, Param()),
    __param(1, CurrentPrincipal()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [IdParam, Object]),
    __metadata("design:returntype", Promise)
], AppointmentsController.prototype, "cancel", null);
__decorate([
    Post(':id/reschedule'),
    HttpCode(200),
    ApiResponse({ status: 409, description: 'SLOT_TAKEN (the original is untouched)' }),
    __param(0, Param()),
    __param(1, Body()),
    __param(2, CurrentPrincipal()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [IdParam, RescheduleDto, Object]),
    __metadata("design:returntype", Promise)
], AppointmentsController.prototype, "reschedule", null);
__decorate([
    Post(':id/check-in'),
    HttpCode(200),
    __param(0, Param()),
    __param(1, CurrentPrincipal()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [IdParam, Object]),
    __metadata("design:returntype", Promise)
], AppointmentsController.prototype, "checkIn", null);
AppointmentsController = __decorate([
    ApiTags('booking'),
    ApiBearerAuth(),
    Controller('api/appointments'),
    __metadata("design:paramtypes", [AppointmentService])
], AppointmentsController);
export { AppointmentsController };
