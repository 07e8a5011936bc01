import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  const v = String(value).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value; // left as a string so @IsBoolean reports it
};
const toInt = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number') return value;
  const s = String(value).trim();
  return /^-?\d+$/.test(s) ? Number(s) : value; // non-integers stay strings so @IsInt reports them
};

/**
 * Every environment variable the service reads, validated once at start-up.
 * A bad value stops the process with a message that names the variable.
 */
export class EnvironmentVariables {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV?: 'development' | 'production' | 'test';

  @IsOptional() @IsIn(['all', 'api', 'worker'])
  APP_ROLE?: 'all' | 'api' | 'worker';

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT?: number;

  @IsOptional() @IsString() @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL?: string;

  @IsOptional() @IsString() @MinLength(1)
  DATA_DIR?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(2) @Max(200)
  DB_POOL_SIZE?: number;

  @IsOptional() @Transform(toBool) @IsBoolean()
  DB_PREPARED_STATEMENTS?: boolean;

  @IsOptional() @IsString() @MinLength(24, { message: 'must be at least 24 characters' }) @MaxLength(256)
  ADMIN_API_KEY?: string;

  @IsOptional() @IsString() @MinLength(16, { message: 'must be at least 16 characters' })
  REDACTION_SECRET?: string;

  @IsOptional() @Transform(toBool) @IsBoolean()
  AUTONOMY_ENABLED?: boolean;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  AGENT_MAX_CONCURRENT_JOBS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(3_600_000)
  AGENT_JOB_POLL_INTERVAL_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(86_400_000)
  AGENT_JOB_STALE_TIMEOUT_MS?: number;

  /** A claimed job's lease; the runner renews it while the job runs (capped by the stale timeout). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(86_400_000)
  AGENT_JOB_LEASE_MS?: number;

  /** false: poll only, no LISTEN (for connection poolers that break it). */
  @IsOptional() @Transform(toBool) @IsBoolean()
  AGENT_JOB_LISTEN?: boolean;

  /**
   * true: the queue's own bookkeeping (claims, completions) waits for the WAL flush like every other
   * commit; false (default): it does not, see README "Durability of the queue's bookkeeping".
   */
  @IsOptional() @Transform(toBool) @IsBoolean()
  AGENT_JOB_SYNC_COMMIT?: boolean;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(600_000)
  AGENT_JOB_SHUTDOWN_GRACE_MS?: number;

  /** Delay before the first retry of a failed job; it doubles with each further attempt. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(3_600_000)
  AGENT_JOB_BACKOFF_BASE_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86_400)
  HOLD_TTL_SECONDS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(50) @Max(3_600_000)
  HOLD_SWEEP_INTERVAL_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(50) @Max(3_600_000)
  EVENT_RELAY_INTERVAL_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(3_600_000)
  EVENT_RELAY_GRACE_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(525_600)
  REMINDER_LEAD_MINUTES?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(10_080)
  NO_SHOW_GRACE_MINUTES?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(525_600)
  FOLLOW_UP_DELAY_MINUTES?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(3650)
  JOB_RETENTION_DAYS?: number;

  @IsOptional() @IsString() @Matches(/^smtps?:\/\/\S+$/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsOptional() @IsString()
  SMTP_FROM?: string;

  @IsOptional() @IsString() @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s):// URL' })
  CALDAV_URL?: string;

  @IsOptional() @IsString()
  CALDAV_USERNAME?: string;

  @IsOptional() @IsString()
  CALDAV_PASSWORD?: string;

  /** Where appointments are mirrored: `caldav` (the default when CALDAV_URL is set) or `none`. */
  @IsOptional() @IsIn(['none', 'caldav'])
  CALENDAR_PROVIDER?: 'none' | 'caldav';

  /** Each CalDAV request is abandoned (and the sync recorded as failed) after this long. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(120_000)
  CALDAV_TIMEOUT_MS?: number;

  @IsOptional() @IsString() @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s):// URL' })
  SMS_PROVIDER_URL?: string;

  @IsOptional() @IsString()
  SMS_PROVIDER_TOKEN?: string;

  /** true: webhook endpoints may point at localhost and private address ranges (tests, closed networks). */
  @IsOptional() @Transform(toBool) @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE?: boolean;

  /** Webhook delivery schedule (ms before attempt 1, 2, …); default the Standard Webhooks schedule. */
  @IsOptional() @IsString() @Matches(/^\d{1,9}(,\d{1,9}){0,19}$/, { message: 'must be 1 to 20 comma-separated delays in milliseconds' })
  WEBHOOK_RETRY_SCHEDULE_MS?: string;

  /** How often the notification dispatcher looks for due rows (it is also woken on every enqueue). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(3_600_000)
  NOTIFICATION_POLL_INTERVAL_MS?: number;

  /** Notifications being sent at once per process. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  NOTIFICATION_CONCURRENCY?: number;

  /** Attempts of an email or SMS notification before it is marked failed. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100)
  NOTIFICATION_MAX_ATTEMPTS?: number;

  /** Delay before the first retry of an email or SMS; it triples with each further attempt (capped at 1 h). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(3_600_000)
  NOTIFICATION_BACKOFF_BASE_MS?: number;

  /**
   * How long a claimed outbox row is left to the instance that claimed it; a row whose sender died
   * is attempted again after this. An attempt is aborted at half of it (at most 30 s).
   */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(3_600_000)
  NOTIFICATION_LEASE_MS?: number;

  @IsOptional() @IsIn(['debug', 'info', 'warn', 'error', 'silent'])
  LOG_LEVEL?: 'debug' | 'info' | 'warn' | 'error' | 'silent';

  @IsOptional() @IsString()
  CORS_ORIGINS?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) @Max(10_485_760)
  BODY_LIMIT_BYTES?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional() @Transform(toBool) @IsBoolean()
  SEED_DEMO?: boolean;

  /** Fault injection for the crash tests only; refused in production. */
  @IsOptional() @IsIn(['', 'crash_after_booking_commit'])
  FAULT_INJECT?: string;
}
