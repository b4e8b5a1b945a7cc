/**
 * The port of the classic exercise.
 *
 * @module
 */

/**
 * The port randport listens on unless told otherwise, as in the classic
 * exercise.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_PORT } from "@randport/randport/wire";
 *
 * console.log(DEFAULT_PORT); // 27679
 * ```
 */
export const DEFAULT_PORT = 27679;
