"""Keyed hashes, sealing (authenticated encryption) and slow hashes, all derived from the deployment secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken

# Code alphabet without look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B): easy to read aloud and type.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


class Keyring:
    """Everything derived from ANDAN_SECRET_KEY. One instance per app; never logged."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _derive(self, purpose: str) -> bytes:
        return hmac.new(self._secret, purpose.encode(), hashlib.sha256).digest()

    def keyed_hash(self, purpose: str, *parts: str) -> str:
        """A stable pseudonym of `parts` that cannot be reversed without the secret."""
        message = "\x1f".join(parts).encode()
        return hmac.new(self._derive(purpose), message, hashlib.sha256).hexdigest()

    def _fernet(self, purpose: str) -> Fernet:
        return Fernet(base64.urlsafe_b64encode(self._derive("seal:" + purpose)))

    def seal(self, purpose: str, data: bytes) -> str:
        return self._fernet(purpose).encrypt(data).decode()

    def unseal(self, purpose: str, token: str) -> bytes | None:
        try:
            return self._fernet(purpose).decrypt(token.encode())
        except InvalidToken:
            return None


def new_code(groups: int = 4, size: int = 4) -> str:
    """A random code like "K7QM-3XAC-..." from the unambiguous alphabet."""
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(size)) for _ in range(groups))


# Characters no code has, read as the code's letter they are mistaken for: a Q written by hand or printed small
# reads as O or 0. Since no code holds an O or a 0, reading them so cannot reach any other code than the one meant.
_LOOK_ALIKES = str.maketrans({"O": "Q", "0": "Q"})


def normalize_code(text: str) -> str:
    """What a person typed, as the canonical code: upper-case, separators dropped, look-alikes read as the code's
    letter, then regrouped by 4."""
    bare = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_LOOK_ALIKES)
    return "-".join(bare[i : i + 4] for i in range(0, len(bare), 4))


def slow_hash(code: str, salt: bytes) -> str:
    """scrypt of a code: slow enough that a stolen table cannot be searched for every possible code."""
    return hashlib.scrypt(code.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32).hex()


def new_salt() -> bytes:
    return secrets.token_bytes(16)
