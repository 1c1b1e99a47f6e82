"""Password hashing with Argon2id (argon2-cffi's recommended parameters)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Cheap parameters for test suites only: each hash records its own parameters, so a hash
# made with either profile verifies with both.
PROFILES = {
    "standard": PasswordHasher,
    "fast": lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
_hasher = PasswordHasher()


def use_profile(name: str) -> None:
    """Hash new passwords with the ``standard`` or ``fast`` (tests) parameters."""
    global _hasher
    _hasher = PROFILES[name]()


def hash_password(password: str) -> str:
    """Return an Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Tell whether ``password`` matches ``password_hash``, never raising."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
