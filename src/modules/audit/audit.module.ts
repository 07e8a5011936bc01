import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditController } from './audit.controller.js';
import { AuditChainRepository } from './chain/audit-chain.repository.js';
import { AuditSealer } from './chain/audit-sealer.js';
import { AuditVerifier } from './chain/audit-verifier.js';
import { AuditLogRepository } from './log/audit-log.repository.js';
import { AuditLogService } from './log/audit-log.service.js';
import { AuditInterceptor } from './request/audit.interceptor.js';

/**
 * The audit trail: seals appended rows into per-tenant hash chains, verifies them, lists them, and
 * audits every admin API request. Depends on `common` only (rows are appended by `AuditAppender` and `AuditBatchWriter`).
 */
@Module({
  controllers: [AuditController],
  providers: [
    AuditChainRepository,
    AuditSealer,
    AuditVerifier,
    AuditLogRepository,
    AuditLogService,
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [AuditSealer, AuditVerifier],
})
export class AuditModule {}
