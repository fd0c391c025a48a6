import textwrap
from pathlib import Path

import psutil
import pytest

from iac.engines.process import RUN_TOKEN_ENV


def write_files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def processes_with_token(token: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["environ"]):
        if (proc.info.get("environ") or {}).get(RUN_TOKEN_ENV) == token:
            found.append(proc)
    return found


class EventLog(list):
    """An on_event callback that keeps what it receives."""

    def __call__(self, event):
        self.append(event)

    def lines(self) -> list[str]:
        return [event.line for event in self]

    def of_type(self, kind: str) -> list:
        return [event for event in self if event.payload.get("type") == kind]


@pytest.fixture
def events() -> EventLog:
    return EventLog()
