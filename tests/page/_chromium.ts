/**
 * Test helper: a real headless Chromium (Debian's `chromium`) driven over
 * the Chrome DevTools Protocol with Deno's own WebSocket, no npm driver
 * (which would want to download a browser, and read the environment). The
 * browser gets a fresh profile directory and talks to loopback only.
 *
 * @module
 */

import { commandWorks } from "../_util.ts";

/** The browser the tests drive; CI installs Debian's `chromium` package. */
export const CHROMIUM = "chromium";

/** Whether it runs here, and its version line (`Chromium 156.0...`). */
export async function chromiumVersion(): Promise<string | undefined> {
  if (!await commandWorks(CHROMIUM, ["--version"])) return undefined;
  const output = await new Deno.Command(CHROMIUM, {
    args: ["--version"],
    stdout: "piped",
    stderr: "null",
    signal: AbortSignal.timeout(10_000),
  }).output();
  return new TextDecoder().decode(output.stdout).trim();
}

/** Flags for a quiet, isolated browser that fetches nothing by itself. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-extensions",
  "--disable-dev-shm-usage",
  "--remote-debugging-address=127.0.0.1",
  "--remote-debugging-port=0",
];

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/** A DevTools connection: commands, and the events of each session. */
class Cdp {
  readonly #socket: WebSocket;
  #next = 1;
  readonly #pending = new Map<
    number,
    {
      resolve: (r: Record<string, unknown>) => void;
      reject: (e: Error) => void;
    }
  >();
  readonly #listeners = new Set<(message: Message) => void>();

  constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data as string) as Message;
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) {
          pending?.reject(new Error(`CDP: ${message.error.message}`));
        } else pending?.resolve(message.result ?? {});
        return;
      }
      for (const listener of this.#listeners) listener(message);
    };
    socket.onclose = () => {
      for (const { reject } of this.#pending.values()) {
        reject(new Error("CDP: the browser closed the connection"));
      }
      this.#pending.clear();
    };
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ id, method, params, sessionId }));
    });
  }

  listen(listener: (message: Message) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#socket.close();
  }
}

/** A tab. */
export class Page {
  readonly #cdp: Cdp;
  readonly #session: string;
  /** Uncaught exceptions and console/log errors, as text. */
  readonly errors: string[] = [];
  readonly #loaded = new Set<() => void>();

  constructor(cdp: Cdp, session: string) {
    this.#cdp = cdp;
    this.#session = session;
    cdp.listen((message) => {
      if (message.sessionId !== session) return;
      const params = message.params ?? {};
      if (message.method === "Page.loadEventFired") {
        for (const resolve of this.#loaded) resolve();
        this.#loaded.clear();
      } else if (message.method === "Runtime.exceptionThrown") {
        const details = params.exceptionDetails as {
          text: string;
          exception?: { description?: string };
        };
        this.errors.push(
          `exception: ${details.exception?.description ?? details.text}`,
        );
      } else if (message.method === "Log.entryAdded") {
        const entry = params.entry as {
          level: string;
          text: string;
          url?: string;
        };
        // The browser asks every site for a favicon; this one has none.
        if (entry.level === "error" && !entry.url?.endsWith("/favicon.ico")) {
          this.errors.push(`log: ${entry.text} ${entry.url ?? ""}`.trim());
        }
      } else if (message.method === "Runtime.consoleAPICalled") {
        if (params.type === "error") {
          this.errors.push(`console: ${JSON.stringify(params.args)}`);
        }
      }
    });
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    return this.#cdp.send(method, params, this.#session);
  }

  /** Opens `url` and waits for its load event. */
  async navigate(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve) => this.#loaded.add(resolve));
    const result = await this.send("Page.navigate", { url });
    if (typeof result.errorText === "string") {
      throw new Error(`navigate ${url}: ${result.errorText}`);
    }
    await withTimeout(loaded, 20_000, `the load event of ${url}`);
  }

