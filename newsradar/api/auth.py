"""Bearer-token authentication: tokens come from ``NEWSRADAR_API_TOKENS`` (a JSON list).

With no token configured every request is refused: the API is never open by accident.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

bearer = HTTPBearer(auto_error=False, description="one of NEWSRADAR_API_TOKENS")


def token_matches(given: str, tokens: tuple[bytes, ...]) -> bool:
    """Constant-time comparison against every configured token."""
    candidate = given.encode()
    found = False
    for token in tokens:
        found |= hmac.compare_digest(candidate, token)
    return found


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    tokens: tuple[bytes, ...] = request.app.state.tokens
    if credentials is None or not token_matches(credentials.credentials, tokens):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing or invalid bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
