import type { z } from 'zod';
import { SwitchyardError } from '../spec/errors.js';

/**
 * Validates a request body against a wire schema. A failure is an
 * `invalid_request` SwitchyardError (400) whose message names each bad field
 * (`messages.0.role: ...`) and whose `param` is the first one.
 */
export function validateBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SwitchyardError({ code: 'invalid_request', status: 400, message: 'the request body must be a JSON object' });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5);
  const describe = (issue: (typeof issues)[number]) => `${issue.path.join('.') || '(body)'}: ${issue.message}`;
  const firstPath = issues[0]?.path.join('.');
  throw new SwitchyardError({
    code: 'invalid_request',
    status: 400,
    param: firstPath ? firstPath : undefined,
    message: `invalid request: ${issues.map(describe).join('; ')}`,
  });
}