  /** Evaluates an expression in the page (awaiting a promise) by value. */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const result = await this.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    const thrown = result.exceptionDetails as
      | { text: string; exception?: { description?: string } }
      | undefined;
    if (thrown) {
      throw new Error(
        `evaluate ${expression}: ${
          thrown.exception?.description ?? thrown.text
        }`,
      );
    }
    return (result.result as { value: T }).value;
  }

  /** Waits until `expression` is truthy in the page. */
  async waitFor(expression: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!await this.evaluate<boolean>(`Boolean(${expression})`)) {
      if (Date.now() > deadline) {
        throw new Error(`not true within ${timeoutMs} ms: ${expression}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Clicks the middle of the element with this id, as a mouse does. */
  async click(id: string): Promise<void> {
    const box = await this.evaluate<{ x: number; y: number } | null>(`(() => {
      const el = document.getElementById(${JSON.stringify(id)});
      if (!el) return null;
      el.scrollIntoView({ block: "center" });
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    if (box === null) throw new Error(`no element #${id}`);
    for (const type of ["mousePressed", "mouseReleased"]) {
      await this.send("Input.dispatchMouseEvent", {
        type,
        x: box.x,
        y: box.y,
        button: "left",
        clickCount: 1,
      });
    }
  }

  /**
   * Empties the field with this id and types `text` into it, as a paste
   * does (one input event).
   */
  async fill(id: string, text: string): Promise<void> {
    const found = await this.evaluate<boolean>(`(() => {
      const el = document.getElementById(${JSON.stringify(id)});
      if (!el) return false;
      el.focus();
      el.select();
      return true;
    })()`);
    if (!found) throw new Error(`no element #${id}`);
    if (text === "") {
      await this.send("Input.dispatchKeyEvent", {
        type: "keyDown",
        key: "Delete",
        code: "Delete",
        windowsVirtualKeyCode: 46,
      });
      await this.send("Input.dispatchKeyEvent", {
        type: "keyUp",
        key: "Delete",
        code: "Delete",
        windowsVirtualKeyCode: 46,
      });
    } else {
      await this.send("Input.insertText", { text });
    }
  }

  /** The whole page (not only the viewport) as a PNG. */
  async screenshot(): Promise<Uint8Array> {
    const metrics = await this.send("Page.getLayoutMetrics");
    const size = metrics.cssContentSize as { width: number; height: number };
    const result = await this.send("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
      clip: {
        x: 0,
        y: 0,
        width: Math.ceil(size.width),
        height: Math.ceil(size.height),
        scale: 1,
      },
    });
    return Uint8Array.from(atob(result.data as string), (c) => c.charCodeAt(0));
  }
}

/** A running browser. */
export interface Browser extends AsyncDisposable {
  /** `Browser.getVersion`'s product, as `Chrome/156.0.8078.114`. */
  product: string;
  /** A new tab of `width` × `height` CSS pixels. */
  newPage(size?: { width: number; height: number }): Promise<Page>;
  /** Closes the browser and waits for it to exit. */
  close(): Promise<void>;
}

function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer in ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Starts headless Chromium with the profile in `userDataDir` (a new, empty
 * directory) and connects to its DevTools endpoint, whose address it
 * prints on stderr.
 */
export async function launchChromium(userDataDir: string): Promise<Browser> {
  const child = new Deno.Command(CHROMIUM, {
    args: [...FLAGS, `--user-data-dir=${userDataDir}`, "about:blank"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const endpoint = withTimeout(
    (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`chromium exited: ${stderr}`);
        stderr += value;
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
        if (match) return match[1];
      }
    })(),
    30_000,
    "chromium's DevTools address",
  );
  let url: string;
  try {
    url = await endpoint;
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    throw error;
  }
  // Keep reading stderr, so that the browser never blocks on it.
  (async () => {
    while (!(await reader.read()).done);
  })().catch(() => {});
  const socket = new WebSocket(url);
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
    }),
    10_000,
    `the DevTools WebSocket ${url}`,
  );
  const cdp = new Cdp(socket);
  const version = await cdp.send("Browser.getVersion");
  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      await withTimeout(cdp.send("Browser.close"), 5_000, "Browser.close")
        .catch(() => {});
      cdp.close();
      const exited = await withTimeout(child.status, 10_000, "chromium's exit")
        .then(() => true, () => false);
      if (!exited) {
        child.kill("SIGKILL");
        await child.status;
      }
      // A helper process (crashpad) may hold stderr open after the exit.
      await reader.cancel().catch(() => {});
    })();
  return {
    product: String(version.product),
    async newPage(size = { width: 1000, height: 800 }) {
      const { targetId } = await cdp.send("Target.createTarget", {
        url: "about:blank",
      });
      const { sessionId } = await cdp.send("Target.attachToTarget", {
        targetId,
        flatten: true,
      });
      const page = new Page(cdp, sessionId as string);
      await page.send("Page.enable");
      await page.send("Runtime.enable");
      await page.send("Log.enable");
      await page.send("Emulation.setDeviceMetricsOverride", {
        ...size,
        deviceScaleFactor: 1,
        mobile: false,
      });
      return page;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
