/** A tenant's webhook endpoint (one per tenant). The secret signs deliveries; it is shown once, when generated. */
export interface TenantWebhook {
  tenant_id: string;
  url: string;
  secret: string;
  enabled: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}
