import type { Usage } from '../spec/response.js';
import { findKnownModel } from './known-models.js';

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
