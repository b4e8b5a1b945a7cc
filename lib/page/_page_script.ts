// The verification page's script, run in the browser: the entry point that
// `deno task bundle-page` bundles (with lib/verify, the same code the
// command line verifies with) into _page_bundle.ts, served as /verify.js.
// It reads the elements of _page_html.ts, and writes only with
// textContent: a record is untrusted text.

import {
  type ChainProblem,
  type ChainVerification,
  type DrawProblem,
  type DrawRecord,
  type DrawVerification,
  parseDrawRecordLines,
  parsePublicKey,
  verifyChain,
  verifyDraw,
} from "../verify/mod.ts";

// The little of the DOM this script uses, declared here: the project is
// type-checked with Deno's types, and a `lib="dom"` reference would change
// them for every file checked together with this one.

/** An element. */
interface Element {
  className: string;
  textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
  append(...nodes: (Element | string)[]): void;
  replaceChildren(...nodes: (Element | string)[]): void;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  addEventListener(type: string, listener: (event: DomEvent) => void): void;
}

/** An input, a textarea or a button. */
interface Control extends Element {
  value: string;
  disabled: boolean;
}

interface DomEvent {
  readonly key?: string;
  preventDefault(): void;
}

interface Document {
  readonly documentElement: Element;
  getElementById(id: string): Element | null;
  createElement(tag: string): Element;
}

const document = (globalThis as unknown as { document: Document }).document;

/** Records shown in full beyond those with a problem: a long log is summed up. */
const SHOWN = 100;

function element<T extends Element = Element>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

const form = element("form");
const keyInput = element<Control>("key");
const keyNote = element("key-note");
const serialInput = element<Control>("serial");
const fetchButton = element<Control>("fetch");
const recordsInput = element<Control>("records");
const verifyButton = element<Control>("verify");
const summary = element("summary");
const results = element("results");

/** An element with classes and text (never HTML). */
function make(tag: string, className = "", text?: string): Element {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

function say(verdict: "ok" | "fail" | "", text: string): void {
  summary.className = `verdict ${verdict}`.trim();
  summary.dataset.verdict = verdict || "none";
  summary.textContent = text;
}

function plural(count: number, word: string): string {
  return `${count.toLocaleString("en")} ${word}${count === 1 ? "" : "s"}`;
}

/** `field: message`, as the command line names a problem. */
function problemText(problem: DrawProblem): string {
  return `${problem.field}: ${problem.message}`;
}

/**
 * A RESP2 reply (a record's `result`) as the values a person reads: the
 * elements of an array, one bulk or simple string, or an error's text.
 * `undefined` when it is not RESP2 (the raw text is shown anyway).
 */
function readReply(
  result: unknown,
): { values: string[] } | { error: string } | undefined {
  if (typeof result !== "string") return undefined;
  const bytes = new TextEncoder().encode(result);
  const decoder = new TextDecoder();
  let at = 0;
  const line = (): string | undefined => {
    const end = bytes.indexOf(13, at);
    if (end < 0 || bytes[end + 1] !== 10) return undefined;
    const text = decoder.decode(bytes.subarray(at, end));
    at = end + 2;
    return text;
  };
  const one = (): string | undefined => {
    const head = line();
    if (head === undefined || head === "") return undefined;
    const body = head.slice(1);
    switch (head[0]) {
      case ":":
      case "+":
        return body;
      case "$": {
        const length = Number(body);
        if (length === -1) return "(null)";
        if (!Number.isSafeInteger(length) || length < 0) return undefined;
        const text = decoder.decode(bytes.subarray(at, at + length));
        at += length + 2;
        return text;
      }
      default:
        return undefined;
    }
  };
  if (result.startsWith("-")) {
    const text = line();
    return text === undefined ? undefined : { error: text.slice(1) };
  }
  const values: string[] = [];
  if (result.startsWith("*")) {
    const count = Number(line()?.slice(1));
    if (!Number.isSafeInteger(count) || count < 0) return undefined;
    for (let i = 0; i < count; i++) {
      const value = one();
      if (value === undefined) return undefined;
      values.push(value);
    }
  } else {
    const value = one();
    if (value === undefined) return undefined;
    values.push(value);
  }
  return at === bytes.length ? { values } : undefined;
}

/** A field's value as text, whatever a pasted record holds there. */
function shown(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value) ?? "";
}

function row(list: Element, name: string, value: Element | string): void {
  list.append(make("dt", "", name));
  const dd = make("dd");
  dd.append(value);
  list.append(dd);
}

function mono(text: string): Element {
  return make("span", "mono", text);
}

/** One line of a record's checks. */
function check(
  list: Element,
  state: "ok" | "fail" | "none",
  text: string,
): void {
  const item = make("li", state, text);
  item.dataset.check = state;
  list.append(item);
}

