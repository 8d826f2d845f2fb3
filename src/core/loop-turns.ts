import { setImmediate as nextLoopTurn } from 'node:timers/promises';

export { nextLoopTurn };

/**
 * Text at least this long (256 K characters) takes milliseconds to
 * serialise, encode, write or store on a slow machine; a request doing
 * several such steps in a row yields between them, so no one request holds
 * the event loop for all of them at once.
 */
export const LARGE_TEXT_CHARS = 256 * 1024;

/** Yields to the event loop when `text` is large (see LARGE_TEXT_CHARS); otherwise returns at once. */
export async function yieldAfterLarge(text: string): Promise<void> {
  if (text.length >= LARGE_TEXT_CHARS) await nextLoopTurn();
}
