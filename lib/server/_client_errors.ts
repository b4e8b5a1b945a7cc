// Network errors a client can cause; they end its connection quietly.
const CLIENT_ERRORS = [
  Deno.errors.BrokenPipe,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.NotConnected,
  Deno.errors.TimedOut,
  Deno.errors.UnexpectedEof,
  Deno.errors.BadResource,
  Deno.errors.Interrupted,
];

export function isClientError(error: unknown): boolean {
  return CLIENT_ERRORS.some((type) => error instanceof type);
}
