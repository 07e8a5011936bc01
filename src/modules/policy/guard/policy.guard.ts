import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { AuthenticatedRequest, Principal } from '../../../common/auth/principal.js';
import { requestContextOf, type RequestContext } from '../../../common/http/request-context.js';
import { PolicyEngine } from '../policy-engine.service.js';
import { PolicyErrorCode, PolicyException } from '../policy.exception.js';
import { POLICY_REQUIREMENT, type PolicyRequirement, type PolicyTarget, type PolicyTargetResolver } from './requires-policy.decorator.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class PolicyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    private readonly engine: PolicyEngine,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.get<PolicyRequirement | undefined>(POLICY_REQUIREMENT, ctx.getHandler());
    if (!requirement) return true;
    const target = await this.target(requirement, ctx);
    if (!target) return true;
    const decision = await this.engine.evaluate(target.action, target.tenantId, target.context, { context: this.caller(ctx) });
    if (decision.effect !== 'allow') {
      throw new PolicyException(PolicyErrorCode.POLICY_DENIED, `policy denies ${target.action}: ${decision.reason}`, undefined, { decision });
    }
    return true;
  }

  private async target(requirement: PolicyRequirement, ctx: ExecutionContext): Promise<PolicyTarget | null> {
    if (typeof requirement !== 'string') {
      const resolver = this.moduleRef.get<PolicyTargetResolver>(requirement, { strict: false });
      return resolver.resolve(ctx);
    }
    const principal = this.principal(ctx);
    let tenantId: string | null = principal?.kind === 'tenant' ? principal.tenantId : null;
    if (!tenantId && ctx.getType() === 'http') {
      const req = ctx.switchToHttp().getRequest<{ body?: Record<string, unknown>; query?: Record<string, unknown> }>();
      const candidate = req.body?.tenant_id ?? req.query?.tenant_id;
      if (typeof candidate === 'string' && UUID.test(candidate)) tenantId = candidate;
    }
    return { action: requirement, tenantId, context: {} };
  }

  private caller(ctx: ExecutionContext): RequestContext {
    if (ctx.getType() === 'http') return requestContextOf(ctx.switchToHttp().getRequest<AuthenticatedRequest>());
    return { correlationId: null, actor: this.principal(ctx)?.actor ?? 'anonymous' };
  }

  private principal(ctx: ExecutionContext): Principal | undefined {
    if (ctx.getType() === 'ws') return (ctx.switchToWs().getClient() as { data?: { principal?: Principal } }).data?.principal;
    return ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  }
}
