"""The FastAPI application: routes, authentication, limits and the error bodies.

Every response is JSON with ``schema_version``. HTTP says whether the request was understood
(200/202 yes; 401, 404, 413, 422, 429 no); the body's ``status`` says what the solve found
(``optimal``, ``feasible``, ``infeasible`` with a diagnosis, ``failed``).
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

import shanchuan
from shanchuan import contract
from shanchuan.contract import SCHEMA_VERSION
from shanchuan.errors import Problem, ShanchuanError
from shanchuan.service import intake as intake_mod
from shanchuan.service.config import ServiceConfig, token_id
from shanchuan.service.jobs import FINISHED, Job, JobManager, LimitError

Kind = Literal["match", "allocate", "run"]


class ScenarioRequest(BaseModel):
    """A scenario: a built-in name, or a scenario table with its data tables inline."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    scenario: str | dict[str, Any] = Field(
        default="hubei-2021",
        description="A built-in scenario name, or a scenario in the structure of the TOML/JSON "
        'files with data tables inline ({"records": [...]} or {"csv": "..."}); never a path.',
        examples=["hubei-2021"],
    )
    overrides: list[str] = Field(
        default_factory=list, description="Named override sets, in order (`--scenario NAME`)."
    )
    sets: list[str] | dict[str, Any] = Field(
        default_factory=list,
        alias="set",
        description="`key=value` items as for `--set`, or an object {dotted key: value}.",
        examples=[["matching.rules.max_distance=400"]],
    )
    fast: bool = Field(default=False, description="As `--fast`: no allocation analyses.")


class MatchRequest(ScenarioRequest):
    """A pairing request and the analyses to run beside it (the flags of `shanchuan match`)."""

    forcing_costs: bool = False
    alternatives: int = Field(default=0, ge=0, le=20)
    sensitivity: int = Field(default=0, ge=0, le=2000)
    stability: bool = False


def _body(
    payload: Mapping[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"schema_version": SCHEMA_VERSION, **payload}, status_code=status, headers=headers
    )


def _problems_response(problems: list[dict[str, Any]], error: str = "bad input") -> JSONResponse:
    return _body({"error": error, "problems": problems}, 422)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, before they are parsed.

    Checks ``Content-Length`` first, then counts the bytes of a chunked body as they arrive.
    """

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(send)
            return
        seen = 0
        too_big = False

        async def limited() -> Any:
            nonlocal seen, too_big
            if too_big:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # End the body here; the app's answer to the stump is replaced below.
                    too_big = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def guarded(message: Any) -> None:
            if not too_big:
                await send(message)

        await self.app(scope, limited, guarded)
        if too_big:
            await self._refuse(send)

    async def _refuse(self, send: Callable[[Any], Awaitable[None]]) -> None:
        body = json.dumps(
            {
                "schema_version": SCHEMA_VERSION,
                "error": f"request body over this server's limit of {self.limit} bytes",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


_bearer = HTTPBearer(auto_error=False, description="A token from the server's --token-file.")


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The caller's token id; 401 unless the bearer token is one the server accepts."""
    given = (credentials.credentials if credentials is not None else "").encode("utf-8")
    found = None
    for token, ident in request.app.state.tokens:  # every token compared, each in constant time
        if hmac.compare_digest(given, token) and found is None:
            found = ident
    if found is None:
        raise StarletteHTTPException(401, "missing or wrong token")
    return str(found)


Caller = Annotated[str, Depends(caller)]
Async = Annotated[bool | None, Query(alias="async", description="1: answer 202 at once")]


