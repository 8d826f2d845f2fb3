/**
 * The runtime profile observability defaults hang off: log level, content
 * logging, monitoring and resource thresholds. Structurally the same union as
 * the config profile (`SWITCHYARD_ENV`), so the config's value can be passed as is.
 */
export type ObservabilityProfile = 'production' | 'development' | 'test';

/** The profiles, in a fixed order. */
export const OBSERVABILITY_PROFILES: readonly ObservabilityProfile[] = ['production', 'development', 'test'];

/** True when `value` names a profile. */
export function isObservabilityProfile(value: unknown): value is ObservabilityProfile {
  return value === 'production' || value === 'development' || value === 'test';
}
