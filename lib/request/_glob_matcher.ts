// CONFIG GET's patterns. Its own file because the way it matches is the
// point: a client's pattern must not be able to hold the event loop.

/**
 * `*` and `?` globbing without a regular expression: a backtracking regex
 * takes exponential time in the stars on a key that does not match, and one
 * request would hold the event loop that every client shares. This keeps
 * one backtrack point, the last star: O(pattern × text) at worst.
 */
export function globMatcher(pattern: string): (text: string) => boolean {
  return (text) => {
    let p = 0;
    let t = 0;
    let star = -1;
    let mark = 0;
    while (t < text.length) {
      if (
        p < pattern.length && (pattern[p] === "?" || pattern[p] === text[t])
      ) {
        p++;
        t++;
      } else if (p < pattern.length && pattern[p] === "*") {
        star = p++;
        mark = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (pattern[p] === "*") p++;
    return p === pattern.length;
  };
}
