import { DynamicModule, MiddlewareConsumer, Module, NestModule, type Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './common/auth/auth.module.js';
import type { AppConfig } from './common/config/app-config.js';
import { ConfigModule } from './common/config/config.module.js';
import { APP_DB_ROLE, dataSourceOptions } from './common/database/data-source-options.js';
import { PoolClientGuard } from './common/database/pool-client-guard.js';
import { EventsModule } from './common/events/events.module.js';
import { HealthController } from './common/health/health.controller.js';
import { RateLimitModule } from './common/http/rate-limit.module.js';
import { requestContextMiddleware } from './common/http/request-context.middleware.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { AutonomyModule } from './modules/autonomy/autonomy.module.js';
import { BookingModule } from './modules/booking/booking.module.js';
import { DashboardModule } from './modules/dashboard/dashboard.module.js';
import { JobsModule } from './modules/jobs/jobs.module.js';
import { MetricsModule } from './modules/metrics/metrics.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { PolicyModule } from './modules/policy/policy.module.js';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig & { databaseUrl: string }, extraImports: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, config.dbPoolSize, `agent-runtime-${config.role}`, APP_DB_ROLE, config.dbPreparedStatements)),
        EventEmitterModule.forRoot({ wildcard: false, maxListeners: 50 }),
        ScheduleModule.forRoot(),
        RateLimitModule.forRoot(config.rateLimitPerMinute),
        AuthModule,
        EventsModule,
        AuditModule,
        BookingModule,
        PolicyModule,
        JobsModule,
        NotificationsModule,
        AutonomyModule,
        MetricsModule,
        DashboardModule,
        ...extraImports,
      ],
      controllers: [HealthController],
      providers: [PoolClientGuard],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestContextMiddleware).forRoutes('*');
  }
}
