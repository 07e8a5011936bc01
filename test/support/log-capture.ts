import { JsonLogger } from '../../src/common/logging/json-logger.js';

export interface LogCapture {
  /** Every line the application's logger would have printed, in order. */
  readonly lines: string[];
  /** Puts the previous sink back. */
  restore(): void;
}

/**
 * Captures the application's log lines (JsonLogger's sink) instead of printing them. Start it
 * before the app is created; with `passThrough` the lines are still printed.
 */
export function captureLogs(opts: { passThrough?: boolean } = {}): LogCapture {
  const previous = JsonLogger.sink;
  const lines: string[] = [];
  JsonLogger.sink = (line) => {
    lines.push(line);
    if (opts.passThrough) previous(line);
  };
  return {
    lines,
    restore: () => {
      JsonLogger.sink = previous;
    },
  };
}
