// Reading a request's arguments, and the errors that name the argument and
// what was expected (the rule for bad input: `-ERR`, and the
// connection goes on). Tests pin these messages word for word.

import { describeIntegerRange } from "../errors/option_error.ts";
import { shown } from "./_byte_strings.ts";

/** Redis's error for a request with too few or too many arguments. */
export function wrongArity(name: string): string {
  return `ERR wrong number of arguments for '${name.toLowerCase()}' command`;
}

/**
 * `text` as a decimal integer (`-?[0-9]+`) that is a safe integer, or
 * undefined. Digit by digit for up to 15 digits, which cannot leave the
 * safe range: RANDINT reads three per request, and a regular expression
 * and `Number` each took a tenth of its time.
 */
function decimal(text: string): number | undefined {
  const length = text.length;
  const negative = text.charCodeAt(0) === 0x2d; // '-'
  let i = negative ? 1 : 0;
  if (i === length) return undefined;
  if (length - i > 15) {
    const value = Number(text);
    return /^-?\d+$/.test(text) && Number.isSafeInteger(value)
      ? value
      : undefined;
  }
  let value = 0;
  for (; i < length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  // -0 for "-0", as Number("-0") gives.
  return negative ? -value : value;
}

/** A request's integer argument, or the error that names it. */
export function integerArgument(
  name: string,
  text: string,
  min: number,
  max: number,
): number | string {
  const value = decimal(text);
  if (value === undefined) {
    return `ERR ${name}: expected an integer, got '${shown(text)}'`;
  }
  if (value < min || value > max) {
    return `ERR ${name}: expected ${
      describeIntegerRange({ min, max })
    }, got ${value}`;
  }
  return value;
}

/** A request's real-number argument, or the error that names it. */
export function realArgument(name: string, text: string): number | string {
  const value = Number(text);
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text) || !Number.isFinite(value)) {
    return `ERR ${name}: expected a finite number, got '${shown(text)}'`;
  }
  return value;
}
