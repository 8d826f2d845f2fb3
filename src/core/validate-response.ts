import type { z } from 'zod';
import { SwitchyardError } from '../spec/errors.js';

/**
 * Checks a parsed upstream payload against a zod wire schema. A mismatch
 * becomes a SwitchyardError `invalid_response` naming `context` and the
 * first offending paths, so drivers trust the shape after this point.
 */
export function validateResponse<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  context: string,
  provider?: string,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  throw new SwitchyardError({
    code: 'invalid_response',
    message: `Unexpected ${context} shape: ${problems}`,
    provider,
    cause: result.error,
  });
}
