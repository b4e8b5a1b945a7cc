/**
 * A progress line for long reads, on a terminal only: a bar with
 * percentage, rate and ETA when the total is known, otherwise a live count
 * and rate.
 *
 * Drawing, redraw throttling and the terminal checks come from
 * `cli-progress`, which works under Deno with no permission beyond the
 * client's `--allow-net` (it touches no environment variables). The line's
 * text is ours: cli-progress's ETA averages only the last few updates, which
 * jumps about when updates come one network read at a time.
 *
 * @module
 */

import cliProgress from "cli-progress";
import process from "node:process";
import { type Colors, createColors } from "./colors.ts";

/**
 * Where a {@linkcode ReadProgress} draws: `process.stderr` from
 * `node:process` fits, and so does any object with these members.
 */
export interface ProgressStream {
  /**
   * Writes text.
   *
   * @param text What to write.
   */
  write(text: string): unknown;
  /** Whether the stream is a terminal; nothing is drawn when it is not. */
  readonly isTTY?: boolean;
  /** The terminal's width in columns; 0 or absent means 80. */
  readonly columns?: number;
}

/** Options for {@linkcode ReadProgress}. */
export interface ReadProgressOptions {
  /**
   * How many numbers the read will bring (the client's `--limit`), for the
   * bar, percentage and ETA; `undefined` shows a live count instead.
   *
   * @default {undefined}
   */
  total?: number;
  /**
   * Milliseconds to wait before drawing, so that quick reads never flash a
   * line.
   *
   * @default {1000}
   */
  delay?: number;
  /**
   * Words shown after the count when the total is unknown, such as how to
   * stop.
   *
   * @default {""}
   */
  hint?: string;
  /**
   * Where to draw.
   *
   * @default {process.stderr}
   */
  stream?: ProgressStream;
  /**
   * Styles for the bar.
   *
   * @default {createColors({ enabled: false })}
   */
  colors?: Colors;
}

const BAR_WIDTH = 30;

/**
 * The part of cli-progress's `SingleBar` used here. The package ships no
 * types, and `@types/cli-progress` drags in all of `@types/node`, whose
 * globals clash with Deno's.
 */
interface SingleBar {
  start(total: number, value: number): void;
  update(value: number): void;
  stop(): void;
}

/** 1234567 as "1,234,567", whatever the locale. */
function grouped(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A rate such as "950", "12.3k" or "4.56M". */
function compact(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return `${Number((n / 1e3).toPrecision(3))}k`;
  if (n < 1e9) return `${Number((n / 1e6).toPrecision(3))}M`;
  return `${Number((n / 1e9).toPrecision(3))}G`;
}

/** Seconds as "7s", "3m 05s" or "2h 09m". */
function duration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) {
    return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  }
  if (!Number.isFinite(s) || s >= 100 * 3600) return "a long time";
  return `${Math.floor(s / 3600)}h ${
    String(Math.floor(s / 60) % 60).padStart(2, "0")
  }m`;
}

/**
 * Shows how a read is going, on one line that is redrawn in place (about
 * ten times a second) and cleared by {@linkcode ReadProgress.prototype.stop}.
 * Draws nothing when the stream is not a terminal, or when the read ends
 * within `delay`.
 *
 * @example Usage
 * ```ts
 * import { streamNumbers } from "../client/stream_numbers.ts";
 * import { serve } from "../server/serve.ts";
 * import { ReadProgress } from "./progress.ts";
 *
 * const server = serve({ hostname: "127.0.0.1", port: 0, payload: { stream: true } });
 * const progress = new ReadProgress({ total: 1_000_000 });
 * let count = 0;
 * try {
 *   const options = { hostname: "127.0.0.1", port: server.addr.port };
 *   for await (const batch of streamNumbers({ ...options, limit: 1_000_000 })) {
 *     count += batch.length;
 *     progress.update(count);
 *   }
 * } finally {
 *   progress.stop();
 *   await server.shutdown();
 * }
 * ```
 */
export class ReadProgress {
  readonly #total: number | undefined;
  readonly #delay: number;
  readonly #hint: string;
  readonly #stream: ProgressStream;
  readonly #colors: Colors;
  readonly #started = performance.now();
  #bar: SingleBar | undefined;
  #count = 0;
  #stopped = false;

  /**
   * Prepares the line; nothing is drawn before the first update after
   * `delay`.
   *
   * @param options Total, delay, hint, stream and colours.
   */
  constructor(options: ReadProgressOptions = {}) {
    const total = options.total;
    this.#total = total !== undefined && Number.isFinite(total) && total > 0
      ? total
      : undefined;
    this.#delay = options.delay ?? 1000;
    this.#hint = options.hint ?? "";
    this.#stream = options.stream ?? process.stderr;
    this.#colors = options.colors ?? createColors();
  }

  /**
   * Reports how many numbers have been read so far.
   *
   * @param count Numbers read since the start.
   */
  update(count: number): void {
    this.#count = count;
    if (this.#stopped || this.#stream.isTTY !== true) return;
    if (this.#bar === undefined) {
      if (performance.now() - this.#started < this.#delay) return;
      const bar: SingleBar = new cliProgress.SingleBar({
        stream: this.#stream,
        format: () => this.#line(),
        clearOnComplete: true,
        // Leave the terminal's cursor and wrapping modes alone, so that a
        // killed client cannot leave them changed; #line fits the width.
        hideCursor: false,
        linewrap: true,
      });
      bar.start(this.#total ?? 0, count);
      this.#bar = bar;
    } else {
      this.#bar.update(count);
    }
  }

  /** Clears the line, if one was drawn. Further updates draw nothing. */
  stop(): void {
    this.#stopped = true;
    this.#bar?.stop();
    this.#bar = undefined;
  }

  /** The text of the line, at most the terminal's width less one. */
  #line(): string {
    const columns = this.#stream.columns || 80;
    const seconds = (performance.now() - this.#started) / 1000;
    const rate = seconds > 0 ? this.#count / seconds : 0;
    const speed = `${compact(rate)}/s`;
    if (this.#total === undefined) {
      const text = `${grouped(this.#count)} numbers  ${speed}`;
      const withHint = this.#hint === "" ? text : `${text}  ${this.#hint}`;
      return (withHint.length < columns ? withHint : text).slice(
        0,
        columns - 1,
      );
    }
    const total = this.#total;
    const fraction = Math.min(1, this.#count / total);
    const eta = rate > 0 ? duration((total - this.#count) / rate) : "?";
    // Fixed widths keep the bar from jittering as the numbers change.
    const totalText = grouped(total);
    const text = `${`${Math.floor(fraction * 100)}%`.padStart(4)}  ${
      grouped(this.#count).padStart(totalText.length)
    }/${totalText}  ${speed.padStart(7)}  ETA ${eta}`;
    // cli-progress cuts lines at the width counting escape codes too.
    const escapes = this.#colors.cyan("█").length - 1;
    const barWidth = Math.min(
      BAR_WIDTH,
      columns - 1 - text.length - 1 - escapes,
    );
    if (barWidth < 5) return text.slice(0, columns - 1);
    const filled = Math.round(fraction * barWidth);
    return this.#colors.cyan("█".repeat(filled)) +
      "░".repeat(barWidth - filled) + " " + text;
  }
}
