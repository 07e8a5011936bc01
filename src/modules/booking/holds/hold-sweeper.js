var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import { ADVISORY_LOCKS, tryAdvisoryXactLock } from '../../../common/database/advisory-lock.js';
import { UnitOfWork } from '../../../common/events/unit-of-work.js';
import { HoldService } from './hold.service.js';
/** Interval sweeper expiring holds past their TTL; one instance at a time (advisory lock). */
let HoldSweeper = class HoldSweeper {
    uow;
    holds;
    scheduler;
    config;
    logger = new Logger('HoldSweeper');
    running = false;
    stopped = false;
    constructor(uow, holds, scheduler, config) {
        this.uow = uow;
        this.holds = holds;
        this.scheduler = scheduler;
        this.config = config;
    }
    onApplicationBootstrap() {
        if (this.config.role === 'api')
            return;
        this.scheduler.addInterval('hold-sweeper', setInterval(() => void this.sweep(), this.config.holdSweepIntervalMs));
    }
    onModuleDestroy() {
        this.stopped = true;
    }
    async sweep() {
        if (this.running || this.stopped)
            return 0;
        this.running = true;
        try {
            return await this.uow.run({ actor: 'system' }, async (tx) => {
                if (!(await tryAdvisoryXactLock(tx.manager, ADVISORY_LOCKS.holdSweeper)))
                    return 0;
                return this.holds.expireDue(tx);
            });
        }
        catch (e) {
            this.logger.warn(`hold sweep failed: ${String(e)}`);
            return 0;
        }
        finally {
            this.running = false;
        }
    }
};
HoldSweeper = __decorate([
    Injectable(),
    __param(3, Inject(APP_CONFIG)),
    __metadata("design:paramtypes", [UnitOfWork,
        HoldService,
        SchedulerRegistry, Object])
], HoldSweeper);
export { HoldSweeper };
