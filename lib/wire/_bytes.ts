// The bytes of the payload grammar (PROTOCOL.md §2) and of ERR replies.

export const TAB = 0x09;
export const NEWLINE = 0x0a;
export const RETURN = 0x0d;
export const SPACE = 0x20;
export const COMMA = 0x2c;
export const MINUS = 0x2d;
export const PERIOD = 0x2e;
export const ZERO = 0x30;
export const NINE = 0x39;
export const LETTER_E = 0x45;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const SMALL_E = 0x65;
