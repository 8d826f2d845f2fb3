import type { WireFormat, WireRequest } from '../spec/request.js';

/** How a wire's top-level request fields relate to the neutral settings. */
export interface WireFieldPlan {
  /** Fields the neutral settings model (mapped onto every provider, or refused by a driver with a named 400). */
  modelled: ReadonlySet<string>;
  /** Values of unmodelled fields that change nothing (the wire's defaults): such a field is no extra. */
  noOps: Readonly<Record<string, readonly unknown[]>>;
}

function isNoOp(value: unknown, noOps: readonly unknown[] | undefined): boolean {
  if (value === null || value === undefined) return true;
  if (noOps === undefined) return false;
  if (typeof value !== 'object') return noOps.includes(value);
  const text = JSON.stringify(value);
  return noOps.some((noOp) => typeof noOp === 'object' && JSON.stringify(noOp) === text);
}

/**
 * The caller's body as a WireRequest: `extras` are its top-level fields that
 * the neutral settings do not model and whose value is not a no-op. Those
 * reach a same-wire upstream verbatim (with the rest of the body) and are
 * refused, by name, by a provider of another wire. Linear in the number of
 * top-level fields.
 */
export function wireRequestOf(format: WireFormat, body: Record<string, unknown>, plan: WireFieldPlan): WireRequest {
  const extras: Record<string, unknown> = {};
  for (const field of Object.keys(body)) {
    if (plan.modelled.has(field)) continue;
    const value = body[field];
    // Own entries only: a field named `constructor` or `toString` must not find Object's members.
    if (!isNoOp(value, Object.hasOwn(plan.noOps, field) ? plan.noOps[field] : undefined)) extras[field] = value;
  }
  return { format, body, extras };
}
