import type { AppConfig } from '../../common/config/app-config.js';

/**
 * A claim's lease: seconds, renewed by the runner's heartbeat while the job runs, and never longer
 * than the stale timeout, so a dead worker's job is back in the queue within that timeout.
 */
export function jobLeaseMs(config: Pick<AppConfig, 'agentJobLeaseMs' | 'agentJobStaleTimeoutMs'>): number {
  return Math.min(config.agentJobLeaseMs, config.agentJobStaleTimeoutMs);
}
