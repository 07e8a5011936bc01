import { Injectable } from '@nestjs/common';
import { CommonErrorCode, CommonException } from '../../../common/errors/app.exception.js';
import { decodeCursor, encodeCursor } from '../../../common/http/cursor.js';
import type { AuditEntryRow } from '../audit.types.js';
import type { AuditEntryView, AuditPageView } from '../dto/audit-views.js';
import { AuditLogRepository } from './audit-log.repository.js';

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
/** The fraction of the seconds of an ISO-8601 time (`…T08:00:00.123456…` → `123456`). */
const SECOND_FRACTION = /T\d{2}:\d{2}:\d{2}\.(\d+)/;

/**
 * A `from`/`to` bound as an exact UTC timestamp for PostgreSQL. A JS Date keeps milliseconds only,
 * but rows are stored (and listed, and paged) with microseconds: `from=<a row's created_at>` must
 * not include the rows of the same millisecond before it, nor `to=` exclude them. So the digits
 * after the third are carried over from the text (they do not depend on the UTC offset).
 */
function timeBound(value: string, field: 'from' | 'to'): string {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new CommonException(CommonErrorCode.VALIDATION_FAILED, `${field}: is not a valid timestamp`, field);
  const micros = SECOND_FRACTION.exec(value)?.[1]?.slice(3, 6) ?? '';
  return at.toISOString().replace(/Z$/, `${micros}Z`);
}

export interface AuditListInput {
  tenantId: string | undefined;
  eventType?: string;
  entityId?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

function view(r: AuditEntryRow): AuditEntryView {
  return {
    id: r.id,
    tenant_id: r.tenant_id,
    event_type: r.event_type,
    entity_type: r.entity_type,
    entity_id: r.entity_id,
    actor: r.actor,
    payload: r.payload,
    correlation_id: r.correlation_id,
    created_at: r.created_at,
    chain_seq: r.chain_seq === null ? null : Number(r.chain_seq),
    prev_hash: r.prev_hash,
    hash: r.hash,
  };
}

/** The audit trail, filtered and paged newest first. */
@Injectable()
export class AuditLogService {
  constructor(private readonly rows: AuditLogRepository) {}

  async list(input: AuditListInput): Promise<AuditPageView> {
    const limit = input.limit ?? 100;
    const c = decodeCursor(input.cursor);
    if (c && !ISO_MICROS.test(c.key)) throw new CommonException(CommonErrorCode.VALIDATION_FAILED, 'cursor: is not a valid cursor', 'cursor');
    const rows = await this.rows.list({
      tenantId: input.tenantId,
      eventType: input.eventType,
      entityId: input.entityId,
      from: input.from ? timeBound(input.from, 'from') : undefined,
      to: input.to ? timeBound(input.to, 'to') : undefined,
      limit,
      before: c ? { createdAt: c.key, id: c.id } : undefined,
    });
    const last = rows[rows.length - 1];
    return { items: rows.map(view), next_cursor: rows.length === limit && last ? encodeCursor(last.created_at, last.id) : null };
  }
}
