"""Secrets are masked in run output, in every form a tool may print them."""

import base64
import json
from urllib.parse import quote, quote_plus

import pytest

from portal.credentials.masking import Masker

SECRET = "s3cr3t/P@ss:w0rd+é \"q'"


@pytest.fixture
def masker():
    return Masker([SECRET, "tiny", "abc", ""])


def test_verbatim_and_short_values(masker):
    assert masker.mask(f"password={SECRET}; done") == "password=***; done"
    assert masker.mask("abc stays: too short to mask") == "abc stays: too short to mask"
    assert masker.mask("tiny is masked") == "*** is masked"


@pytest.mark.parametrize(
    "encoded",
    [
        quote(SECRET, safe=""),
        quote(SECRET),
        quote_plus(SECRET),
        quote(SECRET, safe="").lower(),  # lower-case escapes (the text is lower too)
        json.dumps(SECRET)[1:-1],
        json.dumps(SECRET, ensure_ascii=False)[1:-1],
        json.dumps(json.dumps(SECRET)[1:-1])[1:-1],  # JSON inside a JSON string
    ],
)
def test_url_and_json_encodings(encoded):
    masker = Masker([SECRET, SECRET.lower()])
    assert masker.mask(f"<{encoded}>") == "<***>"


def test_inside_a_connection_url(masker):
    url = f"postgres://admin:{quote(SECRET, safe='')}@db.internal:5432/app"
    assert masker.mask(f"connecting to {url}") == (
        "connecting to postgres://admin:***@db.internal:5432/app"
    )


@pytest.mark.parametrize("before", [b"", b"u", b"us", b"usr", b"user:"])
@pytest.mark.parametrize("after", [b"", b"x", b"xy", b"xyz"])
@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_base64_at_every_alignment_inside_a_longer_payload(masker, before, after, encode):
    payload = encode(before + SECRET.encode() + after).decode()
    masked = masker.mask(f"Authorization: Basic {payload}")
    assert masked != f"Authorization: Basic {payload}"
    assert "***" in masked
    # What is left is at most the neighbours' characters and the padding.
    assert len(masked) - len("Authorization: Basic ***") <= len(before) * 2 + len(after) * 2 + 4


def test_base64_of_the_secret_alone(masker):
    assert masker.mask(base64.b64encode(SECRET.encode()).decode()).rstrip("=") == "***"


def test_mask_data_walks_dicts_lists_and_tuples(masker):
    data = {"a": [SECRET, ("x", f"{SECRET}!")], SECRET: 3, "n": None, "ok": True}
    assert masker.mask_data(data) == {"a": ["***", ("x", "***!")], "***": 3, "n": None, "ok": True}


def test_no_secrets_changes_nothing():
    assert Masker([]).mask("anything") == "anything"
    assert Masker(["abc"]).mask_data({"k": "abc"}) == {"k": "abc"}


def test_a_hundred_thousand_lines(masker):
    many = Masker([SECRET, *(f"secret-number-{n}-abcdefgh" for n in range(10))])
    lines = [
        f"aws_instance.web[{n}]: Still creating... [{n}s elapsed] token={SECRET}"
        if n % 1000 == 0
        else f"aws_instance.web[{n}]: Still creating... [{n}s elapsed]"
        for n in range(100_000)
    ]
    masked = many.mask("\n".join(lines)).split("\n")
    assert len(masked) == 100_000
    assert sum(line.endswith("token=***") for line in masked) == 100
    assert SECRET not in "\n".join(masked)
