var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Module } from '@nestjs/common';
import { AppointmentRepository } from './appointments/appointment.repository.js';
import { AppointmentService } from './appointments/appointment.service.js';
import { AppointmentsController } from './appointments/appointments.controller.js';
import { AvailabilityController } from './availability/availability.controller.js';
import { AvailabilityService } from './availability/availability.service.js';
import { HoldSweeper } from './holds/hold-sweeper.js';
import { HoldRepository } from './holds/hold.repository.js';
import { HoldService } from './holds/hold.service.js';
import { HoldsController } from './holds/holds.controller.js';
import { TenantRepository } from './tenants/tenant.repository.js';
import { TenantService } from './tenants/tenant.service.js';
import { TenantsController } from './tenants/tenants.controller.js';
/** Tenants, availability, holds and appointments: the booking core that never overbooks. */
let BookingModule = class BookingModule {
};
BookingModule = __decorate([
    Module({
        controllers: [TenantsController, AvailabilityController, HoldsController, AppointmentsController],
        providers: [TenantRepository, TenantService, AppointmentRepository, AppointmentService, HoldRepository, HoldService, HoldSweeper, AvailabilityService],
        exports: [TenantService, AppointmentService],
    })
], BookingModule);
export { BookingModule };