interface Checked {
  record: DrawRecord;
  line: number;
  /** Its own checks: form, key id, hash, signature, seeded result. */
  draw: DrawVerification;
  /** The same without the recomputation: what the signature says alone. */
  signed: DrawVerification;
  /** Its problems as part of the chain: serial and previous. */
  links: ChainProblem[];
}

function recordCard(
  checked: Checked,
  index: number,
  chain: ChainVerification,
  midChain: boolean,
): Element {
  const { record, draw, signed, links } = checked;
  const ok = draw.ok && links.length === 0;
  const card = make("article", `record ${ok ? "ok" : "fail"}`);
  card.dataset.verdict = ok ? "ok" : "fail";
  const serial = (record as Partial<DrawRecord>).serial;
  const heading = make(
    "h3",
    "",
    `Serial ${shown(serial)}${
      checked.line > 1 ? ` (line ${checked.line})` : ""
    }`,
  );
  heading.append(make("span", "badge", ok ? "verifies" : "does not verify"));
  card.append(heading);

  const fields = make("dl");
  const time = (record as Partial<DrawRecord>).time;
  const when = typeof time === "string" && !Number.isNaN(Date.parse(time))
    ? `${time} (${new Date(time).toLocaleString()} here)`
    : shown(time);
  row(fields, "Drawn", when);
  const request = (record as Partial<DrawRecord>).request;
  if (Array.isArray(request)) {
    const text = make("span", "mono");
    text.append(make("strong", "", shown(request[0])));
    text.append(
      request.slice(1).map((arg) => ` ${JSON.stringify(shown(arg))}`).join(""),
    );
    row(fields, "Request", text);
  } else {
    row(fields, "Request", mono(shown(request)));
  }
  const reply = readReply((record as Partial<DrawRecord>).result);
  if (reply && "values" in reply) {
    row(fields, "Result", mono(reply.values.join(", ")));
  } else if (reply) {
    row(fields, "Result", mono(`error reply: ${reply.error}`));
  }
  row(
    fields,
    reply ? "RESP2 reply" : "Result (RESP2)",
    mono(JSON.stringify((record as Partial<DrawRecord>).result) ?? ""),
  );
  const data = (record as Partial<DrawRecord>).data;
  row(fields, "Data", data === "" ? make("em", "", "none") : shown(data));
  row(fields, "Hash", mono(shown((record as Partial<DrawRecord>).hash)));
  row(
    fields,
    "Previous",
    mono(shown((record as Partial<DrawRecord>).previous)),
  );
  card.append(fields);

  const checks = make("ul", "checks");
  if (signed.ok) {
    check(
      checks,
      "ok",
      `signature: ok, and hash: ok (key id ${chain.keyId})`,
    );
  } else {
    for (const problem of signed.problems) {
      check(checks, "fail", problemText(problem));
    }
  }
  const recomputation = draw.problems.filter((p) =>
    !signed.problems.some((s) => s.field === p.field && s.message === p.message)
  );
  if (!draw.recomputed) {
    check(checks, "none", "seeded recomputation: not a seeded draw");
  } else if (recomputation.length === 0) {
    check(
      checks,
      "ok",
      "seeded recomputation: ok, the result is what the seed gives",
    );
  } else {
    for (const problem of recomputation) {
      check(
        checks,
        "fail",
        `seeded recomputation: ${problemText(problem)}`,
      );
    }
  }
  if (links.length > 0) {
    for (const problem of links) {
      check(checks, "fail", `chain: ${problemText(problem)}`);
    }
  } else if (index > 0) {
    check(checks, "ok", "chain: ok, previous is the hash of the record before");
  } else if (midChain) {
    check(
      checks,
      "none",
      `chain: begins mid-chain at serial ${
        shown(serial)
      }: its link to the record before is not checked`,
    );
  } else {
    check(checks, "ok", "chain: ok, serial 1 begins the chain");
  }
  card.append(checks);
  return card;
}

