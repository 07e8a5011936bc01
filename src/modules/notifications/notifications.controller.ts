import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { scopeTenant } from '../../common/auth/tenant-scope.js';
import { ApiErrors, ApiProtected } from '../../common/openapi/api-errors.decorator.js';
import { ListNotificationsQuery } from './dto/list-notifications.query.js';
import { NotificationPageView, toNotificationView } from './dto/notification.view.js';
import { NotificationOutboxService } from './outbox/notification-outbox.service.js';

@ApiTags('notifications')
@ApiProtected()
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly outbox: NotificationOutboxService) {}

  @Get()
  @ApiOperation({ summary: 'The notification outbox, newest first (keyset pagination)' })
  @ApiOkResponse({ type: NotificationPageView })
  @ApiErrors({ 400: 'invalid filter or cursor (names the field)', 404: "a tenant key naming another tenant's id" })
  async list(@Query() q: ListNotificationsQuery, @CurrentPrincipal() principal: Principal): Promise<NotificationPageView> {
    const tenantId = principal.kind === 'tenant' ? scopeTenant(principal, q.tenant_id) : q.tenant_id;
    const page = await this.outbox.list({ tenantId, status: q.status, channel: q.channel, appointmentId: q.appointment_id, limit: q.limit ?? 50, cursor: q.cursor });
    return { items: page.items.map(toNotificationView), next_cursor: page.nextCursor };
  }
}
