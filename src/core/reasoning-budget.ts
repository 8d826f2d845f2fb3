/*
 * The one table between reasoning effort levels (OpenAI's reasoning_effort)
 * and thinking budgets in tokens (Anthropic's thinking.budget_tokens,
 * Gemini's thinkingBudget), used in both directions.
 */

/** An effort level. */
export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

/** Thinking budget by effort. Anthropic's minimum budget is 1024 tokens. */
export const BUDGET_FOR_EFFORT: Record<ReasoningEffort, number> = { minimal: 1024, low: 2048, medium: 8192, high: 24576 };

/** The budget for a setting: the budget when given, else the effort's (default medium). */
export function budgetForReasoning(reasoning: { effort?: ReasoningEffort; budgetTokens?: number }): number {
  return reasoning.budgetTokens ?? BUDGET_FOR_EFFORT[reasoning.effort ?? 'medium'];
}

/** The smallest effort whose budget covers `budgetTokens` (`high` above every budget; `medium` when none is given). */
export function effortForBudget(budgetTokens: number | undefined): ReasoningEffort {
  if (budgetTokens === undefined) return 'medium';
  for (const effort of ['minimal', 'low', 'medium'] as const) if (budgetTokens <= BUDGET_FOR_EFFORT[effort]) return effort;
  return 'high';
}
