import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditAppender } from '../../../common/audit/audit-appender.js';
import { BatchLoader } from '../../../common/concurrency/batch-loader.js';
import { EXCLUSION_VIOLATION, pgCode, SERIALIZATION_FAILURE, DEADLOCK_DETECTED } from '../../../common/database/pg-errors.js';
import { UnitOfWork, type Tx } from '../../../common/events/unit-of-work.js';
import type { RequestContext } from '../../../common/http/request-context.js';
import { validateSlot } from '../availability/slot-rules.js';
import { BookingErrorCode, BookingException } from '../booking.exception.js';
import { HoldRepository } from '../holds/hold.repository.js';
import { lockResource } from '../resource-lock.js';
import { TenantService } from '../tenants/tenant.service.js';
import { AppointmentRepository, type AppointmentFilter } from './appointment.repository.js';
import { newSnapshot, snapshot, type Appointment } from './appointment.types.js';

export interface BookInput {
  tenant_id: string;
  resource_id?: string;
  hold_id?: string;
  start: string;
  end: string;
  client_name: string;
  client_email: string;
  client_phone?: string;
  service?: string;
}

/**
 * Booking use cases. Writes that can overbook run SERIALIZABLE under a per-resource advisory lock,
 * with the EXCLUDE constraint as the last line of defence; the change, its domain event and its
 * audit row commit together.
 */
@Injectable()
export class AppointmentService {
  private readonly actionReads = new BatchLoader<string, Appointment>(async (ids) => new Map((await this.appointments.findManyByIds(ids)).map((a) => [a.id, a])));

  constructor(
    private readonly uow: UnitOfWork,
    private readonly appointments: AppointmentRepository,
    private readonly holds: HoldRepository,
    private readonly tenants: TenantService,
    private readonly audit: AuditAppender,
  ) {}

  async book(input: BookInput, context: RequestContext): Promise<Appointment> {
    const { profile, resource } = await this.tenants.resolveResource(input.tenant_id, input.resource_id);
    const { start, end } = validateSlot(profile.tenant, input.start, input.end);
    const booked = await this.slotWrite(() =>
      this.uow.run({ isolation: 'SERIALIZABLE', context }, async (tx) => {
        const m = tx.manager;
        const row = {
          tenant_id: input.tenant_id,
          resource_id: resource.id,
          hold_id: input.hold_id ?? null,
          client_name: input.client_name,
          client_email: input.client_email,
          client_phone: input.client_phone ?? null,
          service: input.service ?? null,
          start,
          end,
        };
        if (!input.hold_id) {
          // the whole transaction in one statement, sent with its opening and its COMMIT: lock,
          // hold check, insert, and the event with its audit row (written only if it inserted)
          const direct = { ...row, id: randomUUID(), status: 'confirmed' as const, version: 1, calendar_sync_status: 'none' as const };
          const created = tx.prepare('BookingCreated', direct.tenant_id, { appointment: newSnapshot(direct), tenant_id: direct.tenant_id });
          return tx.commitWith(async () => {
            const inserted = await this.appointments.insertUnlessHeld(m, direct, created);
            if (inserted) tx.written(created);
            return inserted;
          });
        }
        await lockResource(m, resource.id);
        const hold = await this.holds.findForUpdate(m, input.hold_id, input.tenant_id);
        if (!hold) throw new BookingException(BookingErrorCode.HOLD_NOT_FOUND, 'hold not found', 'hold_id');
        if (hold.status === 'expired' || (hold.status === 'active' && hold.expired_now)) {
          throw new BookingException(BookingErrorCode.HOLD_EXPIRED, 'the hold has expired; hold the slot again', 'hold_id');
        }
        if (hold.status !== 'active') throw new BookingException(BookingErrorCode.HOLD_MISMATCH, 'the hold was already used', 'hold_id');
        if (hold.resource_id !== resource.id || hold.start_time.getTime() !== start.getTime() || hold.end_time.getTime() !== end.getTime()) {
          throw new BookingException(BookingErrorCode.HOLD_MISMATCH, 'the hold is for another resource or time', 'hold_id');
        }
        await this.holds.markConfirmed(m, hold.id);
        const apt = await this.appointments.insert(m, row);
        await tx.record('BookingCreated', apt.tenant_id, { appointment: snapshot(apt), tenant_id: apt.tenant_id });
        return apt;
      }),
    );
    if (!booked) throw new BookingException(BookingErrorCode.SLOT_TAKEN, 'the slot is held by another client', 'start');
    return booked;
  }

  async cancel(id: string, tenantId: string | undefined, context: RequestContext): Promise<Appointment> {
    return this.uow.run({ isolation: 'READ COMMITTED', context }, async (tx) => {
      const current = await this.mustFind(tx, id, tenantId);
      if (current.status !== 'confirmed') {
        throw new BookingException(BookingErrorCode.INVALID_STATE, `cannot cancel an appointment that is ${current.status}`, 'status');
      }
      const apt = await this.appointments.cancel(tx.manager, id);
      await tx.record('BookingCancelled', apt.tenant_id, { appointment: snapshot(apt), tenant_id: apt.tenant_id });
      return apt;
    });
  }

