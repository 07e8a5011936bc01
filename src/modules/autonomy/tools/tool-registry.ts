import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { REGISTERED_TOOLS } from '../registered-tools.js';
import type { RegisteredTool } from './registered-tool.js';

/** The whitelisted tools by name (= job type). Nothing outside `REGISTERED_TOOLS` can be looked up. */
@Injectable()
export class ToolRegistry implements OnModuleInit {
  private readonly tools = new Map<string, RegisteredTool>();

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    for (const type of REGISTERED_TOOLS) {
      const tool = this.moduleRef.get(type, { strict: true });
      if (this.tools.has(tool.name)) throw new Error(`two registered tools are named "${tool.name}"`);
      this.tools.set(tool.name, tool);
    }
  }

  get(name: string): RegisteredTool | undefined {
    return this.tools.get(name);
  }

  all(): RegisteredTool[] {
    return [...this.tools.values()];
  }
}
