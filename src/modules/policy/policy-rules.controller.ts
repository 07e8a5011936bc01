import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { Caller, type RequestContext } from '../../common/http/request-context.js';
import { scopeTenant } from '../../common/auth/tenant-scope.js';
import { ApiErrors, ApiProtected } from '../../common/openapi/api-errors.decorator.js';
import { PolicyDecisionView } from './dto/policy-decision.view.js';
import { CreatePolicyRuleDto, EvaluatePolicyDto, ListPolicyRulesQuery, RuleIdParam, UpdatePolicyRuleDto } from './dto/policy-rule.dto.js';
import { PolicyAnalysisView, PolicyRuleChangedView, PolicyRuleListView } from './dto/policy-rule.view.js';
import { PolicyEngine } from './policy-engine.service.js';
import { PolicyErrorCode, PolicyException } from './policy.exception.js';
import { PolicyRuleRepository, type PolicyRuleRow } from './policy-rule.repository.js';
import { PolicyRulesService } from './policy-rules.service.js';

@ApiTags('policy')
@ApiProtected()
@Controller('api/policy-rules')
export class PolicyRulesController {
  constructor(
    private readonly rules: PolicyRulesService,
    private readonly repo: PolicyRuleRepository,
    private readonly engine: PolicyEngine,
  ) {}

  @Get()
  @ApiOperation({ summary: "Rules: a tenant key sees its tenant's rules and the global ones" })
  @ApiOkResponse({ type: PolicyRuleListView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: names the field', 404: "a tenant key naming another tenant's id" })
  async list(@Query() q: ListPolicyRulesQuery, @CurrentPrincipal() p: Principal) {
    const tenantId = p.kind === 'tenant' ? scopeTenant(p, q.tenant_id) : q.tenant_id;
    return { items: await this.repo.list({ tenantId, includeGlobal: true, action: q.action, limit: 1000 }) };
  }

  @Get('analysis')
  @ApiOperation({ summary: 'Static warnings over the current rule set: shadowed rules and allow/deny ties' })
  @ApiOkResponse({ type: PolicyAnalysisView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: names the field', 404: "a tenant key naming another tenant's id" })
  async analysis(@Query() q: ListPolicyRulesQuery, @CurrentPrincipal() p: Principal) {
    const tenantId = p.kind === 'tenant' ? scopeTenant(p, q.tenant_id) : q.tenant_id;
    return { warnings: await this.rules.analysis(tenantId) };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a rule (global rules are the admin’s); answers warnings if it is shadowed or ties' })
  @ApiCreatedResponse({ type: PolicyRuleChangedView })
  @ApiErrors({
    400: 'VALIDATION_FAILED, UNKNOWN_ACTION or INVALID_CONDITIONS (names the field)',
    404: "a tenant key naming another tenant's id",
  })
  async create(@Body() dto: CreatePolicyRuleDto, @CurrentPrincipal() p: Principal, @Caller() caller: RequestContext) {
    const tenantId = p.kind === 'tenant' ? scopeTenant(p, dto.tenant_id) : (dto.tenant_id ?? null);
    const { rule, warnings } = await this.rules.create({ ...dto, tenant_id: tenantId }, caller);
    return { ...rule, warnings };
  }

  @Post('evaluate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Dry run: the decision for a hypothetical action and context, without acting' })
  @ApiOkResponse({ type: PolicyDecisionView })
  @ApiErrors({ 400: 'VALIDATION_FAILED: names the field', 404: "a tenant key naming another tenant's id" })
  async evaluate(@Body() dto: EvaluatePolicyDto, @CurrentPrincipal() p: Principal, @Caller() caller: RequestContext) {
    const tenantId = p.kind === 'tenant' ? scopeTenant(p, dto.tenant_id) : (dto.tenant_id ?? null);
    return this.engine.evaluate(dto.action, tenantId, { ...(dto.context ?? {}) }, { dryRun: true, ignoreKillSwitch: false, context: caller });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a rule (effect, conditions, priority, active, description); global rules are the admin’s' })
  @ApiOkResponse({ type: PolicyRuleChangedView })
  @ApiErrors({
    400: 'VALIDATION_FAILED or INVALID_CONDITIONS (names the field)',
    403: 'GLOBAL_RULE_ADMIN_ONLY: a tenant key cannot change a global rule',
    404: 'RULE_NOT_FOUND (or another tenant’s)',
  })
  async update(@Param() param: RuleIdParam, @Body() dto: UpdatePolicyRuleDto, @CurrentPrincipal() p: Principal, @Caller() caller: RequestContext) {
    const existing = await this.writable(param.id, p);
    const { rule, warnings } = await this.rules.update(existing, dto, caller);
    return { ...rule, warnings };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a rule; global rules are the admin’s' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors({
    400: 'VALIDATION_FAILED: id is not a uuid',
    403: 'GLOBAL_RULE_ADMIN_ONLY: a tenant key cannot delete a global rule',
    404: 'RULE_NOT_FOUND (or another tenant’s)',
  })
  async remove(@Param() param: RuleIdParam, @CurrentPrincipal() p: Principal, @Caller() caller: RequestContext): Promise<void> {
    await this.rules.remove(await this.writable(param.id, p), caller);
  }

  private async writable(id: string, p: Principal): Promise<PolicyRuleRow> {
    const rule = await this.repo.findById(id);
    if (!rule || (p.kind === 'tenant' && rule.tenant_id !== null && rule.tenant_id !== p.tenantId)) {
      throw new PolicyException(PolicyErrorCode.RULE_NOT_FOUND, 'policy rule not found', 'id');
    }
    if (p.kind === 'tenant' && rule.tenant_id === null) {
      throw new PolicyException(PolicyErrorCode.GLOBAL_RULE_ADMIN_ONLY, 'global rules can only be changed with the admin key');
    }
    return rule;
  }
}
