import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../common/config/app-config.js';
import { APP_CONFIG } from '../../common/config/config.module.js';

/** The files the dashboard is made of (under `public/dashboard/` at the project root). */
export const DASHBOARD_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
} as const;

export type DashboardFile = keyof typeof DASHBOARD_FILES;

export interface Asset {
  body: string;
  contentType: string;
}

/**
 * The project root's `public/dashboard`, found by walking up from this file: the same folder
 * whether the code runs from `src/` (tests) or `dist/src/` (the build), so nothing is copied.
 */
export function findDashboardDir(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'public', 'dashboard');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(candidate, 'index.html'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`public/dashboard/index.html not found above ${from}`);
  }
}

/**
 * The dashboard's files, read once at start-up. The page is told the environment (development
 * offers the "book a test appointment" action; production does not).
 */
@Injectable()
export class DashboardAssets {
  private readonly assets = new Map<string, Asset>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const dir = findDashboardDir();
    for (const [name, contentType] of Object.entries(DASHBOARD_FILES)) {
      let body = readFileSync(path.join(dir, name), 'utf8');
      if (name === 'index.html') body = body.replaceAll('__NODE_ENV__', config.nodeEnv);
      this.assets.set(name, { body, contentType });
    }
  }

  get(name: string): Asset | undefined {
    return Object.hasOwn(DASHBOARD_FILES, name) ? this.assets.get(name) : undefined;
  }
}
