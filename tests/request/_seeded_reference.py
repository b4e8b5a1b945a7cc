"""An independent implementation of PROTOCOL.md 5.4 (seeded draws), in
Python with nothing but its standard library, written from the document.

Reads one request per line on stdin, as JSON arrays of strings whose last two
are SEED seed, and prints one JSON value per line: what the server must reply.
"""

import hashlib
import json
import struct
import sys


def rotl(v, n):
    return ((v << n) & 0xFFFFFFFF) | (v >> (32 - n))


def chacha20_block(key_words, counter, nonce_words):
    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    state += key_words + [counter & 0xFFFFFFFF] + nonce_words
    x = list(state)

    def qr(a, b, c, d):
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF
        x[d] = rotl(x[d] ^ x[a], 16)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF
        x[b] = rotl(x[b] ^ x[c], 12)
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF
        x[d] = rotl(x[d] ^ x[a], 8)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF
        x[b] = rotl(x[b] ^ x[c], 7)

    for _ in range(10):
        qr(0, 4, 8, 12)
        qr(1, 5, 9, 13)
        qr(2, 6, 10, 14)
        qr(3, 7, 11, 15)
        qr(0, 5, 10, 15)
        qr(1, 6, 11, 12)
        qr(2, 7, 8, 13)
        qr(3, 4, 9, 14)
    return [(x[i] + state[i]) & 0xFFFFFFFF for i in range(16)]


class Words:
    def __init__(self, seed):
        key = hashlib.sha256(b"randport-seed-v1" + seed.encode("utf-8")).digest()
        self.key = list(struct.unpack("<8I", key))
        self.counter = 0
        self.block = []

    def next(self):
        if not self.block:
            self.block = chacha20_block(self.key, self.counter, [0, 0, 0])
            self.counter += 1
        return self.block.pop(0)


def below(words, n):
    if n <= 2**32:
        limit = 2**32 - 2**32 % n
        while True:
            w = words.next()
            if w < limit:
                return w % n
    bits = 53 if n <= 2**53 else 54
    limit = 2**bits - 2**bits % n
    while True:
        a = words.next() & ((1 << (bits - 32)) - 1)
        v = a * 2**32 + words.next()
        if v < limit:
            return v % n


def first_of_shuffle(words, items, k):
    out = list(items)
    for i in range(k):
        j = i + below(words, len(out) - i)
        out[i], out[j] = out[j], out[i]
    return out[:k]


def distinct(words, count, lo, hi):
    # Fisher-Yates over lo..hi, positions kept in a dict.
    moved = {}
    out = []
    n = hi - lo + 1
    for i in range(count):
        j = i + below(words, n - i)
        at_j = moved.get(j, j)
        moved[j] = moved.get(i, i)
        out.append(lo + at_j)
    return out


def word_bytes(words, n):
    out = b""
    while len(out) < n:
        out += struct.pack("<I", words.next())
    return out[:n]


def uuid4(words):
    b = bytearray(word_bytes(words, 16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def payload(numbers, fmt):
    if fmt == "json":
        return "[" + ",".join(map(str, numbers)) + "]"
    if fmt == "lines":
        return "".join(f"{n}\n" for n in numbers)
    return ",".join(map(str, numbers))


def draw(request):
    *args, seed_word, seed = request
    assert seed_word.upper() == "SEED"
    words = Words(seed)
    name = args[0].upper()
    if name == "RANDINT":
        count, lo, hi = int(args[1]), int(args[2]), int(args[3])
        rest = [a.upper() for a in args[4:]]
        if "UNIQUE" in rest:
            numbers = distinct(words, count, lo, hi)
        else:
            numbers = [lo + below(words, hi - lo + 1) for _ in range(count)]
        if "FORMAT" in rest:
            return payload(numbers, args[4 + rest.index("FORMAT") + 1].lower())
        return numbers
    if name == "SEQUENCE":
        lo, hi = int(args[1]), int(args[2])
        return distinct(words, hi - lo + 1, lo, hi)
    if name == "SHUFFLE":
        return first_of_shuffle(words, args[1:], len(args) - 1)
    if name == "SAMPLE":
        return first_of_shuffle(words, args[2:], int(args[1]))
    if name == "UUID":
        if len(args) == 1:
            return uuid4(words)
        return [uuid4(words) for _ in range(int(args[1]))]
    if name == "RANDBYTES":
        data = word_bytes(words, int(args[1]))
        return data.hex()  # the test asks for HEX
    if name == "RANDSTRING":
        count, length = int(args[1]), int(args[2])
        alphabet = list(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        )
        if len(args) > 3:
            alphabet = list(dict.fromkeys(args[4]))
        return [
            "".join(alphabet[below(words, len(alphabet))] for _ in range(length))
            for _ in range(count)
        ]
    if name == "RANDFLOAT":
        count = int(args[1])
        decimals = int(args[2]) if len(args) > 2 else 6
        return [
            "0." + str(below(words, 10**decimals)).zfill(decimals)
            for _ in range(count)
        ]
    raise ValueError(f"no reference for {name}")


for line in sys.stdin:
    if line.strip():
        print(json.dumps(draw(json.loads(line))))
