// How long draws share the event loop with every other client.

/**
 * Long draws give the event loop back this often (in values), so that one
 * client's million UUIDs do not hold every other client up for seconds.
 * Another client's request needs a few turns (accept, read, write): at
 * 16,384 a 200,000-UUID draw gave only 12, and a loaded CI machine once ran
 * out of them.
 */
export const YIELD_EVERY = 4096;

/** One turn of the event loop for the other clients. */
export function breathe(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
