"""In-place changes to JSON columns are saved exactly like assignments.

SQLAlchemy notices a change to a JSON column only when the attribute is assigned a value that compares unequal to
the loaded one. Appending to a list inside a loaded dict changes the loaded object itself, so the old and the new
value are the same object, nothing looks changed and the write is silently skipped (a tip's photos sent without a
caption were lost that way). Every row with JSON columns therefore keeps a serialised snapshot of them, taken when
it is loaded and after each flush; before each flush, a column whose value now serialises differently is flagged as
modified, however the change was made: reassignment, nested append, or a dict edited in place.
Installed once by `bot.db.Database`.
"""

from __future__ import annotations

import json
import weakref
from typing import Any

from sqlalchemy import JSON, event
from sqlalchemy.orm import InstanceState, Mapper, Session, attributes
from sqlalchemy.orm.attributes import flag_modified

_SNAPSHOT = "json_snapshot"


_keys: weakref.WeakKeyDictionary[Mapper[Any], tuple[str, ...]] = weakref.WeakKeyDictionary()


def _json_keys(mapper: Mapper[Any]) -> tuple[str, ...]:
    keys = _keys.get(mapper)
    if keys is None:
        keys = _keys[mapper] = tuple(
            prop.key
            for prop in mapper.column_attrs
            if any(isinstance(column.type, JSON) for column in prop.columns)
        )
    return keys


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _take(state: InstanceState[Any]) -> None:
    keys = _json_keys(state.mapper)
    if keys:
        # Only what is loaded: an expired attribute is read again from the database before it can be changed.
        state.info[_SNAPSHOT] = {key: _dump(state.dict[key]) for key in keys if key in state.dict}


def _on_load(target: Any, *_args: Any) -> None:
    _take(attributes.instance_state(target))


def _flag_changes(session: Session, *_args: Any) -> None:
    for state in session.identity_map.all_states():
        snapshot = state.info.get(_SNAPSHOT)
        if not snapshot:
            continue
        for key, before in snapshot.items():
            if key in state.dict and _dump(state.dict[key]) != before and (obj := state.obj()) is not None:
                flag_modified(obj, key)


def _after_flush(session: Session, *_args: Any) -> None:
    for state in session.identity_map.all_states():
        if _json_keys(state.mapper):
            _take(state)


def install() -> None:
    """Track JSON columns of every mapped class in every session (idempotent)."""
    hooks: list[tuple[Any, str, Any]] = [
        (Mapper, "load", _on_load),
        (Mapper, "refresh", _on_load),
        # Before a commit too: a session where nothing else changed skips
        # its flush, and so its before_flush, altogether.
        (Session, "before_commit", _flag_changes),
        (Session, "before_flush", _flag_changes),
        (Session, "after_flush_postexec", _after_flush),
    ]
    for target, name, fn in hooks:
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)
