import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { HttpThrottlerGuard } from './http-throttler.guard.js';
import { SlidingWindowThrottlerStorage } from './sliding-window-throttler.storage.js';

/**
 * Per-client (IP) rate limit over all routes together: RATE_LIMIT_PER_MINUTE requests a minute, then 429
 * TOO_MANY_REQUESTS with `Retry-After`. Routes marked `@SkipThrottle()` (health, metrics,
 * dashboard) are exempt. The counters live in each process: with N instances behind a balancer a
 * client gets up to N times the limit. They cost O(1) per request (SlidingWindowThrottlerStorage).
 */
@Module({})
export class RateLimitModule {
  static forRoot(limitPerMinute: number): DynamicModule {
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: limitPerMinute }],
          // one budget per client across every route (the default would count each route apart)
          generateKey: (_ctx, tracker, throttler) => `${throttler}:${tracker}`,
          errorMessage: `too many requests: the limit is ${limitPerMinute} a minute; retry after the time in Retry-After (seconds)`,
          storage: new SlidingWindowThrottlerStorage(),
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: HttpThrottlerGuard }],
    };
  }
}