def create_app(config: ServiceConfig) -> FastAPI:
    """The service's ASGI app; its workers start with the app and stop with it."""
    if not config.tokens:
        raise ValueError("the service needs at least one token")
    manager = JobManager(config)
    token_ids = [token_id(t) for t in config.tokens]
    tokens = [t.encode("utf-8") for t in config.tokens]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(manager.start)
        try:
            yield
        finally:
            await run_in_threadpool(manager.stop)

    app = FastAPI(
        title="shanchuan",
        version=shanchuan.__version__,
        summary="Pairing and special-fund allocation for Hubei's 山川协作工程, over HTTP.",
        lifespan=lifespan,
    )
    app.state.manager = manager
    app.state.tokens = list(zip(tokens, token_ids, strict=True))
    app.add_middleware(BodyLimit, limit=config.max_body_bytes)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return _body({"error": exc.detail}, exc.status_code, headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p != "body"]
            value = err.get("input")
            problems.append(
                Problem(
                    file=intake_mod.REQUEST,
                    column=".".join(loc) or None,
                    message=str(err.get("msg")),
                    value=value if isinstance(value, str | int | float | bool) else None,
                    label="key",
                ).to_dict()
            )
        return _problems_response(problems)

    async def submit(kind: Kind, body: ScenarioRequest, owner: str, wait: bool) -> JSONResponse:
        analyses: dict[str, Any] = {}
        if isinstance(body, MatchRequest):
            analyses = {
                "explain": True,
                "forcing_costs": body.forcing_costs,
                "alternatives": body.alternatives,
                "sensitivity": body.sensitivity,
                "stability": body.stability,
            }
            if body.fast and any(v for k, v in analyses.items() if k != "explain"):
                return _problems_response(
                    [
                        Problem(
                            file=intake_mod.REQUEST,
                            column="fast",
                            label="key",
                            message="fast runs no analyses, but the request asks for one; drop one",
                        ).to_dict()
                    ]
                )
        intake = None
        try:
            intake = await run_in_threadpool(
                intake_mod.build,
                body.scenario,
                body.overrides,
                body.sets,
                fast=body.fast,
                max_rows=config.max_rows,
            )
            sets, limits = await run_in_threadpool(
                intake_mod.check, intake, kind, max_solve_seconds=config.max_solve_seconds
            )
        except ShanchuanError as exc:
            problems = intake_mod.scrub(intake_mod.error_problems(exc), intake)
            if intake is not None:
                intake.cleanup()
            return _problems_response(problems)
        spec = {
            "kind": kind,
            "scenario_path": str(intake.scenario_path),
            "overrides": list(intake.overrides),
            "sets": list(sets),
            "analyses": analyses,
            "time_limits": limits,
        }
        try:
            job = manager.submit(owner, kind, spec, intake)
        except LimitError as exc:
            intake.cleanup()
            return _body({"error": str(exc)}, 429, {"Retry-After": str(exc.retry_after)})
        if wait:
            deadline = asyncio.get_running_loop().time() + config.sync_seconds
            while not job.ended.is_set() and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
            if job.ended.is_set():
                return _result(job)
        return _accepted(job)

    def _accepted(job: Job) -> JSONResponse:
        url = f"/v1/jobs/{job.id}"
        return _body(
            {"job": job.id, "state": job.state, "links": {"job": url, "result": url + "/result"}},
            202,
            {"Location": url},
        )

    def _result(job: Job) -> JSONResponse:
        if job.state == "done":
            return _body({"job": job.id, "status": job.status, "result": job.result})
        if job.state == "invalid":
            return _problems_response(job.problems or [])
        # A job that ended without a solve: failed, or cancelled by its owner.
        status = "cancelled" if job.state == "cancelled" else "failed"
        return _body({"job": job.id, "status": status, "state": job.state, "message": job.message})

    @app.post("/v1/match", tags=["solve"], summary="Suggest, verify and explain the pairing")
    async def post_match(
        body: MatchRequest, owner: Caller, run_async: Async = None
    ) -> JSONResponse:
        """Short: answers directly (200) unless ``?async=1`` or it runs over the wait limit."""
        return await submit("match", body, owner, wait=not run_async)

    @app.post("/v1/allocate", tags=["solve"], summary="Allocate the special fund year by year")
    async def post_allocate(
        body: ScenarioRequest, owner: Caller, run_async: Async = None
    ) -> JSONResponse:
        """Long: answers 202 with a job unless ``?async=0``."""
        return await submit("allocate", body, owner, wait=run_async is False)

    @app.post("/v1/run", tags=["solve"], summary="Suggest the pairing, then allocate the fund")
    async def post_run(
        body: ScenarioRequest, owner: Caller, run_async: Async = None
    ) -> JSONResponse:
        """Long: answers 202 with a job unless ``?async=0``."""
        return await submit("run", body, owner, wait=run_async is False)

    def _job(owner: str, job_id: str) -> Job:
        job = manager.get(owner, job_id)
        if job is None:  # another token's job looks exactly like no job
            raise StarletteHTTPException(404, "no such job")
        return job

    def _time_limit(job: Job) -> float | None:
        label = str((job.progress or {}).get("label", ""))
        engine = "matching" if label.startswith("pairing") else "allocation"
        limit = job.spec.get("time_limits", {}).get(engine)
        return float(limit) if limit else None

    @app.get("/v1/jobs/{job_id}", tags=["jobs"], summary="A job's state, progress and ETA")
    async def get_job(job_id: str, owner: Caller) -> JSONResponse:
        job = _job(owner, job_id)
        return _body(job.view(_time_limit(job)))

    @app.get("/v1/jobs/{job_id}/result", tags=["jobs"], summary="A finished job's result")
    async def get_result(job_id: str, owner: Caller) -> JSONResponse:
        job = _job(owner, job_id)
        if job.state not in FINISHED:
            return _body(
                {
                    "job": job.id,
                    "state": job.state,
                    "error": "not finished yet; poll /v1/jobs/" + job.id,
                },
                409,
            )
        return _result(job)

    @app.delete("/v1/jobs/{job_id}", tags=["jobs"], summary="Cancel a job (kills its solver)")
    async def delete_job(job_id: str, owner: Caller) -> JSONResponse:
        job = _job(owner, job_id)
        if job.state not in FINISHED:
            manager.cancel(job)
            await run_in_threadpool(job.ended.wait, 30)
        return _body(job.view())

    @app.get("/v1/scenarios", tags=["reference"], summary="Built-in scenarios and override sets")
    async def get_scenarios(owner: Caller) -> JSONResponse:
        return _body({"scenarios": await run_in_threadpool(_scenarios)})

    @app.get("/v1/keys", tags=["reference"], summary="Every scenario key, default and meaning")
    async def get_keys(owner: Caller) -> JSONResponse:
        return _body({"keys": await run_in_threadpool(_keys)})

    @app.get("/v1/schemas", tags=["reference"], summary="The published JSON Schemas (contract)")
    async def get_schemas(owner: Caller) -> JSONResponse:
        return _body({"schemas": [f"/v1/schemas/{n}" for n in contract.published()]})

    @app.get("/v1/schemas/{name}", tags=["reference"], summary="One JSON Schema (draft 2020-12)")
    async def get_schema(name: str, owner: Caller) -> JSONResponse:
        try:  # only the shipped names: `name` never becomes a path
            return JSONResponse(contract.load(name.removesuffix(".schema.json")))
        except KeyError:
            raise StarletteHTTPException(404, f"no schema {name!r}; GET /v1/schemas") from None

    @app.get("/v1/health", tags=["reference"], summary="Liveness (no token needed)")
    async def get_health() -> JSONResponse:
        return _body({"status": "ok", "version": shanchuan.__version__})

    return app


def _scenarios() -> list[dict[str, Any]]:
    from shanchuan import scenario as scenario_mod

    out = []
    for name in scenario_mod.builtin_scenarios():
        sc = scenario_mod.load(scenario_mod.builtin_path(name))
        out.append(
            {
                "name": name,
                "description": sc.settings.scenario.description,
                "overrides": [
                    {"name": n, "description": o.description}
                    for n, o in sorted(sc.available_overrides.items())
                ],
            }
        )
    return out


def _keys() -> list[dict[str, Any]]:
    from shanchuan import config as config_mod
    from shanchuan import scenario as scenario_mod

    return [
        {
            "key": key,
            "type": config_mod.type_name(info.type),
            "default": config_mod.to_plain(info.default),
            "unit": info.unit or None,
            "doc": info.doc,
        }
        for key, info in scenario_mod.KNOWN.items()
    ]
