import { ConfigError, loadConfig, type AppConfig } from './app-config.js';
import { developmentAdminKey } from './dev-admin-key.js';

/** Validates the environment once; a bad value stops the process with a message naming it. */
export function loadConfigOrExit(): AppConfig {
  try {
    const config = loadConfig(process.env);
    if (config.adminApiKeyGenerated && config.nodeEnv !== 'production') {
      return { ...config, adminApiKey: developmentAdminKey(config.dataDir) };
    }
    return config;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}
