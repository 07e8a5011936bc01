import { Injectable } from '@nestjs/common';
import type { JobHandler } from './job.types.js';

/** Job type → handler. Other modules register theirs at start-up (in onModuleInit). */
@Injectable()
export class JobHandlerRegistry {
  private readonly handlers = new Map<string, JobHandler>();

  register<P = unknown>(type: string, handler: JobHandler<P>): void {
    if (this.handlers.has(type)) throw new Error(`a handler for job type "${type}" is already registered`);
    this.handlers.set(type, handler as JobHandler);
  }

  /** Replaces or removes a handler (tests, hot reconfiguration). */
  unregister(type: string): boolean {
    return this.handlers.delete(type);
  }

  get(type: string): JobHandler | undefined {
    return this.handlers.get(type);
  }

  types(): string[] {
    return [...this.handlers.keys()];
  }
}
