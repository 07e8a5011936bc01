import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { scopeTenant, tenantFilter } from '../../../common/auth/tenant-scope.js';
import { decodeCursor, encodeCursor } from '../../../common/http/cursor.js';
import { Caller, type RequestContext } from '../../../common/http/request-context.js';
import { ApiErrors, ApiProtected } from '../../../common/openapi/api-errors.decorator.js';
import { CreateAppointmentDto, IdParam, ListAppointmentsQuery, RescheduleDto } from '../dto/appointment.dto.js';
import { AppointmentPageView, AppointmentView } from '../dto/appointment.view.js';
import { AppointmentService } from './appointment.service.js';
import type { Appointment } from './appointment.types.js';

function view(a: Appointment): AppointmentView {
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

@ApiTags('booking')
@ApiProtected()
@Controller('api/appointments')
export class AppointmentsController {
  constructor(private readonly appointments: AppointmentService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Book a slot (from a hold, or directly)' })
  @ApiCreatedResponse({ type: AppointmentView })
  @ApiErrors({
    400: 'VALIDATION_FAILED or INVALID_SLOT (off the grid, outside business hours, in the past): names the field',
    404: "TENANT_NOT_FOUND, RESOURCE_NOT_FOUND, HOLD_NOT_FOUND, or a tenant key naming another tenant's id",
    409: 'SLOT_TAKEN, HOLD_MISMATCH or CONTENTION',
    410: 'HOLD_EXPIRED',
  })
  async create(@Body() dto: CreateAppointmentDto, @CurrentPrincipal() principal: Principal, @Caller() caller: RequestContext): Promise<AppointmentView> {
    return view(await this.appointments.book({ ...dto, tenant_id: scopeTenant(principal, dto.tenant_id) }, caller));
  }

  @Get()
  @ApiOperation({ summary: 'List appointments (keyset pagination by start time)' })
  @ApiOkResponse({ type: AppointmentPageView })
  @ApiErrors({ 400: 'invalid filter or cursor (names the field)', 404: "a tenant key naming another tenant's id" })
  async list(@Query() q: ListAppointmentsQuery, @CurrentPrincipal() principal: Principal): Promise<AppointmentPageView> {
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

  @Get(':id')
  @ApiOperation({ summary: 'One appointment' })
  @ApiOkResponse({ type: AppointmentView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: id is not a uuid', 404: 'APPOINTMENT_NOT_FOUND (or another tenant’s)' })
  async get(@Param() p: IdParam, @CurrentPrincipal() principal: Principal) {
    return view(await this.appointments.get(p.id, tenantFilter(principal)));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a confirmed appointment (its pending jobs are cancelled, a notice is sent)' })
  @ApiOkResponse({ type: AppointmentView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: id is not a uuid', 404: 'APPOINTMENT_NOT_FOUND (or another tenant’s)', 409: 'INVALID_STATE: not confirmed' })
  async cancel(@Param() p: IdParam, @CurrentPrincipal() principal: Principal, @Caller() caller: RequestContext) {
    return view(await this.appointments.cancel(p.id, tenantFilter(principal), caller));
  }

  @Post(':id/reschedule')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a confirmed appointment to another slot, atomically' })
  @ApiOkResponse({ type: AppointmentView })
  @ApiErrors({
    400: 'VALIDATION_FAILED or INVALID_SLOT: names the field',
    404: 'APPOINTMENT_NOT_FOUND (or another tenant’s)',
    409: 'SLOT_TAKEN (the original is untouched), INVALID_STATE or CONTENTION',
  })
  async reschedule(@Param() p: IdParam, @Body() dto: RescheduleDto, @CurrentPrincipal() principal: Principal, @Caller() caller: RequestContext) {
    return view(await this.appointments.reschedule(p.id, tenantFilter(principal), dto.start, dto.end, caller));
  }

  @Post(':id/check-in')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record that the client arrived (no no-show handling for it)' })
  @ApiOkResponse({ type: AppointmentView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: id is not a uuid', 404: 'APPOINTMENT_NOT_FOUND (or another tenant’s)', 409: 'INVALID_STATE: not confirmed' })
  async checkIn(@Param() p: IdParam, @CurrentPrincipal() principal: Principal, @Caller() caller: RequestContext) {
    return view(await this.appointments.checkIn(p.id, tenantFilter(principal), caller));
  }
}
