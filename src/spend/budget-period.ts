import type { BudgetPeriod } from '../access/key-policy.js';

const DAY_MS = 86_400_000;
let dayCache = { start: 0, text: '1970-01-01' };

/** The UTC day of an instant, `YYYY-MM-DD`: the `spend` table's day (formatted once per day). */
export function utcDay(now: number): string {
  const start = now - (now % DAY_MS);
  if (start !== dayCache.start) dayCache = { start, text: new Date(start).toISOString().slice(0, 10) };
  return dayCache.text;
}

/** The current budget period: its id, its first day (for summing `spend`), and the time left in it (0: never ends). */
export function currentPeriod(period: BudgetPeriod, now: number): { id: string; firstDay: string | undefined; remainingMs: number } {
  const date = new Date(now);
  if (period === 'day') {
    const end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
    return { id: `day:${utcDay(now)}`, firstDay: utcDay(now), remainingMs: end - now };
  }
  if (period === 'month') {
    const end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    const month = utcDay(now).slice(0, 7);
    return { id: `month:${month}`, firstDay: `${month}-01`, remainingMs: end - now };
  }
  return { id: 'total', firstDay: undefined, remainingMs: 0 };
}
