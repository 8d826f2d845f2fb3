import type { Usage } from '../spec/response.js';
import { BATCH_PRICE_FACTORS, findKnownModel } from './known-models.js';

/** Prices in US dollars per million tokens. */
export interface ModelPricing {
  inputPricePerMillion: number;
  outputPricePerMillion: number;
}

/**
 * The cost of one call in US dollars: input and output tokens at their
 * per-million prices, rounded to 1e-10 to keep float noise out of sums.
 * Null when the price is unknown (so "free" and "unknown" stay distinct).
 */
export function costOf(usage: Usage, pricing: ModelPricing | null | undefined): number | null {
  if (pricing === null || pricing === undefined) return null;
  const dollars = (usage.inputTokens * pricing.inputPricePerMillion + usage.outputTokens * pricing.outputPricePerMillion) / 1_000_000;
  return Math.round(dollars * 1e10) / 1e10;
}

/**
 * The bundled list price of a model, by provider and model id (dated and
 * `-latest` aliases included); null when the catalog does not know it.
 */
export function pricingFor(provider: string, modelId: string): ModelPricing | null {
  const known = findKnownModel(provider, modelId);
  if (known === undefined) return null;
  return { inputPricePerMillion: known.inputPricePerMillion, outputPricePerMillion: known.outputPricePerMillion };
}

/**
 * The price of a model through its provider's batch API: the list price
 * times the provider's batch factor (half at OpenAI and Anthropic); the list
 * price when the provider has no batch discount; null when unknown.
 */
export function batchPricingFor(provider: string, modelId: string): ModelPricing | null {
  const pricing = pricingFor(provider, modelId);
  const factor = BATCH_PRICE_FACTORS[provider] ?? 1;
  if (pricing === null) return null;
  return { inputPricePerMillion: pricing.inputPricePerMillion * factor, outputPricePerMillion: pricing.outputPricePerMillion * factor };
}
