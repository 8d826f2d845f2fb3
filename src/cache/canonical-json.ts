/**
 * Serializes a value to JSON with object keys sorted at every depth and
 * `undefined` members dropped, so two objects with the same content give the
 * same text whatever their key order. Iterative (an explicit stack, no
 * recursion), so a 100,000-deep tool schema costs time linear in its size and
 * never overflows the call stack. Values JSON cannot hold (functions,
 * symbols) are dropped in objects and `null` in arrays, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Each frame is either a value to write or a literal piece of text (a bracket or a comma).
  const stack: Array<{ value: unknown; inArray: boolean } | string> = [{ value, inArray: false }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (typeof frame === 'string') {
      out.push(frame);
      continue;
    }
    writeValue(frame.value, frame.inArray, out, stack);
  }
  return out.join('');
}

function writeValue(value: unknown, inArray: boolean, out: string[], stack: Array<{ value: unknown; inArray: boolean } | string>): void {
  const resolved = typeof (value as { toJSON?: unknown } | null)?.toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
  if (resolved === null || typeof resolved !== 'object') {
    const scalar = JSON.stringify(resolved);
    out.push(scalar === undefined ? (inArray ? 'null' : '') : scalar);
    return;
  }
  if (Array.isArray(resolved)) {
    // Pushed in reverse so they pop in order.
    stack.push(']');
    for (let index = resolved.length - 1; index >= 0; index--) {
      stack.push({ value: resolved[index], inArray: true });
      if (index > 0) stack.push(',');
    }
    out.push('[');
    return;
  }
  const record = resolved as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => isJsonValue(record[key]))
    .sort();
  stack.push('}');
  for (let index = keys.length - 1; index >= 0; index--) {
    stack.push({ value: record[keys[index]], inArray: false });
    stack.push(`${index > 0 ? ',' : ''}${JSON.stringify(keys[index])}:`);
  }
  out.push('{');
}

/** False for what JSON.stringify leaves out of an object. */
function isJsonValue(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}
