"""The one redaction step for remote text: exact outputs for each form a secret or credential takes."""

from __future__ import annotations

import base64

from tak_gitops.adapters.redact import NO_SECRETS, Redactor

SECRET = "p@ss/w+rd"
R = Redactor((SECRET,), (("svc", SECRET),))


def test_configured_secret_in_plain_base64_and_url_encoded_form() -> None:
    b64 = base64.b64encode(b"svc:p@ss/w+rd").decode()
    assert R(f"password={SECRET}") == "password=***"
    assert R(f"x {base64.b64encode(SECRET.encode()).decode()} y") == "x *** y"
    assert R(f"sent {b64}") == "sent ***"
    assert R("username=svc&password=p%40ss%2Fw%2Brd") == "username=svc&password=***"
    assert R("q=p%40ss%2Fw%2Brd") == "q=***"


def test_credential_headers_however_quoted() -> None:
    assert NO_SECRETS("Authorization: Basic dXNlcjpwdw==\r\nHost: x") == "Authorization: ***\r\nHost: x"
    assert NO_SECRETS('{"authorization": "Bearer abc.def", "cookie": "a=1"}') == (
        '{"authorization": "***", "cookie": "***"}'
    )
    assert NO_SECRETS("set-cookie: JSESSIONID=42; Path=/") == "set-cookie: ***"
    assert NO_SECRETS("Proxy-Authorization=Negotiate xyz") == "Proxy-Authorization=***"


def test_bearer_tokens_and_url_credentials_without_configuration() -> None:
    assert NO_SECRETS("token rejected: Bearer ghp_abcdef123456") == "token rejected: Bearer ***"
    assert NO_SECRETS("see https://user:pw@host/x") == "see https://***@host/x"
    assert NO_SECRETS("decoded: Basic dXNlcjpwYXNzd29yZA==; retry") == "decoded: Basic ***; retry"
    assert NO_SECRETS("HTTP 404: not found; basic checks failed") == "HTTP 404: not found; basic checks failed"


def test_cut_after_redaction() -> None:
    long = f"{'x' * 290} {SECRET} {'y' * 50}"
    assert R.cut(long, 300) == f"{'x' * 290} *** {'y' * 5}…"
    assert R.cut("  short  ") == "short"
    assert SECRET not in R.cut(f"{'z' * 295}{SECRET}", 300)
