"""``newsradar subscriptions …``: saved queries that fire alerts, and their preview."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from newsradar.records import Channel, Subscription
from newsradar.settings import get_settings

console = Console(stderr=True)
subs_app = typer.Typer(help="Alert subscriptions (saved queries).", no_args_is_help=True)

CHANNEL_HELP = (
    "a delivery channel: TYPE or TYPE:key=value,key=value "
    "(e.g. webhook:url=https://…,secret=…); repeat for several"
)
_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def register(app: typer.Typer) -> None:
    app.add_typer(subs_app, name="subscriptions")


def parse_channel(spec: str) -> Channel:
    kind, _, rest = spec.partition(":")
    options: dict[str, str] = {}
    for pair in filter(None, rest.split(",")):
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise typer.BadParameter(f"channel option {pair!r}: expected key=value")
        options[key.strip()] = value.strip()
    if not kind:
        raise typer.BadParameter(f"channel {spec!r}: missing the channel type")
    return Channel(type=kind.strip(), options=options)


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``7d``, ``12h``, ``30m`` … before now, or an ISO 8601 date/time."""
    now = now or datetime.now(UTC)
    match = _DURATION.match(value.strip())
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: use 7d, 12h, 30m or an ISO date") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _store() -> Any:
    from newsradar.subscriptions import SubscriptionStore

    return SubscriptionStore(get_settings())


def _fail(exc: Exception) -> None:
    console.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(2)


def _show(sub: Subscription) -> None:
    data = sub.asdict()
    data["channels"] = [{"type": c.type, "options": dict(c.options)} for c in sub.channels]
    for key in ("created_at", "updated_at"):
        data[key] = data[key].isoformat()
    print(json.dumps(data, ensure_ascii=False))


@subs_app.command("create")
def create(
    query: Annotated[str, typer.Argument(help="the query, e.g. 'зброя AND country:KP'")],
    sub_id: Annotated[str | None, typer.Option("--id", help="id (default: random)")] = None,
    name: Annotated[str, typer.Option(help="a name for people")] = "",
    owner: Annotated[str, typer.Option(help="who owns it")] = "",
    channel: Annotated[list[str] | None, typer.Option(help=CHANNEL_HELP)] = None,
    mode: Annotated[str, typer.Option(help="immediate, hourly or daily")] = "immediate",
    quiet_minutes: Annotated[int, typer.Option(help="at most one message per N minutes")] = 0,
) -> None:
    """Create a subscription; running workers pick it up within a second or two."""
    from newsradar.subscriptions import SubscriptionError, new_subscription

    store = _store()
    try:
        sub = new_subscription(
            query, name=name, sub_id=sub_id, owner=owner, mode=mode,
            quiet_minutes=quiet_minutes, channels=[parse_channel(c) for c in channel or []],
        )  # fmt: skip
        _show(store.create(sub))
    except SubscriptionError as exc:
        _fail(exc)
    finally:
        store.close()


@subs_app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table")] = False,
) -> None:
    """Every subscription, paused ones included."""
    store = _store()
    subs = sorted(store.load().values(), key=lambda s: s.created_at)
    if as_json:
        for sub in subs:
            _show(sub)
        return
    table = Table(title=f"{len(subs)} subscription(s)")
    for col in ("id", "name", "query", "state", "mode", "channels"):
        table.add_column(col)
    for sub in subs:
        table.add_row(sub.id, sub.name, sub.query, "paused" if sub.paused else "active",
                      sub.mode, ", ".join(c.type for c in sub.channels) or "-")  # fmt: skip
    Console().print(table)


@subs_app.command("show")
def show(sub_id: str) -> None:
    from newsradar.subscriptions import SubscriptionError

    try:
        _show(_store().get(sub_id))
    except SubscriptionError as exc:
        _fail(exc)


