"""The README's configuration table lists every setting (the docs stay true)."""

from __future__ import annotations

from pathlib import Path

from newsradar.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = []
    for name in Settings.model_fields:
        env = f"NEWSRADAR_{name.upper()}"
        _, _, rest = name.partition("_")
        # grouped rows write the shared prefix once: `NEWSRADAR_SMTP_HOST` / `_PORT` / …
        if env not in README and f"`_{rest.upper()}`" not in README:
            missing.append(env)
    assert not missing, f"add to the README's configuration table: {missing}"
