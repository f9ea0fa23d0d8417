"""pyotp's public API over otpkit's core: ``from otpkit import pyotp`` (or
``import otpkit.pyotp as pyotp``) and code written for pyotp runs unchanged.

``TOTP``, ``HOTP``, ``OTP``, ``random_base32``, ``random_hex``, ``parse_uri``,
``PyOTPError`` and ``OTPVerificationError`` take pyotp's arguments, in pyotp's order
and with its defaults (``TOTP.verify``'s ``valid_window`` is 0, as in pyotp), and
expose pyotp's attributes (``secret``, ``digits``, ``digest``, ``name``, ``issuer``,
``interval``, ``initial_count``). This module only translates arguments: every code,
comparison, time step, URI and random secret comes from otpkit's Rust core (the
``Totp`` and ``Hotp`` classes of ``otpkit``).

Where otpkit differs from pyotp 2.12 (bindings/README.md lists each case): digests
other than SHA-1, SHA-256 and SHA-512 are refused (``ValueError`` naming ``digest``);
``valid_window`` is at most 120 and a negative one is a ``ValueError`` (pyotp returns
False); secrets under 112 bits are accepted (pyotp 2.12 refuses them), and intervals
over 120 seconds and times after year 9999 too; a typed code may have surrounding
whitespace and one space in the middle (``"123 456"``), as the core reads codes.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Callable, Optional, Union
from urllib.parse import urlencode, urlparse

from . import _otpkit

__all__ = [
    "HOTP",
    "OTP",
    "OTPVerificationError",
    "PyOTPError",
    "TOTP",
    "parse_uri",
    "random_base32",
    "random_hex",
]

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_HEX = "ABCDEF0123456789"
_DIGESTS: dict[str, Callable[..., Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}
# pyotp compares at most this many characters (utils._MAX_COMPARISON_LENGTH); a longer
# `otp` is False before it is normalised.
_MAX_OTP_CHARS = 1024
# The URI parameters the generator writes; provisioning_uri's **kwargs cannot replace them.
_URI_PARAMETERS = frozenset({"secret", "issuer", "algorithm", "digits", "period", "counter"})

_Time = Union[int, float, datetime.datetime]


class PyOTPError(Exception):
    """Base class of pyotp's own errors (as ``pyotp.exceptions.PyOTPError``)."""


class OTPVerificationError(PyOTPError):
    """``TOTP.verify_and_get_timecode``: the code matched no step of the window."""


@contextmanager
def _arguments(renamed: dict[str, str]) -> Iterator[None]:
    """Errors of otpkit's own classes (``"argument: why"``) re-raised with pyotp's
    name for the argument (``secret`` is pyotp's ``s``, ``period`` its ``interval``)."""
    try:
        yield
    except (ValueError, TypeError) as error:
        message = str(error)
        for ours, theirs in renamed.items():
            if message.startswith(ours + ": "):
                raise type(error)(theirs + message[len(ours) :]) from None
        raise


def _algorithm(digest: Any) -> tuple[str, Callable[..., Any]]:
    """pyotp's ``digest`` (a hashlib constructor, or None for SHA-1) as otpkit's
    algorithm name, and the constructor the ``digest`` attribute shows. The names
    ``"sha1"``, ``"sha256"`` and ``"sha512"`` are accepted too."""
    if digest is None:
        return "sha1", hashlib.sha1
    if isinstance(digest, str):
        name = digest.lower().replace("-", "")
        if name in _DIGESTS:
            return name, _DIGESTS[name]
        got = repr(digest)
    elif callable(digest):
        try:
            name = str(digest().name).lower()
        except Exception:  # not a hash constructor: refused below
            name = getattr(digest, "__name__", type(digest).__name__)
        if name in _DIGESTS:
            return name, digest
        got = name
    else:
        got = type(digest).__name__
    raise ValueError(
        "digest: otpkit supports hashlib.sha1, hashlib.sha256 and hashlib.sha512 "
        f"(or 'sha1', 'sha256', 'sha512'), got {got}"
    )


def _typed(otp: object) -> Optional[str]:
    """A typed code as pyotp compares it: ``str(otp)`` (so the int 12345 is the five
    characters "12345"), NFKC-normalised (full-width digits read as digits); None
    (a wrong code) past pyotp's 1024 characters."""
    text = str(otp)
    if len(text) > _MAX_OTP_CHARS:
        return None
    return unicodedata.normalize("NFKC", text)


