/** Who is calling: the platform admin, or one tenant's API key. */
export type Principal =
  | { kind: 'admin'; actor: 'admin' }
  | { kind: 'tenant'; tenantId: string; keyId: string; actor: string };

export interface AuthenticatedRequest {
  principal?: Principal;
  correlationId?: string;
}
