import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvironmentVariables } from './environment.js';

export type AppRole = 'all' | 'api' | 'worker';

/** The typed configuration, built once from the environment at start-up. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  role: AppRole;
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolSize: number;
  /** Repeated statements run as named prepared statements (off for poolers that do not keep them per client). */
  dbPreparedStatements: boolean;
  /** Secret: never logged. */
  adminApiKey: string;
  adminApiKeyGenerated: boolean;
  /** Secret: never logged. */
  redactionSecret: string;
  autonomyEnabled: boolean;
  agentMaxConcurrentJobs: number;
  agentJobPollIntervalMs: number;
  agentJobStaleTimeoutMs: number;
  agentJobLeaseMs: number;
  jobListen: boolean;
  /** Claims and completions wait for the WAL flush (false: asynchronous commit for them alone). */
  jobSyncCommit: boolean;
  agentJobShutdownGraceMs: number;
  agentJobBackoffBaseMs: number;
  holdTtlSeconds: number;
  holdSweepIntervalMs: number;
  eventRelayIntervalMs: number;
  eventRelayGraceMs: number;
  reminderLeadMinutes: number;
  noShowGraceMinutes: number;
  followUpDelayMinutes: number;
  jobRetentionDays: number;
  smtpUrl: string | undefined;
  smtpFrom: string;
  calendarProvider: 'none' | 'caldav';
  /** The calendar collection the appointments are written to (`…/calendars/user/appointments/`). */
  caldavUrl: string | undefined;
  caldavUsername: string | undefined;
  /** Secret: never logged. */
  caldavPassword: string | undefined;
  caldavTimeoutMs: number;
  smsProviderUrl: string | undefined;
  smsProviderToken: string | undefined;
  webhookAllowPrivate: boolean;
  /** Delay before each webhook attempt (the first is normally 0); its length is the attempt limit. */
  webhookRetryScheduleMs: number[];
  notificationPollIntervalMs: number;
  notificationConcurrency: number;
  notificationMaxAttempts: number;
  notificationBackoffBaseMs: number;
  notificationLeaseMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  corsOrigins: string[];
  bodyLimitBytes: number;
  rateLimitPerMinute: number;
  seedDemo: boolean;
  faultInject: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const raw: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) raw[k] = v === '' ? undefined : v;
  const parsed = plainToInstance(EnvironmentVariables, raw, { enableImplicitConversion: false });
  const errors = validateSync(parsed, { skipMissingProperties: false, whitelist: false });
  const problems = errors.map((e) => {
    const reasons = Object.values(e.constraints ?? {}).join('; ');
    return `${e.property}=${JSON.stringify(String(e.value))}: ${reasons}`;
  });
  const nodeEnv = parsed.NODE_ENV ?? 'development';
  if (nodeEnv === 'production' && !parsed.ADMIN_API_KEY) problems.push('ADMIN_API_KEY: required when NODE_ENV=production');
  if (nodeEnv === 'production' && parsed.FAULT_INJECT) problems.push('FAULT_INJECT: not allowed when NODE_ENV=production');
  if (parsed.CALENDAR_PROVIDER === 'caldav' && !parsed.CALDAV_URL) problems.push('CALENDAR_PROVIDER=caldav: requires CALDAV_URL');
  if (problems.length > 0) throw new ConfigError(problems);

  const adminApiKey = parsed.ADMIN_API_KEY ?? `adm_${randomBytes(24).toString('base64url')}`;
  return {
    nodeEnv,
    role: parsed.APP_ROLE ?? 'all',
    port: parsed.PORT ?? 3000,
    databaseUrl: parsed.DATABASE_URL,
    dataDir: parsed.DATA_DIR ?? '.data',
    dbPoolSize: parsed.DB_POOL_SIZE ?? 20,
    dbPreparedStatements: parsed.DB_PREPARED_STATEMENTS ?? true,
    adminApiKey,
    adminApiKeyGenerated: !parsed.ADMIN_API_KEY,
    redactionSecret: parsed.REDACTION_SECRET ?? randomBytes(32).toString('hex'),
    autonomyEnabled: parsed.AUTONOMY_ENABLED ?? false,
    agentMaxConcurrentJobs: parsed.AGENT_MAX_CONCURRENT_JOBS ?? 3,
    agentJobPollIntervalMs: parsed.AGENT_JOB_POLL_INTERVAL_MS ?? 5000,
    agentJobStaleTimeoutMs: parsed.AGENT_JOB_STALE_TIMEOUT_MS ?? 300_000,
    agentJobLeaseMs: parsed.AGENT_JOB_LEASE_MS ?? 30_000,
    jobListen: parsed.AGENT_JOB_LISTEN ?? true,
    jobSyncCommit: parsed.AGENT_JOB_SYNC_COMMIT ?? false,
    agentJobShutdownGraceMs: parsed.AGENT_JOB_SHUTDOWN_GRACE_MS ?? 10_000,
    agentJobBackoffBaseMs: parsed.AGENT_JOB_BACKOFF_BASE_MS ?? 5_000,
    holdTtlSeconds: parsed.HOLD_TTL_SECONDS ?? 300,
    holdSweepIntervalMs: parsed.HOLD_SWEEP_INTERVAL_MS ?? 1000,
    eventRelayIntervalMs: parsed.EVENT_RELAY_INTERVAL_MS ?? 2000,
    eventRelayGraceMs: parsed.EVENT_RELAY_GRACE_MS ?? 5000,
    reminderLeadMinutes: parsed.REMINDER_LEAD_MINUTES ?? 1440,
    noShowGraceMinutes: parsed.NO_SHOW_GRACE_MINUTES ?? 15,
    followUpDelayMinutes: parsed.FOLLOW_UP_DELAY_MINUTES ?? 1440,
    jobRetentionDays: parsed.JOB_RETENTION_DAYS ?? 14,
    smtpUrl: parsed.SMTP_URL,
    smtpFrom: parsed.SMTP_FROM ?? 'bookings@localhost',
    calendarProvider: parsed.CALENDAR_PROVIDER ?? (parsed.CALDAV_URL ? 'caldav' : 'none'),
    caldavUrl: parsed.CALDAV_URL,
    caldavUsername: parsed.CALDAV_USERNAME,
    caldavPassword: parsed.CALDAV_PASSWORD,
    caldavTimeoutMs: parsed.CALDAV_TIMEOUT_MS ?? 10_000,
    smsProviderUrl: parsed.SMS_PROVIDER_URL,
    smsProviderToken: parsed.SMS_PROVIDER_TOKEN,
    webhookAllowPrivate: parsed.WEBHOOK_ALLOW_PRIVATE ?? false,
    // Standard Webhooks: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    webhookRetryScheduleMs: parsed.WEBHOOK_RETRY_SCHEDULE_MS
      ? parsed.WEBHOOK_RETRY_SCHEDULE_MS.split(',').map(Number)
      : [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
    notificationPollIntervalMs: parsed.NOTIFICATION_POLL_INTERVAL_MS ?? 1000,
    notificationConcurrency: parsed.NOTIFICATION_CONCURRENCY ?? 16,
    notificationMaxAttempts: parsed.NOTIFICATION_MAX_ATTEMPTS ?? 8,
    notificationBackoffBaseMs: parsed.NOTIFICATION_BACKOFF_BASE_MS ?? 5_000,
    notificationLeaseMs: parsed.NOTIFICATION_LEASE_MS ?? 60_000,
    logLevel: parsed.LOG_LEVEL ?? (nodeEnv === 'test' ? 'warn' : 'info'),
    corsOrigins: (parsed.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    bodyLimitBytes: parsed.BODY_LIMIT_BYTES ?? 100_000,
    rateLimitPerMinute: parsed.RATE_LIMIT_PER_MINUTE ?? 100_000,
    seedDemo: parsed.SEED_DEMO ?? nodeEnv === 'development',
    faultInject: parsed.FAULT_INJECT ?? '',
    ...overrides,
  };
}