async function verify(): Promise<void> {
  results.replaceChildren();
  let key: Uint8Array;
  try {
    key = parsePublicKey(keyInput.value);
  } catch (error) {
    keyInput.setAttribute("aria-invalid", "true");
    say("fail", `Public key: ${(error as Error).message}`);
    return;
  }
  keyInput.removeAttribute("aria-invalid");
  let lines;
  try {
    lines = parseDrawRecordLines(recordsInput.value);
  } catch (error) {
    say("fail", `Records: ${(error as Error).message}`);
    return;
  }
  if (lines.length === 0) {
    say(
      "",
      "Paste a record or an exported log, or fetch a record by its serial.",
    );
    return;
  }
  say("", `Verifying ${plural(lines.length, "record")}…`);
  const records = lines.map(({ record }) => record);
  const midChain = (records[0] as Partial<DrawRecord>)?.serial !== 1;
  const chain = await verifyChain(records, key, { midChain });
  const checked: Checked[] = [];
  for (let i = 0; i < records.length; i++) {
    const draw = await verifyDraw(records[i], key);
    const signed = draw.recomputed && !draw.ok
      ? await verifyDraw(records[i], key, { recompute: false })
      : draw;
    const own = (p: ChainProblem) =>
      draw.problems.some((d) => d.field === p.field && d.message === p.message);
    const links = chain.problems.filter((p) => p.index === i && !own(p));
    checked.push({
      record: records[i],
      line: lines[i].line,
      draw,
      signed,
      links,
    });
  }
  const failing = checked.filter((c) => !c.draw.ok || c.links.length > 0);
  const range = chain.first === chain.last
    ? `serial ${chain.first}`
    : `serials ${chain.first}–${chain.last}`;
  if (chain.ok) {
    const seeded = chain.recomputed > 0
      ? `, ${plural(chain.recomputed, "seeded result")} recomputed`
      : "";
    say(
      "ok",
      `Verified: ${
        plural(chain.count, "record")
      }, ${range}, key ${chain.keyId}: signatures and hashes hold${seeded}, chain ${
        midChain ? `intact from serial ${chain.first} (mid-chain)` : "intact"
      }.`,
    );
  } else {
    const first = chain.problems[0];
    say(
      "fail",
      `Does not verify: ${failing.length} of ${
        plural(chain.count, "record")
      } fail${failing.length === 1 ? "s" : ""}; the first, serial ${
        first.serial ?? "?"
      }: ${problemText(first)}`,
    );
  }
  let okShown = 0;
  let hidden = 0;
  checked.forEach((item, index) => {
    const bad = !item.draw.ok || item.links.length > 0;
    if (!bad && okShown >= SHOWN) {
      hidden++;
      return;
    }
    if (!bad) okShown++;
    results.append(recordCard(item, index, chain, midChain));
  });
  if (hidden > 0) {
    results.append(
      make(
        "p",
        "more",
        `… and ${plural(hidden, "more record")} that verify, not shown.`,
      ),
    );
  }
}

async function fetchRecord(): Promise<void> {
  const serial = serialInput.value.trim();
  if (!/^[1-9][0-9]*$/.test(serial)) {
    serialInput.setAttribute("aria-invalid", "true");
    say("fail", "Serial: expected a whole number from 1");
    return;
  }
  serialInput.removeAttribute("aria-invalid");
  say("", `Fetching serial ${serial}…`);
  let response: Response;
  try {
    response = await fetch(`draws/${serial}`);
  } catch (error) {
    say(
      "fail",
      `Fetch: no answer from this server (${(error as Error).message})`,
    );
    return;
  }
  const body = await response.text();
  if (!response.ok) {
    say("fail", `Fetch: ${response.status}: ${body.trim()}`);
    return;
  }
  recordsInput.value = body.trim();
  await verify();
}

/** Fills in this server's key, when it signs, and says what that proves. */
async function loadServerKey(): Promise<void> {
  let response: Response;
  try {
    response = await fetch("pubkey");
  } catch {
    return; // Opened from a file, or the server is gone: paste a key.
  }
  if (response.status === 404) {
    keyNote.textContent =
      "This server signs no draws: paste a record, and the public key it was signed with.";
    return;
  }
  if (!response.ok) return;
  const { key_id: keyId, public_key: publicKey } = await response.json();
  if (typeof publicKey !== "string") return;
  if (keyInput.value.trim() === "") keyInput.value = publicKey;
  keyNote.textContent =
    `Filled in from this server (key id ${keyId}). A key fetched from the server being checked proves only that the records are this server's: compare it with the key the operator publishes.`;
}

function busy<T extends unknown[]>(
  run: (...args: T) => Promise<void>,
): (...args: T) => Promise<void> {
  return async (...args) => {
    fetchButton.disabled = verifyButton.disabled = true;
    try {
      await run(...args);
    } catch (error) {
      say("fail", `Error: ${(error as Error).message}`);
    } finally {
      fetchButton.disabled = verifyButton.disabled = false;
    }
  };
}

if (globalThis.crypto?.subtle === undefined) {
  // Browsers give Web Crypto only to secure contexts.
  fetchButton.disabled = verifyButton.disabled = true;
  say(
    "fail",
    "This browser gives the page no Web Crypto, which it needs to verify: open it over https://, or as http://localhost or http://127.0.0.1 (through an SSH tunnel, for a server elsewhere).",
  );
} else {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(verify)();
  });
  fetchButton.addEventListener("click", busy(fetchRecord));
  serialInput.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    busy(fetchRecord)();
  });
  await loadServerKey();
  document.documentElement.dataset.ready = "true";
}
