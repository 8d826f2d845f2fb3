/*
 * Gemini's `Schema` (function parameters, responseSchema) is a subset of
 * OpenAPI 3.0, not JSON Schema: no `$schema`, `additionalProperties`, `$ref`
 * or type arrays. This converts the JSON Schemas Switchyard receives.
 */

/** Keywords Gemini's Schema accepts, copied as they are. */
const KEPT = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'required',
  'propertyOrdering',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'default',
  'minProperties',
  'maxProperties',
]);

/**
 * Converts a JSON Schema to Gemini's OpenAPI-style Schema: `["string",
 * "null"]` becomes `type: string, nullable: true`, a string `const`
 * becomes a one-value `enum`, `oneOf` becomes `anyOf`, nested `properties`, `items`
 * and `anyOf` are converted too, and other keywords (`$schema`,
 * `additionalProperties`, `$ref`...) are dropped. An object schema without
 * properties gives undefined, as Gemini rejects empty objects in function parameters.
 */
export function convertToGeminiSchema(schema: unknown): Record<string, unknown> | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const source = schema as Record<string, unknown>;
  if (isEmptyObjectSchema(source)) return undefined;
  const result: Record<string, unknown> = {};

  for (const [key, value] of Object.entries(source)) {
    if (key === 'type') continue;
    if (KEPT.has(key)) result[key] = value;
  }
  if (Array.isArray(source.type)) {
    const types = source.type.filter((type) => type !== 'null');
    if (types.length !== source.type.length) result.nullable = true;
    if (types.length === 1) result.type = types[0];
    else if (types.length > 1) result.anyOf = types.map((type) => ({ type }));
  } else if (source.type !== undefined) {
    result.type = source.type;
  }
  // Gemini enums are string-only; a non-string const keeps just its type.
  if (typeof source.const === 'string') result.enum = [source.const];
  else if (typeof source.const === 'number' || typeof source.const === 'boolean') result.type ??= typeof source.const;
  if (Array.isArray(result.enum) && !result.enum.every((value) => typeof value === 'string')) delete result.enum;
  if (result.enum !== undefined && result.type === undefined) result.type = 'string';

  if (typeof source.properties === 'object' && source.properties !== null) {
    const properties: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(source.properties as Record<string, unknown>)) {
      properties[name] = convertToGeminiSchema(property) ?? { type: 'object' };
    }
    result.properties = properties;
  }
  if (source.items !== undefined && !Array.isArray(source.items)) {
    const items = convertToGeminiSchema(source.items);
    if (items !== undefined) result.items = items;
  }
  const alternatives = source.anyOf ?? source.oneOf;
  if (Array.isArray(alternatives)) {
    const nonNull = alternatives.filter((entry) => !isNullSchema(entry));
    if (nonNull.length !== alternatives.length) result.nullable = true;
    const converted = nonNull.map((entry) => convertToGeminiSchema(entry) ?? { type: 'object' });
    if (converted.length === 1) Object.assign(result, converted[0]);
    else if (converted.length > 1) result.anyOf = converted;
  }
  return result;
}

function isEmptyObjectSchema(schema: Record<string, unknown>): boolean {
  return (
    schema.type === 'object' &&
    (schema.properties === undefined || Object.keys(schema.properties as object).length === 0) &&
    schema.anyOf === undefined &&
    schema.oneOf === undefined
  );
}

function isNullSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'null';
}
