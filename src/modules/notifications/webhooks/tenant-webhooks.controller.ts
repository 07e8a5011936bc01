import { Body, Controller, Delete, Get, HttpCode, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { scopeTenant } from '../../../common/auth/tenant-scope.js';
import { Caller, type RequestContext } from '../../../common/http/request-context.js';
import { ApiErrors, ApiProtected } from '../../../common/openapi/api-errors.decorator.js';
import { SetWebhookEndpointDto, WebhookTenantQuery } from '../dto/webhook-endpoint.dto.js';
import { toWebhookEndpointView, WebhookEndpointView } from '../dto/webhook-endpoint.view.js';
import { TenantWebhookService } from './tenant-webhook.service.js';

@ApiTags('notifications')
@ApiProtected()
@Controller('api/notifications/webhook')
export class TenantWebhooksController {
  constructor(private readonly webhooks: TenantWebhookService) {}

  @Put()
  @ApiOperation({ summary: "Set the tenant's webhook endpoint (re-enables it); a new endpoint's secret is shown once" })
  @ApiOkResponse({ type: WebhookEndpointView })
  @ApiErrors({
    400: 'VALIDATION_FAILED (names the field; the admin must give tenant_id) or WEBHOOK_URL_REFUSED: not http(s), or localhost/private without WEBHOOK_ALLOW_PRIVATE',
    404: "a tenant key naming another tenant's id",
  })
  async set(@Body() dto: SetWebhookEndpointDto, @CurrentPrincipal() p: Principal, @Caller() caller: RequestContext): Promise<WebhookEndpointView> {
    const { webhook, secret } = await this.webhooks.set(scopeTenant(p, dto.tenant_id), dto.url, caller, dto.rotate_secret === true);
    return toWebhookEndpointView(webhook, secret);
  }

  @Get()
  @ApiOperation({ summary: "The tenant's webhook endpoint (without its secret)" })
  @ApiOkResponse({ type: WebhookEndpointView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: the admin must give tenant_id', 404: "WEBHOOK_NOT_FOUND, or a tenant key naming another tenant's id" })
  async get(@Query() q: WebhookTenantQuery, @CurrentPrincipal() p: Principal): Promise<WebhookEndpointView> {
    return toWebhookEndpointView(await this.webhooks.get(scopeTenant(p, q.tenant_id)));
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: "Delete the tenant's webhook endpoint (pending webhook notifications then fail)" })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors({ 400: 'VALIDATION_FAILED: the admin must give tenant_id', 404: "WEBHOOK_NOT_FOUND, or a tenant key naming another tenant's id" })
  async remove(@Query() q: WebhookTenantQuery, @CurrentPrincipal() p: Principal, @Caller() caller: RequestContext): Promise<void> {
    await this.webhooks.remove(scopeTenant(p, q.tenant_id), caller);
  }
}