  /** Moves a confirmed appointment; onto a taken slot it answers 409 and leaves the original untouched. */
  async reschedule(id: string, tenantId: string | undefined, startIso: string, endIso: string, context: RequestContext): Promise<Appointment> {
    const existing = await this.appointments.findById(id, tenantId);
    if (!existing) throw new BookingException(BookingErrorCode.APPOINTMENT_NOT_FOUND, 'appointment not found', 'id');
    const { profile } = await this.tenants.resolveResource(existing.tenant_id, existing.resource_id);
    const { start, end } = validateSlot(profile.tenant, startIso, endIso);
    return this.slotWrite(() =>
      this.uow.run({ isolation: 'SERIALIZABLE', context }, async (tx) => {
        await lockResource(tx.manager, existing.resource_id);
        const current = await this.mustFind(tx, id, tenantId);
        if (current.status !== 'confirmed') {
          throw new BookingException(BookingErrorCode.INVALID_STATE, `cannot reschedule an appointment that is ${current.status}`, 'status');
        }
        if (current.start_time.getTime() === start.getTime() && current.end_time.getTime() === end.getTime()) {
          throw new BookingException(BookingErrorCode.INVALID_STATE, 'the appointment is already at that time', 'start');
        }
        if (await this.holds.overlapsActive(tx.manager, current.tenant_id, current.resource_id, start, end)) {
          throw new BookingException(BookingErrorCode.SLOT_TAKEN, 'the slot is held by another client', 'start');
        }
        const moved = await this.appointments.move(tx.manager, id, start, end);
        await tx.record('BookingRescheduled', moved.tenant_id, { old_apt: snapshot(current), new_apt: snapshot(moved), tenant_id: moved.tenant_id });
        return moved;
      }),
    );
  }

  async checkIn(id: string, tenantId: string | undefined, context: RequestContext): Promise<Appointment> {
    return this.uow.run({ context }, async (tx) => {
      const current = await this.mustFind(tx, id, tenantId);
      if (current.status !== 'confirmed') {
        throw new BookingException(BookingErrorCode.INVALID_STATE, `cannot check in an appointment that is ${current.status}`, 'status');
      }
      const apt = await this.appointments.checkIn(tx.manager, id);
      tx.audit({ tenant_id: apt.tenant_id, event_type: 'appointment.checked_in', entity_type: 'appointment', entity_id: apt.id, payload: { version: apt.version } });
      return apt;
    });
  }

  /**
   * For an action about to act on the appointment: reads it inside the caller's transaction and
   * holds a share lock, so a concurrent cancel or reschedule waits for the action to commit (or is
   * seen by it).
   */
  async lockForAction(manager: EntityManager, id: string): Promise<Appointment | null> {
    return this.appointments.findForShare(manager, id);
  }

  /**
   * For an action that runs outside a transaction (its tool writes in its own): a plain read, since
   * a share lock would end with the statement anyway (and, taken outside a transaction, would cost a
   * WAL flush). The reads of the jobs started in one turn of the event loop go out as one statement.
   */
  async readForAction(id: string): Promise<Appointment | null> {
    return (await this.actionReads.load(id)) ?? null;
  }

  /** Marks a no-show, only if the appointment is still the version the decision was made for. */
  async markNoShow(manager: EntityManager, id: string, expectedVersion: number): Promise<Appointment | null> {
    const apt = await this.appointments.setStatus(manager, id, 'no_show', expectedVersion);
    if (apt) {
      // the no-show is an audited change; it is not a domain event of the SPEC's table
      await this.audit.append(manager, [{ tenant_id: apt.tenant_id, event_type: 'appointment.no_show', entity_type: 'appointment', entity_id: apt.id, actor: 'agent', payload: { version: apt.version } }]);
    }
    return apt;
  }

  async get(id: string, tenantId: string | undefined): Promise<Appointment> {
    const apt = await this.appointments.findById(id, tenantId);
    if (!apt) throw new BookingException(BookingErrorCode.APPOINTMENT_NOT_FOUND, 'appointment not found', 'id');
    return apt;
  }

  list(filter: AppointmentFilter): Promise<Appointment[]> {
    return this.appointments.list(filter);
  }

  private async mustFind(tx: Tx, id: string, tenantId: string | undefined): Promise<Appointment> {
    const apt = await this.appointments.findForUpdate(tx.manager, id, tenantId);
    if (!apt) throw new BookingException(BookingErrorCode.APPOINTMENT_NOT_FOUND, 'appointment not found', 'id');
    return apt;
  }

  /** Maps the database's verdicts on a contended slot to 409s; never a 500. */
  private async slotWrite<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      const code = pgCode(e);
      if (code === EXCLUSION_VIOLATION) throw new BookingException(BookingErrorCode.SLOT_TAKEN, 'the slot is already booked', 'start');
      if (code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED) {
        throw new BookingException(BookingErrorCode.CONTENTION, 'the slot is under heavy contention; retry', 'start');
      }
      throw e;
    }
  }
}

