"""The subscriptions HTTP API (FastAPI): create, list, show, update, pause, resume, delete.

Subscriptions are written through :class:`newsradar.subscriptions.SubscriptionStore`, the
same store as the CLI, so every worker sees a change within a second. Queries are parsed
before anything is stored: a query that does not parse gets a 422 naming the column and
what was expected. OpenAPI: ``/openapi.json``, interactive docs at ``/docs``.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response, status
from fastapi.responses import JSONResponse

from newsradar.api.auth import require_token
from newsradar.api.schemas import (
    ChannelBody,
    PreviewHit,
    PreviewRequest,
    PreviewResult,
    QueryCheck,
    QueryError,
    QueryOk,
    SubscriptionCreate,
    SubscriptionList,
    SubscriptionOut,
    SubscriptionUpdate,
)
from newsradar.query import QuerySyntaxError, parse_query
from newsradar.records import Channel, Subscription
from newsradar.settings import Settings
from newsradar.subscriptions import SubscriptionError, new_subscription

REDACTED = "***"


class Store(Protocol):
    """What the API needs of :class:`newsradar.subscriptions.SubscriptionStore`."""

    def load(self) -> dict[str, Subscription]: ...

    def put(self, sub: Subscription) -> Subscription: ...

    def delete(self, sub_id: str) -> None: ...


class ApiError(Exception):
    def __init__(self, status_code: int, detail: Any) -> None:
        self.status_code = status_code
        self.detail = detail


def _channel_registry() -> Any:
    # The notifier owns the channel plugins; the API only asks them to check options.
    return importlib.import_module("processors.notify.channels")


def check_channels(channels: list[ChannelBody]) -> None:
    from processors.notify.model import ChannelTarget

    targets = [ChannelTarget(c.type, c.options) for c in channels]
    problems: list[str] = _channel_registry().check_targets(targets)
    if problems:
        raise ApiError(422, {"error": "invalid_channels", "problems": problems})


def redact(channel: str, options: dict[str, str]) -> dict[str, str]:
    cls = _channel_registry().channel_classes().get(channel)
    if cls is None:
        return dict.fromkeys(options, REDACTED)
    shown: dict[str, str] = cls.redact(options)
    return shown


def check_query(query: str) -> None:
    try:
        parse_query(query)
    except QuerySyntaxError as exc:
        detail = QueryError(
            message=exc.message,
            column=exc.column,
            offset=exc.offset,
            expected=exc.expected,
            query=exc.query,
            pointer=exc.pointer(),
        )
        raise ApiError(422, {"error": "query_syntax", **detail.model_dump()}) from exc


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(_store)]


def _out(sub: Subscription) -> SubscriptionOut:
    return SubscriptionOut.from_record(sub, redact)


def _find(store: Store, sub_id: str) -> Subscription:
    sub = store.load().get(sub_id)
    if sub is None:
        raise ApiError(404, {"error": "not_found", "message": f"no subscription {sub_id!r}"})
    return sub


def _records(channels: list[ChannelBody]) -> list[Channel]:
    return [Channel(type=c.type, options=dict(c.options)) for c in channels]


def _replace(sub: Subscription, **changes: Any) -> Subscription:
    fields = sub.asdict()
    fields.update(changes, updated_at=datetime.now(UTC))
    return Subscription(**fields)


router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])
_QUERY_422: dict[int | str, dict[str, Any]] = {
    422: {"description": "the query does not parse, or a channel is invalid"}
}


@router.post("", status_code=201, response_model=SubscriptionOut, responses=_QUERY_422)
def create_subscription(body: SubscriptionCreate, store: StoreDep, response: Response) -> Any:
    check_query(body.query)
    check_channels(body.channels)
    try:
        sub = new_subscription(
            body.query,
            name=body.name,
            sub_id=body.id,
            owner=body.owner,
            channels=_records(body.channels),
            mode=body.mode,
            quiet_minutes=body.quiet_minutes,
        )
    except SubscriptionError as exc:
        raise ApiError(422, {"error": "invalid", "message": str(exc)}) from exc
    if body.paused:
        sub = _replace(sub, paused=True)
    if sub.id in store.load():
        raise ApiError(409, {"error": "exists", "message": f"subscription {sub.id!r} exists"})
    store.put(sub)
    response.headers["Location"] = f"/subscriptions/{sub.id}"
    return _out(sub)


@router.get("", response_model=SubscriptionList)
def list_subscriptions(
    store: StoreDep,
    owner: str | None = None,
    paused: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Any:
    subs = sorted(store.load().values(), key=lambda s: (s.created_at, s.id))
    if owner is not None:
        subs = [s for s in subs if s.owner == owner]
    if paused is not None:
        subs = [s for s in subs if s.paused == paused]
    page = subs[offset : offset + limit]
    return SubscriptionList(total=len(subs), items=[_out(s) for s in page])


@router.get("/{sub_id}", response_model=SubscriptionOut, responses={404: {}})
def show_subscription(sub_id: str, store: StoreDep) -> Any:
    return _out(_find(store, sub_id))


@router.patch("/{sub_id}", response_model=SubscriptionOut, responses={404: {}, **_QUERY_422})
def update_subscription(sub_id: str, body: SubscriptionUpdate, store: StoreDep) -> Any:
    changes = body.model_dump(exclude_unset=True)
    if changes.get("query") is not None:
        check_query(changes["query"])
    if body.channels is not None:
        check_channels(body.channels)
        changes["channels"] = _records(body.channels)
    changes = {k: v for k, v in changes.items() if v is not None}
    sub = _replace(_find(store, sub_id), **changes)
    try:
        store.put(sub)
    except SubscriptionError as exc:
        raise ApiError(422, {"error": "invalid", "message": str(exc)}) from exc
    return _out(sub)


def _set_paused(store: Store, sub_id: str, paused: bool) -> SubscriptionOut:
    sub = _find(store, sub_id)
    if sub.paused != paused:
        sub = _replace(sub, paused=paused)
        store.put(sub)
    return _out(sub)


@router.post("/{sub_id}/pause", response_model=SubscriptionOut, responses={404: {}})
def pause_subscription(sub_id: str, store: StoreDep) -> Any:
    return _set_paused(store, sub_id, True)


@router.post("/{sub_id}/resume", response_model=SubscriptionOut, responses={404: {}})
def resume_subscription(sub_id: str, store: StoreDep) -> Any:
    return _set_paused(store, sub_id, False)


@router.delete("/{sub_id}", status_code=204, responses={404: {}})
def delete_subscription(sub_id: str, store: StoreDep) -> Response:
    _find(store, sub_id)
    store.delete(sub_id)
    return Response(status_code=204)


queries = APIRouter(prefix="/queries", tags=["queries"])


@queries.post("/validate", response_model=QueryOk, responses=_QUERY_422)
def validate_query(body: QueryCheck) -> Any:
    check_query(body.query)
    return QueryOk(query=body.query)


# (search body) -> Elasticsearch's search response
Searcher = Callable[[dict[str, Any]], Mapping[str, Any]]


@queries.post("/preview", response_model=PreviewResult, responses=_QUERY_422)
def preview_query(body: PreviewRequest, request: Request) -> Any:
    """What the query would have matched in the article index since ``since``, newest
    first: the stream matcher's query translated to Elasticsearch over the lemmas."""
    from newsradar.query.es import search_body

    check_query(body.query)
    since = body.since or datetime.now(UTC) - timedelta(days=body.days)
    search: Searcher = request.app.state.search
    found = search(dict(search_body(body.query, since=since, size=body.size)))
    hits = found["hits"]
    items = [
        PreviewHit(
            id=hit["_id"],
            **{
                k: v
                for k, v in hit.get("_source", {}).items()
                if k in PreviewHit.model_fields and k != "id"
            },
        )
        for hit in hits["hits"]
    ]
    return PreviewResult(query=body.query, since=since, total=hits["total"]["value"], items=items)