def _with_parameters(uri: str, parameters: dict[str, Any]) -> str:
    """``uri`` with provisioning_uri's extra ``**kwargs`` (``image=…``) appended, each
    checked as pyotp checks it."""
    for key, value in parameters.items():
        if not isinstance(value, str):
            raise TypeError(f"{key}: otpauth URI parameters must be strings")
        if key in _URI_PARAMETERS:
            raise ValueError(f"{key}: set by the generator's own arguments, not by provisioning_uri")
        if key == "image":
            image = urlparse(value)
            if image.scheme != "https" or not image.netloc or not image.path:
                raise ValueError("image: must be an https URL")
    if not parameters:
        return uri
    return uri + "&" + urlencode(parameters).replace("+", "%20")


class OTP:
    """What ``TOTP`` and ``HOTP`` share: pyotp's ``OTP``."""

    __slots__ = ("_algorithm", "_digest", "_digits", "_hotp", "_secret", "issuer", "name")

    def __init__(
        self,
        s: str,
        digits: int = 6,
        digest: Any = None,
        name: Optional[str] = None,
        issuer: Optional[str] = None,
    ) -> None:
        if not isinstance(s, str):
            raise TypeError(f"s: expected a Base32 str, got {type(s).__name__}")
        self._algorithm, self._digest = _algorithm(digest)
        with _arguments({"secret": "s"}):
            self._hotp = _otpkit.Hotp(s, digits, self._algorithm)
        self._secret = s
        self._digits = digits
        self.name: str = name or "Secret"
        self.issuer: Optional[str] = issuer

    @property
    def secret(self) -> str:
        """The Base32 secret as it was given."""
        return self._secret

    @property
    def digits(self) -> int:
        return self._digits

    @property
    def digest(self) -> Callable[..., Any]:
        """The hashlib constructor (``hashlib.sha1`` unless another was given)."""
        return self._digest

    def byte_secret(self) -> bytes:
        """The key bytes the secret decodes to."""
        canonical = _otpkit.Account("", self._secret).secret
        return base64.b32decode(canonical + "=" * (-len(canonical) % 8))

    def generate_otp(self, input: int) -> str:
        """The code for the HMAC counter ``input``."""
        with _arguments({"counter": "input"}):
            return self._hotp.at(input)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(digits={self._digits}, digest={self._algorithm!r})"


class TOTP(OTP):
    """Time-based codes (RFC 6238): pyotp's ``TOTP``."""

    __slots__ = ("_interval", "_totp")

    def __init__(
        self,
        s: str,
        digits: int = 6,
        digest: Any = None,
        name: Optional[str] = None,
        issuer: Optional[str] = None,
        interval: int = 30,
    ) -> None:
        super().__init__(s, digits, digest, name, issuer)
        with _arguments({"secret": "s", "period": "interval"}):
            self._totp = _otpkit.Totp(s, digits, interval, self._algorithm)
        self._interval = interval

    @property
    def interval(self) -> int:
        """The time step in seconds."""
        return self._interval

    def at(self, for_time: _Time, counter_offset: int = 0) -> str:
        """The code at ``for_time`` (Unix seconds or a datetime), moved by
        ``counter_offset`` steps."""
        return self._totp.at(for_time, counter_offset)

    def now(self) -> str:
        """The code now, by the system clock."""
        return self._totp.now()

    def verify(self, otp: Union[str, int], for_time: Optional[_Time] = None, valid_window: int = 0) -> bool:
        """Whether ``otp`` is the code of ``for_time``'s step (default: now) or of one
        within ``valid_window`` steps either side (at most 120)."""
        typed = _typed(otp)
        if typed is None:
            return False
        return self._totp.verify(typed, for_time, valid_window)

    def verify_and_get_timecode(
        self, otp: Union[str, int], for_time: Optional[_Time] = None, valid_window: int = 0
    ) -> int:
        """The step ``otp`` matched within ``valid_window`` steps; raises
        ``OTPVerificationError`` if none."""
        typed = _typed(otp)
        found = None if typed is None else self._totp.match(typed, for_time, valid_window)
        if found is None:
            raise OTPVerificationError("OTP verification failed")
        return found.step

    def provisioning_uri(
        self, name: Optional[str] = None, issuer_name: Optional[str] = None, **kwargs: str
    ) -> str:
        """The ``otpauth://totp/`` URI for an authenticator app's QR code."""
        uri = self._totp.provisioning_uri(name or self.name, issuer_name or self.issuer)
        return _with_parameters(uri, kwargs)

    def timecode(self, for_time: _Time) -> int:
        """The time step of ``for_time``."""
        return self._totp.timecode(for_time)

    def __repr__(self) -> str:
        return f"TOTP(digits={self._digits}, digest={self._algorithm!r}, interval={self._interval})"


