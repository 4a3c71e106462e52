"""moto's TransactWriteItems with an undo of the items it touches, not a copy of every table.

moto 5 deep-copies each table a transaction names, once per item of the transaction, so it
can restore the table if the transaction is cancelled: a transaction costs time and memory in
proportion to the whole table, and loading N invitations one transaction each costs N². The
undo kept here (each touched item as it was before) restores exactly the same state when
nothing else writes meanwhile: in-process moto driven by one thread (the API bench), or the
local stack's moto server with its DynamoDB requests serialised (`serial_dynamodb`). It is
for those two only; nothing deployed runs on moto.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from moto.dynamodb import models
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table


class _TablesNotCopied:
    """Stands in for `copy` inside moto's DynamoDB backend: a table is not copied."""

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _touched(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(table, hash, range, item before) for each item the transaction names."""
    touched = []
    for entry in transact_items:
        try:
            kind, op = next(iter(entry.items()))
            table = backend.get_table(op["TableName"])
            key = op["Item"] if kind == "Put" else op["Key"]
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        except Exception:  # noqa: S112 - a malformed item: moto's own checks refuse it
            continue
        before = table.get_item(hash_value, range_value)
        touched.append((table, hash_value, range_value, copy.deepcopy(before)))
    return touched


def _restore(table: Any, hash_value: Any, range_value: Any, before: Any) -> None:
    if range_value is None:
        if before is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = before
    elif before is None:
        table.items.get(hash_value, {}).pop(range_value, None)
    else:
        table.items[hash_value][range_value] = before


@functools.cache
def install() -> None:
    """Replace the whole-table rollback with the per-item undo, once per process."""
    models.copy = _TablesNotCopied()  # type: ignore[attr-defined]
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        touched = _touched(self, transact_items)
        try:
            return original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, before in reversed(touched):
                _restore(table, hash_value, range_value, before)
            raise

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