@subs_app.command("update")
def update(
    sub_id: str,
    query: Annotated[str | None, typer.Option(help="new query")] = None,
    name: Annotated[str | None, typer.Option(help="new name")] = None,
    channel: Annotated[list[str] | None, typer.Option(help=CHANNEL_HELP + " (replaces)")] = None,
    mode: Annotated[str | None, typer.Option(help="immediate, hourly or daily")] = None,
    quiet_minutes: Annotated[int | None, typer.Option(help="quiet period")] = None,
) -> None:
    changes: dict[str, Any] = {
        k: v for k, v in
        {"query": query, "name": name, "mode": mode, "quiet_minutes": quiet_minutes}.items()
        if v is not None
    }  # fmt: skip
    if channel is not None:
        changes["channels"] = [parse_channel(c) for c in channel]
    _change(sub_id, **changes)


@subs_app.command("pause")
def pause(sub_id: str) -> None:
    """Stop matching it (kept, with its settings)."""
    _change(sub_id, paused=True)


@subs_app.command("resume")
def resume(sub_id: str) -> None:
    _change(sub_id, paused=False)


def _change(sub_id: str, **changes: Any) -> None:
    from newsradar.subscriptions import SubscriptionError

    store = _store()
    try:
        _show(store.update(sub_id, **changes))
    except SubscriptionError as exc:
        _fail(exc)
    finally:
        store.close()


@subs_app.command("delete")
def delete(sub_id: str) -> None:
    from newsradar.subscriptions import SubscriptionError

    store = _store()
    try:
        store.delete(sub_id)
        console.print(f"deleted {sub_id}")
    except SubscriptionError as exc:
        _fail(exc)
    finally:
        store.close()


@subs_app.command("preview")
def preview(
    query: Annotated[str, typer.Argument(help="a query, or @ID for a stored subscription")],
    since: Annotated[str, typer.Option(help="7d, 12h, 30m or an ISO date")] = "7d",
    size: Annotated[int, typer.Option(help="how many articles to list")] = 20,
) -> None:
    """What the query would have matched in the index (newest first), and how many."""
    from newsradar.es import es_client
    from newsradar.query import QuerySyntaxError
    from newsradar.query.es import search_body

    settings = get_settings()
    if query.startswith("@"):
        query = _store().get(query[1:]).query
    try:
        body = search_body(query, since=parse_since(since), size=size)
    except QuerySyntaxError as exc:
        _fail(exc)
        return
    es = es_client(settings)
    try:
        resp: Any = es.search(index=settings.index_alias, track_total_hits=True, **body)
    finally:
        es.close()
    total = resp["hits"]["total"]["value"]
    for hit in resp["hits"]["hits"]:
        src = hit["_source"]
        print(json.dumps({"id": hit["_id"], "published_at": src["published_at"],
                          "title": src["title"], "url": src["url"],
                          "countries": src["countries"]}, ensure_ascii=False))  # fmt: skip
    console.print(f"{total} article(s) matched since {parse_since(since):%Y-%m-%d %H:%M} UTC")


@subs_app.command("backfill")
def backfill(
    sub_id: str,
    since: Annotated[str, typer.Option(help="7d, 12h, 30m or an ISO date")] = "7d",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="list the alerts, send nothing")
    ] = False,
) -> None:
    """Fire a subscription's alerts for articles indexed since SINCE (the notifier then
    delivers them once, like live alerts)."""
    from processors.backfill import backfill as run_backfill

    store = _store()
    try:
        sub = store.get(sub_id)
    except Exception as exc:
        _fail(exc)
        return
    report = run_backfill(get_settings(), sub, parse_since(since), dry_run=dry_run)
    for alert in report.alerts:
        print(json.dumps({"alert": alert.id, "article": alert.article_id, "title": alert.title,
                          "terms": [t.term for t in alert.matched_terms]},
                         ensure_ascii=False))  # fmt: skip
    verb = "would fire" if dry_run else "fired"
    console.print(f"{report.candidates} candidate(s), {len(report.alerts)} alert(s) {verb}")
    if report.disagreements:
        console.print(f"[yellow]matcher and index disagree on {len(report.disagreements)} "
                      f"article(s): {', '.join(report.disagreements[:5])}[/yellow]")  # fmt: skip
