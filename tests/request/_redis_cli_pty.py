"""Runs redis-cli in interactive mode on a pseudo-terminal, as a person at a
terminal would: a prompt, a command typed, its output, the prompt again.

    python3 _redis_cli_pty.py PORT DEADLINE_SECONDS COMMAND...

Starts `redis-cli -h 127.0.0.1 -p PORT` on a pty, waits for the prompt
`127.0.0.1:PORT> `, then types each COMMAND and Enter and reads the screen
until the prompt is back (or, after the last command, until redis-cli exits).
Prints one JSON object: {"banner": what came before the first prompt,
"steps": [{"command", "screen"}], "exit": redis-cli's exit status or null}.
A screen is what the terminal showed, escape sequences removed. Exits 2 when
the deadline passes first, printing what it had.
"""

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

port = sys.argv[1]
deadline = time.monotonic() + float(sys.argv[2])
commands = sys.argv[3:]
prompt = f"127.0.0.1:{port}> ".encode()

pid, fd = pty.fork()
if pid == 0:
    # History and preferences files stay out of the tester's home.
    os.environ["REDISCLI_HISTFILE"] = "/dev/null"
    os.environ["REDISCLI_RCFILE"] = "/dev/null"
    os.environ["TERM"] = "xterm"
    os.execvp("redis-cli", ["redis-cli", "-h", "127.0.0.1", "-p", port])

# Without a window size linenoise asks the terminal for the cursor position
# and waits for an answer that no one would send.
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))

TOKENS = re.compile(
    r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b[()][A-Za-z0-9]|(\r)|(\n)|(.)", re.S
)
result = {"banner": "", "steps": [], "exit": None}


def clean(raw):
    """What a terminal would show for raw: linenoise redraws the line at
    each key (carriage return, prompt, text, erase to the end, cursor
    moves), so only the last drawing of each line is kept."""
    lines, line, col = [], [], 0
    for m in TOKENS.finditer(raw.decode(errors="replace")):
        arg, final, cr, lf, char = m.groups()
        if cr:
            col = 0
        elif lf:
            lines.append("".join(line))
            line, col = [], 0
        elif char is not None:
            if char == "\x07":
                continue
            line[col:col + 1] = [char]
            col += 1
        elif final == "K" and arg in ("", "0"):
            del line[col:]
        elif final == "C":
            col += int(arg or 1)
            line += [" "] * (col - len(line))
        elif final == "D":
            col = max(0, col - int(arg or 1))
    return "\n".join(lines + ["".join(line)])


def finish(code):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    print(json.dumps(result))
    sys.exit(code)


def read_until(done):
    """Reads the pty until done(raw) holds: (raw, True); or until redis-cli
    has closed it: (raw, False)."""
    raw = b""
    while not done(raw):
        left = deadline - time.monotonic()
        if left <= 0:
            result["timeout"] = clean(raw)
            finish(2)
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal.
            chunk = b""
        if not chunk:
            return raw, False
        raw += chunk
    return raw, True


raw, open_ = read_until(lambda raw: raw.endswith(prompt))
result["banner"] = clean(raw[: -len(prompt)] if open_ else raw)
for command in commands if open_ else []:
    os.write(fd, command.encode() + b"\r")
    # The echo of the line ends with the line break; the reply follows it,
    # then the next prompt.
    raw, open_ = read_until(
        lambda raw: b"\n" in raw and raw[raw.index(b"\n"):].endswith(prompt)
    )
    screen = clean(raw)
    if open_:
        screen = screen[: -len(prompt.decode())]
    result["steps"].append({"command": command, "screen": screen})
    if not open_:
        break

while time.monotonic() < deadline:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        result["exit"] = os.waitstatus_to_exitcode(status)
        print(json.dumps(result))
        sys.exit(0)
    if open_:  # Still at its prompt: it was not told to quit.
        break
    time.sleep(0.02)
finish(2 if not open_ else 0)
