"""Redaction of remote text: the one step every message, ledger record, plan or log line that carries text from a
peer (an error body, a peer's messages, an exception's words) passes before it is shown or written, then cut.

Removed: the configured secrets (each in plain, base64 and URL-encoded form, and ``user:password`` pairs in plain
and base64, as HTTP Basic sends them); the values of ``Authorization``, ``Proxy-Authorization``, ``Cookie`` and
``Set-Cookie`` headers however they are quoted; ``Bearer`` and ``Basic`` credentials; ``user:password@`` in URLs.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

MASK = "***"
CUT_AT = 300
"""Characters of remote text kept in a message, after redaction."""

_HEADER = re.compile(
    r"""(?ix)
    (\b(?:proxy-)?authorization|\bset-cookie|\bcookie)   # the header name
    (["']?\s*[:=]\s*["']?)                              # a colon (HTTP, YAML) or = (forms), perhaps quoted (JSON)
    ([^"'\r\n]*)                                        # its value, to the end of the line or the closing quote
    """
)
_SCHEME = re.compile(
    r"\b([Bb]earer|BEARER)(\s+)[A-Za-z0-9._~+/=-]{8,}"  # a bearer token
    r"|\b(Basic|BASIC)(\s+)(?:[A-Za-z0-9+/]{4}){2,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?(?![A-Za-z0-9+/=])"
)
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s:]+:[^/@\s]+@")


def _forms(secret: str) -> set[str]:
    """A secret as it may travel: plain, base64 (with and without padding), URL-encoded (both ways)."""
    raw = secret.encode("utf-8")
    b64 = base64.b64encode(raw).decode("ascii")
    return {secret, b64, b64.rstrip("="), base64.urlsafe_b64encode(raw).decode("ascii"), quote(secret, safe=""),
            quote_plus(secret, safe="")}


@dataclass(frozen=True)
class Redactor:
    """Removes ``secrets`` (and ``pairs``: ``(user, password)`` as Basic authentication encodes them) from text."""

    secrets: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    _needles: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        needles: set[str] = set()
        for secret in self.secrets:
            if len(secret) >= 4:  # shorter strings would mask ordinary words; header rules still catch them
                needles |= _forms(secret)
        for user, password in self.pairs:
            if password:
                needles |= _forms(f"{user}:{password}") | _forms(password)
        # longest first, so that a form containing another is removed whole
        object.__setattr__(self, "_needles", tuple(sorted(needles, key=lambda s: (-len(s), s))))

    def with_secrets(self, secrets: Iterable[str] = (), pairs: Iterable[tuple[str, str]] = ()) -> Redactor:
        """This redactor with more secrets."""
        return Redactor((*self.secrets, *(s for s in secrets if s)), (*self.pairs, *pairs))

    def __call__(self, text: str) -> str:
        """``text`` with every secret and credential-carrying header value replaced by ``***``."""
        for needle in self._needles:
            if needle in text:
                text = text.replace(needle, MASK)
        text = _HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
        text = _SCHEME.sub(lambda m: f"{m.group(1) or m.group(3)}{m.group(2) or m.group(4)}{MASK}", text)
        return _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)

    def cut(self, text: str, limit: int = CUT_AT) -> str:
        """Redacted ``text``, stripped and cut to ``limit`` characters (an ellipsis marks the cut)."""
        clean = self(text).strip()
        return clean if len(clean) <= limit else clean[:limit].rstrip() + "…"


NO_SECRETS = Redactor()
"""Redaction of header values and credentials when no secret is configured."""
