import { Injectable } from '@nestjs/common';
import { CommonErrorCode, CommonException } from '../../../common/errors/app.exception.js';
import { decodeCursor, encodeCursor } from '../../../common/http/cursor.js';
import type { AuditEntryRow } from '../audit.types.js';
import type { AuditEntryView, AuditPageView } from '../dto/audit-views.js';
import { AuditLogRepository } from './audit-log.repository.js';

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

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
      from: input.from ? new Date(input.from) : undefined,
      to: input.to ? new Date(input.to) : undefined,
      limit,
      before: c ? { createdAt: c.key, id: c.id } : undefined,
    });
    const last = rows[rows.length - 1];
    return { items: rows.map(view), next_cursor: rows.length === limit && last ? encodeCursor(last.created_at, last.id) : null };
  }
}
