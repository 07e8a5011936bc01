import type { BusinessHours } from './business-hours.js';

export interface Tenant {
  id: string;
  name: string;
  slug: string;
  timezone: string;
  slot_minutes: number;
  business_hours: BusinessHours;
  created_at: Date;
}

export interface Resource {
  id: string;
  tenant_id: string;
  name: string;
  is_default: boolean;
}
