"""Small lifecycles written as tables beside their status enums, like the workflow's STEPS.

An application moves through the `transitions` machine; the records around it (review assignments,
certificates, objections) have lifecycles of two or three moves. Each is a `Lifecycle`: which action
is allowed from which status and where it leads, asked by the services before they write and by the
templates before they offer the action, so the rule is written once.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

StatusT = TypeVar("StatusT", bound=enum.Enum)


@dataclass(frozen=True)
class Move(Generic[StatusT]):
    """An action's row: the statuses it starts from and the one it leads to (None: it stays)."""

    sources: tuple[StatusT, ...]
    dest: StatusT | None = None


@dataclass(frozen=True)
class Lifecycle(Generic[StatusT]):
    moves: Mapping[str, Move[StatusT]]

    def allows(self, status: StatusT | None, action: str) -> bool:
        """Whether `action` may be taken from `status` (an unknown action never is)."""
        move = self.moves.get(action)
        return move is not None and status in move.sources

    def sources(self, action: str) -> tuple[StatusT, ...]:
        """The statuses `action` starts from: for the WHERE clause of a bulk update."""
        return self.moves[action].sources

    def dest(self, action: str) -> StatusT:
        """Where `action` leads; asked only of a move that changes the status (one that stays has none)."""
        dest = self.moves[action].dest
        if dest is None:
            raise ValueError(f"{action!r} keeps the status: it leads nowhere")
        return dest

    def actions(self, status: StatusT | None) -> list[str]:
        """The actions open from `status`, in the table's order."""
        return [action for action, move in self.moves.items() if status in move.sources]
