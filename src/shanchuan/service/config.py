"""The service's settings: where it listens, who may call it, and the limits it enforces.

Every limit has a default safe for a shared machine; ``shanchuan serve --help`` names the flag
of each. Tokens are never stored beside the jobs: a job records the SHA-256 of its caller's
token, so a memory dump of the job table holds no credential.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from shanchuan.errors import InputError, Problem

#: The environment variable holding the token when ``--token-file`` is not given.
TOKEN_ENV = "SHANCHUAN_TOKEN"

#: Shortest token accepted: 16 characters of token_urlsafe carry 96 bits.
MIN_TOKEN_LENGTH = 16


@dataclass(frozen=True)
class ServiceConfig:
    """How the service runs; frozen, so a running app's limits cannot drift."""

    tokens: tuple[str, ...] = field(repr=False, default=())
    """Accepted bearer tokens (one per client system); never printed."""
    workers: int = 2
    """Worker processes, i.e. solves that run at the same time."""
    max_body_bytes: int = 5_000_000
    """Largest request body; beyond it 413."""
    max_rows: int = 50_000
    """Most rows in one inline table; beyond it 422."""
    max_solve_seconds: float = 120.0
    """Cap on ``*.solver.time_limit`` (one solve); a request asking for more gets 422."""
    max_job_seconds: float = 900.0
    """Wall-clock cap on one job (all its solves); beyond it the job is killed and failed."""
    max_jobs_per_token: int = 4
    """Jobs one token may have queued or running; beyond it 429."""
    max_queue: int = 32
    """Jobs waiting for a worker, over all tokens; beyond it 429."""
    keep_results_seconds: float = 3600.0
    """How long a finished job and its result are kept."""
    sync_seconds: float = 60.0
    """How long a direct (non-``async``) call waits before answering 202 with its job."""

    def __post_init__(self) -> None:
        problems = []
        for name in (
            "workers",
            "max_body_bytes",
            "max_rows",
            "max_solve_seconds",
            "max_job_seconds",
            "max_jobs_per_token",
            "max_queue",
            "keep_results_seconds",
        ):
            if not getattr(self, name) > 0:
                problems.append(
                    Problem(
                        file="serve",
                        column=name,
                        message="must be positive",
                        value=getattr(self, name),
                        label="option",
                    )
                )
        short = [t for t in self.tokens if len(t) < MIN_TOKEN_LENGTH]
        if short:
            problems.append(
                Problem(
                    file="serve",
                    column="token",
                    message=f"{len(short)} token(s) shorter than {MIN_TOKEN_LENGTH} characters",
                    expected="long random tokens, e.g. python -c 'import secrets; "
                    "print(secrets.token_urlsafe(32))'",
                    label="option",
                )
            )
        if problems:
            raise InputError(problems)


def token_id(token: str) -> str:
    """The name a job records for its owner: a hash, not the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def read_tokens(token_file: Path | None, environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """The tokens of ``token_file`` (one per line, ``#`` comments) or of ``$SHANCHUAN_TOKEN``.

    Raises :class:`InputError` for an unreadable or empty file. Returns ``()`` when neither is
    given; the ``serve`` command then makes one and prints it once.
    """
    env = os.environ if environ is None else environ
    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise InputError(
                Problem(
                    file=str(token_file),
                    message=f"cannot be read ({exc.strerror})",
                    expected="a text file with one token per line",
                )
            ) from None
        tokens = tuple(
            line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
        )
        if not tokens:
            raise InputError(
                Problem(
                    file=str(token_file), message="holds no token", expected="one token per line"
                )
            )
        return tokens
    value = env.get(TOKEN_ENV, "").strip()
    return (value,) if value else ()


def new_token() -> str:
    """A fresh random token (256 bits) for a server started without one."""
    return secrets.token_urlsafe(32)
