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

  @IsOptional() @IsString() @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s):// URL' })
  SMS_PROVIDER_URL?: string;

  @IsOptional() @IsString()
  SMS_PROVIDER_TOKEN?: string;

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
