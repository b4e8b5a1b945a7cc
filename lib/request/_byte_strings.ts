// Requests' arguments arrive as byte strings (one character per byte: the
// request parser's `binary` mode), so that what a client sends comes back
// byte for byte (ECHO, SHUFFLE's items). What is read as text (names,
// numbers, options, an alphabet) is ASCII, or decoded here.

const utf8 = new TextDecoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A byte string's bytes. */
export function bytesOf(arg: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(arg.length);
  for (let i = 0; i < arg.length; i++) bytes[i] = arg.charCodeAt(i);
  return bytes;
}

/** A byte string as UTF-8 text, invalid sequences replaced. */
export function textOf(arg: string): string {
  return /[^\x20-\x7e]/.test(arg) ? utf8.decode(bytesOf(arg)) : arg;
}

/** Bytes as UTF-8 text, invalid sequences replaced. */
export function lenientDecode(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Bytes as UTF-8 text, or `undefined` when they are not UTF-8. */
export function strictDecode(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A byte string as UTF-8 text, or `undefined` when it is not UTF-8. */
export function strictText(arg: string): string | undefined {
  return strictDecode(bytesOf(arg));
}

/**
 * A byte string in capitals, ASCII letters only: Unicode case mapping would
 * make `GAU\xdf` (ß) the command `GAUSS`.
 */
export function upper(arg: string): string {
  return arg.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/**
 * Whether `arg` is `word` (capitals) in any case of its ASCII letters:
 * `upper(arg) === word` without building the string, for the option words
 * every draw checks (SEED, SIGNED, DATA).
 */
export function isWord(arg: string, word: string): boolean {
  if (arg.length !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    let c = arg.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20; // a-z
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** An argument as an error message quotes it: text, at most 64 characters. */
export function shown(arg: string, max = 64): string {
  return textOf(arg).slice(0, max);
}
