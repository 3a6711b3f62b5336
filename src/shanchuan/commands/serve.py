"""``shanchuan serve``: the HTTP service (:mod:`shanchuan.service`), on loopback by default.

Needs the ``service`` extra (``pip install 'shanchuan[service]'``); without it the command
exits 2 and says so. Without ``--token-file`` or ``$SHANCHUAN_TOKEN`` it makes a random token
and prints it once on stderr, so a server is never open to every caller.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from shanchuan.errors import InputError


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``serve`` subcommand.

    ``sub`` is argparse's subparsers object (the caller then adds the global flags), or the
    CLI's ``add(name, help)`` that makes a subparser with them (``shanchuan.commands``).
    """
    from shanchuan.service.config import TOKEN_ENV, ServiceConfig

    d = ServiceConfig()
    help = "serve the engines over HTTP (needs the 'service' extra)"
    p: argparse.ArgumentParser = (
        sub.add_parser("serve", help=help) if hasattr(sub, "add_parser") else sub("serve", help)
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default loopback; another address exposes the service)",
    )
    p.add_argument("--port", type=int, default=8000, help="TCP port (0: any free port)")
    p.add_argument(
        "--workers",
        type=int,
        default=d.workers,
        help=f"worker processes, i.e. solves at the same time (default {d.workers})",
    )
    p.add_argument(
        "--token-file",
        type=Path,
        default=None,
        metavar="FILE",
        help=f"accepted tokens, one per line (default: ${TOKEN_ENV})",
    )
    p.add_argument("--max-body-bytes", type=int, default=d.max_body_bytes)
    p.add_argument("--max-rows", type=int, default=d.max_rows, help="rows per inline table")
    p.add_argument(
        "--max-solve-seconds",
        type=float,
        default=d.max_solve_seconds,
        help="cap on a solver time_limit",
    )
    p.add_argument(
        "--max-job-seconds",
        type=float,
        default=d.max_job_seconds,
        help="wall-clock cap on one job; beyond it the job is killed",
    )
    p.add_argument("--max-jobs-per-token", type=int, default=d.max_jobs_per_token)
    p.add_argument("--max-queue", type=int, default=d.max_queue)
    p.add_argument(
        "--keep-results",
        type=float,
        default=d.keep_results_seconds,
        metavar="SECONDS",
        help="how long finished jobs and results are kept",
    )
    p.add_argument(
        "--port-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the bound port here once listening (for scripts and tests)",
    )
    return p


def run(args: argparse.Namespace, sink: object = None) -> int:
    """Start the server; returns when it is stopped (Ctrl-C or SIGTERM).

    ``sink`` is unused: a server shows no live progress line (its jobs report it over HTTP).
    """
    from shanchuan.service import missing_dependencies

    missing = missing_dependencies()
    if missing:
        raise InputError(
            f"shanchuan serve needs {', '.join(missing)}: install shanchuan[service] "
            "(pip install 'shanchuan[service]')",
            file="serve",
        )
    from shanchuan.service.config import ServiceConfig, new_token, read_tokens

    tokens = read_tokens(args.token_file)
    if not tokens:
        token = new_token()
        tokens = (token,)
        sys.stderr.write(
            f"shanchuan: no --token-file or $SHANCHUAN_TOKEN: this server's token is\n  {token}\n"
        )
    config = ServiceConfig(
        tokens=tokens,
        workers=args.workers,
        max_body_bytes=args.max_body_bytes,
        max_rows=args.max_rows,
        max_solve_seconds=args.max_solve_seconds,
        max_job_seconds=args.max_job_seconds,
        max_jobs_per_token=args.max_jobs_per_token,
        max_queue=args.max_queue,
        keep_results_seconds=args.keep_results,
    )
    if args.port_file is not None:
        args.port_file = args.port_file.resolve()
    # An empty private working folder: nothing a request names relative to the working folder
    # can reach the operator's files.
    os.chdir(tempfile.mkdtemp(prefix="shanchuan-serve-"))
    return _serve(config, args.host, args.port, args.port_file)


def _serve(config: Any, host: str, port: int, port_file: Path | None) -> int:
    import socket

    import uvicorn

    from shanchuan.service.app import create_app

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}", file="serve") from None
    bound = sock.getsockname()[1]
    app = create_app(config)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    sys.stderr.write(f"shanchuan: serving on http://{host}:{bound} (docs at /docs)\n")
    if port_file is not None:
        tmp = port_file.with_suffix(".tmp")
        tmp.write_text(str(bound), encoding="ascii")
        tmp.replace(port_file)
    server.run(sockets=[sock])
    return 0
