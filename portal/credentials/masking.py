"""Masking secrets in run output, in the forms a tool may print them.

Each secret is masked verbatim, URL-encoded (as in a connection URL's password),
JSON-escaped, and base64-encoded, also when it sits inside a longer base64 payload (a
kubeconfig, an HTTP basic auth header): there its encoding depends on where it starts in
a 3-byte group, so each of the 3 alignments gets a pattern, with a character class for
the edge characters it shares with its neighbours. Every form of every secret goes into
one compiled alternation, longest first, so a line is scanned once.
"""

import base64
import json
import re
import string
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MIN_LENGTH = 4  # shorter values would mask half of every log
REPLACEMENT = "***"

STANDARD = string.ascii_uppercase + string.ascii_lowercase + string.digits + "+/"
URL_SAFE = STANDARD[:62] + "-_"


class Masker:
    def __init__(self, secrets: Iterable[str]):
        patterns: dict[str, int] = {}
        for secret in secrets:
            if isinstance(secret, str) and len(secret) >= MIN_LENGTH:
                for pattern, length in _patterns(secret):
                    patterns[pattern] = max(length, patterns.get(pattern, 0))
        ordered = sorted(patterns, key=lambda pattern: (-patterns[pattern], pattern))
        self._pattern = re.compile("|".join(ordered)) if ordered else None

    def mask(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(REPLACEMENT, text)

    def mask_data(self, value):
        """``value`` with every string in it masked, through dicts, lists and tuples."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {self.mask_data(key): self.mask_data(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.mask_data(item) for item in value)
        return value


def _patterns(secret: str) -> list[tuple[str, int]]:
    """(regular expression, length of the text it matches) for each form of ``secret``."""
    literal = {secret}
    for text in (secret, *(json.dumps(secret, ensure_ascii=a)[1:-1] for a in (True, False))):
        literal.add(text)
        literal.add(json.dumps(text)[1:-1])  # JSON inside a JSON string
    found = [(re.escape(text), len(text)) for text in literal]
    for encoded in {quote(secret, safe=""), quote(secret), quote_plus(secret)}:
        found.append((_any_case_escapes(encoded), len(encoded)))
    data = secret.encode()
    for alphabet in (STANDARD, URL_SAFE):
        for offset in range(3):
            pattern = _base64_pattern(data, offset, alphabet)
            if pattern:
                found.append(pattern)
    return found


def _any_case_escapes(encoded: str) -> str:
    """``%2F`` also as ``%2f``: encoders differ in the case of their hex digits."""
    parts = re.split(r"(%[0-9A-F]{2})", encoded)
    return "".join(
        "%" + "".join(f"[{c}{c.lower()}]" if c.isalpha() else c for c in part[1:])
        if index % 2
        else re.escape(part)
        for index, part in enumerate(parts)
    )


def _base64_pattern(data: bytes, offset: int, alphabet: str) -> tuple[str, int] | None:
    """The base64 of ``data`` starting ``offset`` bytes into a 3-byte group.

    The characters fully determined by ``data`` are matched literally; a character that
    mixes bits of a neighbour byte is matched by the class of characters that agree on
    the bits ``data`` sets."""
    encoded = base64.b64encode(bytes(offset) + data).decode().rstrip("=")
    if alphabet == URL_SAFE:
        encoded = encoded.translate(str.maketrans("+/", "-_"))
    start_bit, end_bit = 8 * offset, 8 * (offset + len(data))
    first_whole, last_whole = -(-start_bit // 6), end_bit // 6
    core = encoded[first_whole:last_whole]
    if len(core) < MIN_LENGTH:
        return None
    pattern = re.escape(core)
    if start_bit % 6:  # the character before the core: its low bits are ours
        known_bits = 6 * first_whole - start_bit
        low = alphabet.index(encoded[first_whole - 1]) & ((1 << known_bits) - 1)
        pattern = _class(alphabet, lambda i: i & ((1 << known_bits) - 1) == low) + pattern
    if end_bit % 6:  # the character after the core: its high bits are ours
        known_bits = end_bit - 6 * last_whole
        high = alphabet.index(encoded[last_whole]) >> (6 - known_bits)
        pattern += _class(alphabet, lambda i: i >> (6 - known_bits) == high)
    return pattern, len(core) + bool(start_bit % 6) + bool(end_bit % 6)


def _class(alphabet: str, keep) -> str:
    return "[" + "".join(re.escape(c) for i, c in enumerate(alphabet) if keep(i)) + "]"
