import { createSwitchyard } from '../client/create-switchyard.js';
import type { Switchyard } from '../client/types.js';

/**
 * The client for a one-shot command: configured as usual, but logging only
 * warnings unless `SWITCHYARD_LOG_LEVEL` asks for more, so that stdout and
 * stderr hold the command's own output.
 */
export function createCliClient(configFile: string | undefined): Switchyard {
  const quiet = process.env.SWITCHYARD_LOG_LEVEL ? {} : { observability: { logLevel: 'warn' as const } };
  return createSwitchyard({ configFile, ...quiet });
}
