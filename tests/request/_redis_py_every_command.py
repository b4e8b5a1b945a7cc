"""Drives the request port with redis-py, for real_clients_test.ts.

    python3 _redis_py_every_command.py PORT < requests.json

requests.json holds {"cases": [...], "seeded": [...], "seeded_other": [...],
"vectors": [...], "pipeline": [...]}, each a list of requests (lists of
strings). Prints one JSON object of what redis-py got, each reply as RESP2
as JSON (integers, strings, null, lists, {"error": message}); the test
judges them.
"""

import base64
import json
import sys

import redis

port = int(sys.argv[1])
requests = json.load(sys.stdin)


def connect():
    return redis.Redis(
        host="127.0.0.1", port=port, socket_timeout=5, socket_connect_timeout=5
    )


def plain(value):
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            return {"bytes": base64.b64encode(value).decode()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, redis.ResponseError):
        return error(value)
    if value is None or isinstance(value, (int, str, bool)):
        return value
    raise TypeError(f"unexpected reply {value!r}")


def error(e):
    # redis-py drops the ERR code from the message of the ResponseError it
    # raises; the server's one other code, NOPROTO, it does not know, and
    # keeps. Anything but a plain ResponseError is reported as it is.
    message = str(e)
    if type(e) is not redis.ResponseError:
        return {"error": f"{type(e).__name__}: {message}"}
    if not message.startswith("NOPROTO "):
        message = "ERR " + message
    return {"error": message}


def ask(r, args):
    try:
        return plain(r.execute_command(*args))
    except redis.ResponseError as e:
        return error(e)


out = {}

# The replies as the server sent them: without redis-py's per-command
# parsing (PING to True, CONFIG GET to a dict, ...), which "api" uses.
raw = connect()
raw.response_callbacks.clear()
out["id_before"] = raw.execute_command("CLIENT", "ID")
out["cases"] = [ask(raw, args) for args in requests["cases"]]
# The errors among the cases were replies, not broken connections.
out["id_after"] = raw.execute_command("CLIENT", "ID")
out["seeded"] = [ask(raw, args) for args in requests["seeded"]]
out["vectors"] = [ask(raw, args) for args in requests["vectors"]]
second = connect()
second.response_callbacks.clear()
out["seeded_again"] = [ask(second, args) for args in requests["seeded"]]
out["seeded_other"] = [ask(second, args) for args in requests["seeded_other"]]
out["raw_bytes"] = len(raw.execute_command("RANDBYTES", 1000))
out["seeded_bytes"] = raw.execute_command("RANDBYTES", 16, "SEED", "").hex()

# Pipelining: every request in one write, the replies in order, errors in
# their places.
pipe = raw.pipeline(transaction=False)
for args in requests["pipeline"]:
    pipe.execute_command(*args)
out["pipeline"] = [plain(r) for r in pipe.execute(raise_on_error=False)]
pipe = raw.pipeline(transaction=False)
pipe.ping().execute_command("RANDINT", 3, 6, 1).echo("after")
try:
    pipe.execute()
    out["pipeline_raised"] = None
except redis.ResponseError as e:
    out["pipeline_raised"] = str(e)
out["id_after_pipelines"] = raw.execute_command("CLIENT", "ID")

# redis-py's own methods, with its parsing of each reply.
r = connect()
api = {}
api["ping"] = r.ping()
api["echo"] = r.echo("héllo").decode()
api["select"] = r.select(0)
info = r.info()
api["info"] = {k: info.get(k) for k in ("redis_version", "redis_mode")}
api["info_server"] = sorted(r.info("server"))
api["config_get"] = r.config_get("*")
api["config_get_one"] = r.config_get("databases")
api["client_id"] = r.client_id()
api["getname_before"] = r.client_getname()
api["setname"] = r.client_setname("tester")
api["getname"] = r.client_getname()
api["command_count"] = r.command_count()
api["command"] = r.command()
try:
    r.execute_command("RANDINT", "x", 1, 6)
    api["error"] = None
except redis.ResponseError as e:
    api["error"] = [type(e).__name__, str(e)]
api["ping_after_error"] = r.ping()
api["help"] = plain(r.execute_command("HELP"))
api["help_one"] = plain(r.execute_command("HELP", "SAMPLE"))
api["hello"] = plain(r.execute_command("HELLO", 2))
api["reset"] = r.reset()
api["getname_after_reset"] = r.client_getname()
api["quit"] = r.quit()
# What happens to r after QUIT is real_clients_test.ts's QUIT test.
api["ping_after_quit"] = connect().ping()
out["api"] = api

print(json.dumps(out))
