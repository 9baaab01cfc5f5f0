import { ConfigError, loadConfig } from '../../../config/env';

/** The message loadConfig stops with for this environment, or 'accepted'. */
export function configRefusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
    return 'accepted';
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}
