"""The API's request and response bodies (pydantic; they make the OpenAPI description)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from newsradar.records import Subscription

Mode = Literal["immediate", "hourly", "daily"]
# (channel type, options) -> the options as shown: secrets replaced
Redactor = Callable[[str, dict[str, str]], dict[str, str]]


class ChannelBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(min_length=1, examples=["webhook"], description="a notifier channel")
    options: dict[str, str] = Field(
        default_factory=dict,
        examples=[{"url": "https://example.org/hook", "secret": "s3cret"}],
        description="webhook: url, secret; email: to; apprise: url",
    )


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, examples=["зброя AND country:KP"])
    name: str = ""
    id: str | None = Field(default=None, description="chosen id; generated when absent")
    owner: str = ""
    channels: list[ChannelBody] = Field(default_factory=list)
    mode: Mode = "immediate"
    quiet_minutes: int = Field(default=0, ge=0, le=7 * 24 * 60)
    paused: bool = False


class SubscriptionUpdate(BaseModel):
    """Only the fields given change; ``channels`` replaces the whole list."""

    model_config = ConfigDict(extra="forbid")

    query: str | None = Field(default=None, min_length=1)
    name: str | None = None
    owner: str | None = None
    channels: list[ChannelBody] | None = None
    mode: Mode | None = None
    quiet_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    paused: bool | None = None


class SubscriptionOut(BaseModel):
    id: str
    name: str
    query: str
    owner: str
    paused: bool
    channels: list[ChannelBody]
    mode: str
    quiet_minutes: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_record(cls, sub: Subscription, redact: Redactor) -> SubscriptionOut:
        return cls(
            id=sub.id,
            name=sub.name,
            query=sub.query,
            owner=sub.owner,
            paused=sub.paused,
            channels=[
                ChannelBody(type=c.type, options=redact(c.type, dict(c.options)))
                for c in sub.channels
            ],
            mode=sub.mode,
            quiet_minutes=sub.quiet_minutes,
            created_at=sub.created_at,
            updated_at=sub.updated_at,
        )


class SubscriptionList(BaseModel):
    total: int
    items: list[SubscriptionOut]


class QueryCheck(BaseModel):
    query: str = Field(min_length=1)


class QueryError(BaseModel):
    """Why a query does not parse: 1-based ``column``, 0-based ``offset``."""

    message: str
    column: int
    offset: int
    expected: str
    query: str
    pointer: str


class QueryOk(BaseModel):
    query: str
    valid: bool = True


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, examples=["зброя AND country:KP"])
    since: datetime | None = Field(default=None, description="default: `days` ago")
    days: int = Field(default=7, ge=1, le=3650)
    size: int = Field(default=20, ge=0, le=200)


class PreviewHit(BaseModel):
    id: str
    title: str = ""
    url: str = ""
    source: str = ""
    lang: str | None = None
    published_at: str | None = None
    countries: list[str] = Field(default_factory=list)


class PreviewResult(BaseModel):
    query: str
    since: datetime
    total: int
    items: list[PreviewHit]
