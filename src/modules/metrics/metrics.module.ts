import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { EventMetricsListener } from './event-metrics.listener.js';
import { HttpMetricsMiddleware } from './http-metrics.middleware.js';
import { JobMetricsListener } from './job-metrics.listener.js';
import { JobStatsRepository } from './job-stats.repository.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics-registry.js';

/**
 * `GET /metrics` (Prometheus text). It only listens (job status feed, policy decisions, domain
 * events, HTTP responses) and reads one aggregate of `jobs`; nothing calls into it.
 */
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, JobStatsRepository, JobMetricsListener, EventMetricsListener, HttpMetricsMiddleware],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
