/**
 * How a command ends: the exit-code convention of `server.ts` and
 * `client.ts` (0 success, 1 runtime failure, 2 usage error; never a stack
 * trace).
 *
 * @module
 */

import { UsageError } from "./usage_error.ts";

/**
 * Runs a command's main function with the exit-code convention: usage errors
 * exit 2 and other failures 1, each as one line on stderr. `main` returns the
 * exit code on success.
 *
 * @example Usage
 * ```ts
 * import { runMain } from "./run_main.ts";
 *
 * if (import.meta.main) await runMain("example", async () => 0);
 * ```
 *
 * @param program The name to prefix messages with.
 * @param main The command.
 */
export async function runMain(
  program: string,
  main: () => Promise<number>,
): Promise<void> {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`${program}: ${message.split("\n")[0]}`);
    code = error instanceof UsageError ? 2 : 1;
  }
  Deno.exit(code);
}
