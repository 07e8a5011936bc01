var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Injectable } from '@nestjs/common';
import { AppointmentRepository } from '../appointments/appointment.repository.js';
import { HoldRepository } from '../holds/hold.repository.js';
import { TenantService } from '../tenants/tenant.service.js';
import { daySlots } from './slot-rules.js';
let AvailabilityService = class AvailabilityService {
    tenants;
    appointments;
    holds;
    constructor(tenants, appointments, holds) {
        this.tenants = tenants;
        this.appointments = appointments;
        this.holds = holds;
    }
    /** The slots of a local date (tenant's timezone) with whether each is free, in the future and unheld. */
    async forDate(tenantId, resourceId, date) {
        const { profile, resource } = await this.tenants.resolveResource(tenantId, resourceId);
        const slots = daySlots(profile.tenant, date);
        const now = Date.now();
        let busy = [];
        if (slots.length > 0) {
            const from = slots[0].start;
            const to = slots[slots.length - 1].end;
            const [apts, holds] = await Promise.all([
                this.appointments.busyIntervals(tenantId, resource.id, from, to),
                this.holds.activeIntervals(tenantId, resource.id, from, to),
            ]);
            busy = [...apts, ...holds];
        }
        return {
            tenant_id: tenantId,
            resource_id: resource.id,
            date,
            timezone: profile.tenant.timezone,
            slots: slots.map((s) => ({
                start: s.start.toISOString(),
                end: s.end.toISOString(),
                available: s.start.getTime() > now && !busy.some((b) => b.start_time < s.end && b.end_time > s.start),
            })),
        };
    }
};
AvailabilityService = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [TenantService,
        AppointmentRepository,
        HoldRepository])
], AvailabilityService);
export { AvailabilityService };