def es_searcher(settings: Settings) -> Searcher:
    def search(body: dict[str, Any]) -> Mapping[str, Any]:
        from newsradar.es import es_client

        es = es_client(settings, timeout_s=15.0)
        try:
            response: Mapping[str, Any] = es.search(
                index=settings.index_alias, track_total_hits=True, **body
            ).body
            return response
        finally:
            es.close()

    return search


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail})


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        content={"detail": {"error": "store_unavailable", "message": str(exc)}},
    )


def create_app(
    settings: Settings,
    store: Store | None = None,
    store_errors: tuple[type[Exception], ...] | None = None,
    search: Searcher | None = None,
) -> FastAPI:
    """The API app. ``store`` defaults to the Kafka-backed SubscriptionStore, ``search``
    to the Elasticsearch article index; ``store_errors`` (default: Kafka's and
    Elasticsearch's errors) are answered with a 503."""
    if store is None:
        from newsradar.subscriptions import SubscriptionStore

        # Follows the topic: a request reads only what changed since the last one.
        store = SubscriptionStore(settings, follow=True)
    if store_errors is None:
        from elastic_transport import TransportError
        from elasticsearch import ApiError as EsApiError
        from kafka.errors import KafkaError

        store_errors = (KafkaError, TransportError, EsApiError)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        close = getattr(app.state.store, "close", None)
        if close is not None:
            close()  # the followed topic's consumer and the producer

    app = FastAPI(
        lifespan=lifespan,
        title="newsradar subscriptions",
        version="1",
        description=(
            "Keyword alert subscriptions of newsradar. Every route except /healthz needs "
            "`Authorization: Bearer <token>` with a token from NEWSRADAR_API_TOKENS."
        ),
    )
    app.state.store = store
    app.state.search = search or es_searcher(settings)
    app.state.tokens = tuple(t.get_secret_value().encode() for t in settings.api_tokens)
    auth = [Depends(require_token)]
    app.include_router(router, dependencies=auth)
    app.include_router(queries, dependencies=auth)
    app.add_exception_handler(ApiError, _api_error)
    for error in store_errors:
        app.add_exception_handler(error, _store_unavailable)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
