import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../../common/config/app-config.js';
import { APP_CONFIG } from '../../../common/config/config.module.js';
import type { NotificationChannelName } from '../notification.types.js';
import { ExponentialRetrySchedule, FixedRetrySchedule, type RetrySchedule } from './retry-schedule.js';

/**
 * The retry schedule of each channel, from configuration: webhooks follow the Standard Webhooks
 * schedule (`WEBHOOK_RETRY_SCHEDULE_MS`), email and SMS an exponential backoff
 * (`NOTIFICATION_BACKOFF_BASE_MS`, ×3 per attempt, capped at 1 h, `NOTIFICATION_MAX_ATTEMPTS`).
 * A provider, so a test module or another deployment can replace it.
 */
@Injectable()
export class NotificationRetryPolicy {
  private readonly webhook: RetrySchedule;
  private readonly direct: RetrySchedule;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.webhook = new FixedRetrySchedule(config.webhookRetryScheduleMs);
    this.direct = new ExponentialRetrySchedule({
      baseMs: config.notificationBackoffBaseMs,
      factor: 3,
      maxMs: Math.max(3_600_000, config.notificationBackoffBaseMs),
      jitter: 0.1,
      maxAttempts: config.notificationMaxAttempts,
    });
  }

  for(channel: NotificationChannelName): RetrySchedule {
    return channel === 'webhook' ? this.webhook : this.direct;
  }
}
