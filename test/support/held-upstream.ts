import { startOpenAIMockServer, type OpenAIMockServer } from '../../src/mock-upstream/openai-server.js';
import { waitFor } from '../gateway-support.js';

/** A fake OpenAI upstream that holds requests whose last message contains `[hold:NAME]` until `release(NAME)`. */
export interface HeldUpstream {
  server: OpenAIMockServer;
  /** Requests of `name` waiting at the upstream now. */
  held(name: string): number;
  /** Lets every held request of `name` through, and the later ones too. */
  release(name: string): void;
}

function lastText(body: unknown): string {
  const messages = (body as { messages?: Array<{ content?: unknown }> } | undefined)?.messages;
  const content = messages?.[messages.length - 1]?.content;
  return typeof content === 'string' ? content : '';
}

/** Starts the held upstream on 127.0.0.1. */
export async function startHeldUpstream(): Promise<HeldUpstream> {
  const waiting = new Map<string, Array<() => void>>();
  const released = new Set<string>();
  const server = await startOpenAIMockServer({
    onRequest: async (request) => {
      const name = /\[hold:([\w-]+)\]/.exec(lastText(request.body))?.[1];
      if (name === undefined || released.has(name)) return undefined;
      await new Promise<void>((resolve) => {
        const list = waiting.get(name) ?? [];
        list.push(resolve);
        waiting.set(name, list);
      });
      return undefined;
    },
  });
  return {
    server,
    held: (name) => waiting.get(name)?.length ?? 0,
    release(name) {
      released.add(name);
      for (const resolve of waiting.get(name) ?? []) resolve();
      waiting.delete(name);
    },
  };
}

/** Waits until `count()` reaches `target` (the held and refused requests of a burst add up to all of it). */
export async function settleAt(count: () => number, target: number, timeoutMs = 60_000): Promise<void> {
  if (!(await waitFor(() => count() >= target, timeoutMs, 20))) throw new Error(`only ${count()} of ${target} requests settled`);
}