class HOTP(OTP):
    """Counter-based codes (RFC 4226): pyotp's ``HOTP``."""

    __slots__ = ("_initial_count",)

    def __init__(
        self,
        s: str,
        digits: int = 6,
        digest: Any = None,
        name: Optional[str] = None,
        issuer: Optional[str] = None,
        initial_count: int = 0,
    ) -> None:
        super().__init__(s, digits, digest, name, issuer)
        if not isinstance(initial_count, int):
            raise TypeError(f"initial_count: expected an int, got {type(initial_count).__name__}")
        self._initial_count = initial_count

    @property
    def initial_count(self) -> int:
        """The counter ``at(0)`` stands for."""
        return self._initial_count

    def _counter(self, argument: str, count: int) -> int:
        if not isinstance(count, int):
            raise TypeError(f"{argument}: expected an int, got {type(count).__name__}")
        counter = self._initial_count + count
        if counter < 0:
            raise ValueError(f"{argument}: initial_count + {argument} must not be negative, got {counter}")
        return counter

    def at(self, count: int) -> str:
        """The code for counter ``initial_count + count``."""
        return self._hotp.at(self._counter("count", count))

    def verify(self, otp: Union[str, int], counter: int) -> bool:
        """Whether ``otp`` is the code of ``at(counter)``."""
        typed = _typed(otp)
        if typed is None:
            return False
        return self._hotp.verify(typed, self._counter("counter", counter))

    def provisioning_uri(
        self,
        name: Optional[str] = None,
        initial_count: Optional[int] = None,
        issuer_name: Optional[str] = None,
        **kwargs: str,
    ) -> str:
        """The ``otpauth://hotp/`` URI for an authenticator app's QR code."""
        count = self._initial_count if initial_count is None else initial_count
        uri = self._hotp.provisioning_uri(name or self.name, count, issuer_name or self.issuer)
        return _with_parameters(uri, kwargs)

    def __repr__(self) -> str:
        return f"HOTP(digits={self._digits}, digest={self._algorithm!r}, initial_count={self._initial_count})"


def random_base32(length: int = 32, chars: Optional[Sequence[str]] = None) -> str:
    """A new random Base32 secret of ``length`` characters (a multiple of 8 from 32 to
    200) from the operating system's RNG. ``chars`` may only be pyotp's default, the
    Base32 alphabet."""
    if chars is not None and "".join(chars) != _BASE32:
        raise ValueError("chars: otpkit makes secrets of the Base32 alphabet only (leave chars out)")
    return _otpkit.random_base32(length)


def random_hex(length: int = 40, chars: Optional[Sequence[str]] = None) -> str:
    """A new random secret of ``length`` upper-case hex digits (even, from 40 to 250),
    from the operating system's RNG. ``chars`` may only be pyotp's default."""
    if chars is not None and "".join(chars) != _HEX:
        raise ValueError("chars: otpkit makes hex secrets of pyotp's default alphabet only (leave chars out)")
    if not isinstance(length, int) or isinstance(length, bool):
        raise TypeError(f"length: expected an int, got {type(length).__name__}")
    if length < 40 or length > 250 or length % 2:
        raise ValueError(f"length: must be an even number from 40 to 250 hex digits, got {length}")
    nbytes = length // 2
    base32 = _otpkit.random_base32(max(32, -(-nbytes // 5) * 8))
    return base64.b32decode(base32)[:nbytes].hex().upper()


def parse_uri(uri: str) -> OTP:
    """The ``TOTP`` or ``HOTP`` an ``otpauth://`` URI describes (read by otpkit's
    lenient parser)."""
    account = _otpkit.parse_uri(uri)
    digest = _DIGESTS[account.algorithm]
    name = account.name or None
    if account.kind == "totp" and account.period is not None:
        return TOTP(account.secret, account.digits, digest, name, account.issuer, account.period)
    if account.kind == "hotp" and account.counter is not None:
        return HOTP(account.secret, account.digits, digest, name, account.issuer, account.counter)
    raise ValueError("uri: a Steam account; read it with otpkit.parse_uri(uri).steam()")
