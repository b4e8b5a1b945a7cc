/**
 * Network helpers shared by the server and the client: how addresses are
 * written (`host:port`, IPv6 in brackets) and read back.
 *
 * ```ts
 * import { formatAddress, unbracketHost } from "@randport/randport/net";
 *
 * const text = formatAddress({ transport: "tcp", hostname: "::1", port: 27679 });
 * console.log(text); // "[::1]:27679"
 * console.log(unbracketHost("[::1]")); // "::1"
 * ```
 *
 * @module
 */

export * from "./address.ts";
export * from "./connection_budget.ts";
export * from "./shared_counter.ts";
export * from "./client_budget.ts";
export * from "./client_errors.ts";
