import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * In development without ADMIN_API_KEY, a key is generated once and kept under the data directory
 * (gitignored), so it stays the same across restarts. Production requires ADMIN_API_KEY.
 */
export function developmentAdminKey(dataDir: string): string {
  const file = path.join(dataDir, 'admin-key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 24) return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = `adm_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}
