// The verification page's HTML and CSS. The page holds no script of its
// own (its Content-Security-Policy forbids inline script and style): its
// behaviour is verify.js, the bundle of _page_script.ts. The element ids
// here are the ones _page_script.ts looks up.

/** The page, at `/verify`. Paths are relative, so a proxy may mount it. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verify signed draws - randport</title>
<link rel="stylesheet" href="verify.css">
<script type="module" src="verify.js"></script>
</head>
<body>
<main>
<h1>Verify signed draws</h1>
<p class="intro">This page checks randport's signed draw records
(PROTOCOL.md §6) in your browser, with Web Crypto: their Ed25519
signatures, their hashes, their chain, and the results of seeded draws
recomputed from the seed. Nothing you paste leaves the page. Paste a record
or an exported log (<code>deno task client export</code>), or fetch a
record of this server by its serial.</p>
<noscript><p class="verdict fail">This page needs JavaScript: its own
script, verify.js, served with it.</p></noscript>
<form id="form" novalidate>
<div class="field">
<label for="key">Public key <span class="hint">(64 hex digits)</span></label>
<input id="key" name="key" autocomplete="off" spellcheck="false" aria-describedby="key-note">
<p id="key-note" class="note">Take it from where the operator publishes
it: a key fetched from the server being checked proves only that the
records are that server's.</p>
</div>
<div class="field">
<label for="serial">Serial <span class="hint">(a record of this server)</span></label>
<div class="row">
<input id="serial" name="serial" inputmode="numeric" autocomplete="off" aria-describedby="serial-note">
<button type="button" id="fetch">Fetch</button>
</div>
<p id="serial-note" class="note">Fetches the stored record into the box
below and verifies it.</p>
</div>
<div class="field">
<label for="records">Record or exported log <span class="hint">(JSON, or JSON lines)</span></label>
<textarea id="records" name="records" rows="7" spellcheck="false" autocomplete="off"></textarea>
</div>
<button type="submit" id="verify">Verify</button>
</form>
<section aria-labelledby="results-heading">
<h2 id="results-heading">Result</h2>
<p id="summary" class="verdict" role="status" aria-live="polite">Nothing verified yet.</p>
<div id="results"></div>
</section>
</main>
</body>
</html>
`;

/** The page's style sheet, at `/verify.css`. */
export const PAGE_CSS = `:root {
  color-scheme: light dark;
  --fg: #1f2328; --bg: #ffffff; --muted: #59636e; --line: #d1d9e0;
  --box: #f6f8fa; --ok: #1a7f37; --ok-bg: #dafbe1; --fail: #cf222e;
  --fail-bg: #ffebe9; --accent: #0969da;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg);
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d;
    --box: #151b23; --ok: #3fb950; --ok-bg: #12261e; --fail: #f85149;
    --fail-bg: #2d1214; --accent: #4493f8;
  }
}
body { margin: 0; }
main { max-width: 56rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
.intro, .note, .hint { color: var(--muted); }
.note { font-size: .875rem; margin: .25rem 0 0; }
.field { margin: 1rem 0; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
.hint { font-weight: 400; }
input, textarea {
  box-sizing: border-box; width: 100%; padding: .45rem .6rem;
  font: .875rem/1.4 ui-monospace, SFMono-Regular, Menlo, monospace;
  color: var(--fg); background: var(--box);
  border: 1px solid var(--line); border-radius: 6px;
}
.row { display: flex; gap: .5rem; }
.row input { max-width: 14rem; }
button {
  font: inherit; font-weight: 600; padding: .45rem 1.1rem; cursor: pointer;
  color: #fff; background: var(--accent); border: 0; border-radius: 6px;
}
button[disabled] { opacity: .5; cursor: default; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.verdict {
  padding: .6rem .8rem; border-radius: 6px; border: 1px solid var(--line);
  background: var(--box);
}
.verdict.ok { color: var(--ok); background: var(--ok-bg); border-color: var(--ok); }
.verdict.fail { color: var(--fail); background: var(--fail-bg); border-color: var(--fail); }
.record {
  border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px;
  padding: .5rem 1rem; margin: 1rem 0;
}
.record.ok { border-left-color: var(--ok); }
.record.fail { border-left-color: var(--fail); }
.record h3 { font-size: 1.05rem; margin: .25rem 0 .5rem; }
.record h3 .badge { font-size: .8rem; margin-left: .5rem; padding: .1rem .5rem; border-radius: 1rem; }
.record.ok .badge { color: var(--ok); background: var(--ok-bg); }
.record.fail .badge { color: var(--fail); background: var(--fail-bg); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .875rem; }
.checks { list-style: none; padding: 0; margin: .75rem 0 .25rem; }
.checks li { padding: .1rem 0 .1rem 1.5rem; text-indent: -1.5rem; }
.checks li.ok::before { content: "\\2713\\00a0\\00a0"; color: var(--ok); font-weight: 700; }
.checks li.fail::before { content: "\\2717\\00a0\\00a0"; color: var(--fail); font-weight: 700; }
.checks li.fail { color: var(--fail); }
.checks li.none::before { content: "\\2013\\00a0\\00a0"; color: var(--muted); }
.more { color: var(--muted); }
`;
