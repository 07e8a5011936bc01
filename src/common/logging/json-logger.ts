import type { LoggerService, LogLevel } from '@nestjs/common';
import { redactPII, redactText } from '../redaction/index.js';

const ORDER = { debug: 10, verbose: 10, log: 20, info: 20, warn: 30, error: 40, fatal: 50 } as const;
type Threshold = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const THRESHOLD: Record<Threshold, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/**
 * Structured JSON logs, one object a line, passed through the same PII redaction as the audit trail.
 * `sink` is replaceable so tests can capture what would be printed.
 */
export class JsonLogger implements LoggerService {
  static sink: (line: string) => void = (line) => process.stdout.write(line + '\n');

  constructor(private readonly threshold: Threshold = 'info') {}

  private write(level: keyof typeof ORDER, message: unknown, params: unknown[]): void {
    if (ORDER[level] < THRESHOLD[this.threshold]) return;
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    const rest = context ? params.slice(0, -1) : params;
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level: level === 'log' ? 'info' : level,
      context,
      msg: typeof message === 'string' ? redactText(message) : redactPII(message),
    };
    if (rest.length > 0) entry.extra = redactPII(rest);
    JsonLogger.sink(JSON.stringify(entry));
  }

  log(message: unknown, ...params: unknown[]) { this.write('log', message, params); }
  error(message: unknown, ...params: unknown[]) { this.write('error', message, params); }
  warn(message: unknown, ...params: unknown[]) { this.write('warn', message, params); }
  debug(message: unknown, ...params: unknown[]) { this.write('debug', message, params); }
  verbose(message: unknown, ...params: unknown[]) { this.write('verbose', message, params); }
  fatal(message: unknown, ...params: unknown[]) { this.write('fatal', message, params); }
  setLogLevels?(_levels: LogLevel[]): void {}
}
