import { Module } from '@nestjs/common';
import { AppointmentRepository } from './appointments/appointment.repository.js';
import { AppointmentService } from './appointments/appointment.service.js';
import { AppointmentsController } from './appointments/appointments.controller.js';
import { AvailabilityController } from './availability/availability.controller.js';
import { AvailabilityService } from './availability/availability.service.js';
import { calendarProviderFactory } from './calendar/calendar-provider.factory.js';
import { CalendarSyncListener } from './calendar/calendar-sync.listener.js';
import { CalendarSyncRepository } from './calendar/calendar-sync.repository.js';
import { CalendarSyncService } from './calendar/calendar-sync.service.js';
import { HoldSweeper } from './holds/hold-sweeper.js';
import { HoldRepository } from './holds/hold.repository.js';
import { HoldService } from './holds/hold.service.js';
import { HoldsController } from './holds/holds.controller.js';
import { TenantRepository } from './tenants/tenant.repository.js';
import { TenantService } from './tenants/tenant.service.js';
import { TenantsController } from './tenants/tenants.controller.js';

/** Tenants, availability, holds and appointments: the booking core that never overbooks; and the calendar sync port. */
@Module({
  controllers: [TenantsController, AvailabilityController, HoldsController, AppointmentsController],
  providers: [
    TenantRepository, TenantService, AppointmentRepository, AppointmentService, HoldRepository, HoldService, HoldSweeper, AvailabilityService,
    calendarProviderFactory, CalendarSyncRepository, CalendarSyncService, CalendarSyncListener,
  ],
  exports: [TenantService, AppointmentService, CalendarSyncService],
})
export class BookingModule {}
