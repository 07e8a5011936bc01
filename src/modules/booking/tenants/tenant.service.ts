import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApiKeyService } from '../../../common/auth/api-key.service.js';
import { pgCode, pgConstraint, UNIQUE_VIOLATION } from '../../../common/database/pg-errors.js';
import { UnitOfWork } from '../../../common/events/unit-of-work.js';
import type { RequestContext } from '../../../common/http/request-context.js';
import { isValidTimeZone } from '../../../common/time/zoned-time.js';
import { BookingErrorCode, BookingException } from '../booking.exception.js';
import { parseBusinessHours } from './business-hours.js';
import { TenantRepository } from './tenant.repository.js';
import type { Resource, Tenant } from './tenant.types.js';

export interface TenantProfile {
  tenant: Tenant;
  resources: Resource[];
  defaultResource: Resource;
}

const CACHE_MS = 30_000;

/** Tenants and their resources; the profile (timezone, grid, hours, resources) is cached briefly. */
@Injectable()
export class TenantService {
  private readonly cache = new Map<string, { profile: TenantProfile; expires: number }>();

  constructor(
    private readonly repo: TenantRepository,
    private readonly uow: UnitOfWork,
    private readonly keys: ApiKeyService,
  ) {}

  async create(input: { name: string; slug: string; timezone: string; slot_minutes?: number; business_hours?: unknown; resource_name?: string }, context: RequestContext) {
    if (!isValidTimeZone(input.timezone)) {
      throw new BookingException(BookingErrorCode.INVALID_SLOT, 'timezone: not a known IANA time zone', 'timezone');
    }
    const slotMinutes = input.slot_minutes ?? 30;
    const hours = parseBusinessHours(input.business_hours, slotMinutes);
    try {
      return await this.uow.run({ context }, async (tx) => {
        const tenant = await this.repo.insert(tx.manager, { name: input.name, slug: input.slug, timezone: input.timezone, slot_minutes: slotMinutes, business_hours: hours });
        const resource = await this.repo.insertResource(tx.manager, tenant.id, input.resource_name ?? 'Default', true);
        const key = await this.keys.issueTenantKey(tx.manager, tenant.id);
        tx.audit({ tenant_id: tenant.id, event_type: 'tenant.created', entity_type: 'tenant', entity_id: tenant.id, payload: { slug: tenant.slug, timezone: tenant.timezone, api_key_id: key.id } });
        return { tenant, resource, api_key: key.key, api_key_id: key.id };
      });
    } catch (e) {
      if (pgCode(e) === UNIQUE_VIOLATION && pgConstraint(e) === 'tenants_slug_key') {
        throw new BookingException(BookingErrorCode.SLUG_TAKEN, 'slug: a tenant with this slug already exists', 'slug');
      }
      throw e;
    }
  }

  async addResource(tenantId: string, name: string, context: RequestContext): Promise<Resource> {
    await this.profile(tenantId);
    const resource = await this.uow.run({ context }, async (tx) => {
      const r = await this.repo.insertResource(tx.manager, tenantId, name, false);
      tx.audit({ tenant_id: tenantId, event_type: 'resource.created', entity_type: 'resource', entity_id: r.id, payload: {} });
      return r;
    });
    this.cache.delete(tenantId);
    return resource;
  }

  /** The tenant with its resources; 404 when it does not exist. */
  async profile(tenantId: string, manager?: EntityManager): Promise<TenantProfile> {
    const hit = this.cache.get(tenantId);
    const now = Date.now();
    if (hit && hit.expires > now) return hit.profile;
    const tenant = await this.repo.findById(tenantId, manager);
    if (!tenant) throw new BookingException(BookingErrorCode.TENANT_NOT_FOUND, 'tenant not found', 'tenant_id');
    const resources = await this.repo.resources(tenantId, manager);
    const defaultResource = resources.find((r) => r.is_default) ?? resources[0];
    if (!defaultResource) throw new BookingException(BookingErrorCode.RESOURCE_NOT_FOUND, 'tenant has no resource', 'resource_id');
    const profile = { tenant, resources, defaultResource };
    if (this.cache.size > 5000) this.cache.clear();
    this.cache.set(tenantId, { profile, expires: now + CACHE_MS });
    return profile;
  }

  /** The resource to book: the given one (must belong to the tenant) or the tenant's default. */
  async resolveResource(tenantId: string, resourceId?: string): Promise<{ profile: TenantProfile; resource: Resource }> {
    let profile = await this.profile(tenantId);
    if (!resourceId) return { profile, resource: profile.defaultResource };
    let resource = profile.resources.find((r) => r.id === resourceId);
    if (!resource) {
      this.cache.delete(tenantId); // a resource added on another instance
      profile = await this.profile(tenantId);
      resource = profile.resources.find((r) => r.id === resourceId);
    }
    if (!resource) throw new BookingException(BookingErrorCode.RESOURCE_NOT_FOUND, 'resource not found for this tenant', 'resource_id');
    return { profile, resource };
  }

  list(limit = 100): Promise<Tenant[]> {
    return this.repo.list(limit);
  }

  findBySlug(slug: string): Promise<Tenant | null> {
    return this.repo.findBySlug(slug);
  }
}
