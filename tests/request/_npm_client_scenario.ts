/**
 * What `_npm_client_driver.ts` sends and `npm_client_test.ts` expects back,
 * in a module of its own: the test cannot import the driver, whose npm
 * clients need permissions the test task does not grant.
 *
 * @module
 */

/** Items with spaces, an empty string and non-ASCII, for SHUFFLE and SAMPLE. */
export const ITEMS = ["alpha", "two words", "", "héllo", "😀", "z"];
/** Characters outside ASCII and the BMP, to see code points counted. */
export const ALPHABET = "ab€😀";
/** How many commands go in one pipeline. */
export const PIPELINE = 1000;

/**
 * The `i`th command of a pipeline: a mix whose replies are known in advance
 * (so their order shows), with an error every eighth.
 */
export function pipelineCommand(i: number): string[] {
  switch (i % 8) {
    case 0:
      return ["ECHO", `echo-${i}`];
    case 1:
      return ["RANDINT", "1", String(i), String(i)];
    case 2:
      return ["PING"];
    case 3:
      return ["SEQUENCE", String(i), String(i)];
    case 4:
      return ["RANDINT", "x", "1", "6"];
    case 5:
      return ["UUID"];
    case 6:
      return ["RANDBYTES", String(i % 50), "HEX"];
    default:
      return ["GAUSS", "1", String(i), "0"];
  }
}
