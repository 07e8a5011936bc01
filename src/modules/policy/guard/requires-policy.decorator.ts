import { applyDecorators, SetMetadata, UseGuards, type ExecutionContext, type Type } from '@nestjs/common';
import type { PolicyContext } from '../engine/policy.types.js';
import { PolicyGuard } from './policy.guard.js';

export const POLICY_REQUIREMENT = 'policy:requirement';

/** What a hand-triggered action is: resolved from the request (e.g. the job being retried). */
export interface PolicyTarget {
  action: string;
  tenantId: string | null;
  context: PolicyContext;
}

/** Resolves the target of a request; null lets the handler answer (e.g. 404 for an unknown id). */
export interface PolicyTargetResolver {
  resolve(ctx: ExecutionContext): Promise<PolicyTarget | null>;
}

export type PolicyRequirement = string | Type<PolicyTargetResolver>;

/**
 * Gates an HTTP or WebSocket handler that triggers an action by hand: the policy engine decides,
 * through the same path as the job runner, and a deny answers 403 with the decision.
 */
export const RequiresPolicy = (requirement: PolicyRequirement) =>
  applyDecorators(SetMetadata(POLICY_REQUIREMENT, requirement), UseGuards(PolicyGuard));
