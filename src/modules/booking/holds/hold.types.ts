import type { HoldSnapshot } from '../../../common/events/domain-events.js';

export interface Hold {
  id: string;
  tenant_id: string;
  resource_id: string;
  start_time: Date;
  end_time: Date;
  expires_at: Date;
  status: 'active' | 'confirmed' | 'expired';
  created_at: Date;
}

export function holdSnapshot(h: Hold): HoldSnapshot {
  return {
    id: h.id,
    tenant_id: h.tenant_id,
    resource_id: h.resource_id,
    start: h.start_time.toISOString(),
    end: h.end_time.toISOString(),
    expires_at: h.expires_at.toISOString(),
  };
}
