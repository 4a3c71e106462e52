"""What `bench/cost.py` counts inside the local stack's process: AWS calls and their units.

Every botocore client the process makes (boto3's, PynamoDB's) gets hooks that count each
call by service, operation and who made it (the API's request threads, the upload poller
that runs the media worker, the sweep...). DynamoDB calls are priced in request units from
the items they read and write, as DynamoDB bills on-demand tables: moto's
`ReturnConsumedCapacity` is a constant per call, not a size, so the sizes are computed here
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
- reads: 4 KB units, an eventually consistent read half a unit, a transactional read two;
  a Query is priced on the total size it returns, a GetItem of nothing still costs a unit;
- writes: 1 KB units of the larger of the item before and after, twice in a transaction,
  and once more per global secondary index the item is in (before or after).
Items before/after an update or delete are read with a client the meter does not count.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024

# S3 request classes (https://aws.amazon.com/s3/pricing/, "Requests & data retrievals").
S3_PUT_CLASS = frozenset(
    {
        "PutObject",
        "PostObject",  # the browser's presigned chunk POST
        "CopyObject",
        "CreateMultipartUpload",
        "UploadPart",
        "UploadPartCopy",
        "CompleteMultipartUpload",
        "ListObjects",
        "ListObjectsV2",
        "ListObjectVersions",
        "ListMultipartUploads",
        "ListParts",
    }
)
S3_FREE = frozenset({"DeleteObject", "DeleteObjects", "AbortMultipartUpload"})

_local = threading.local()


@contextmanager
def uncounted() -> Iterator[None]:
    """AWS calls made inside this block (the bench's own reads) are not counted."""
    before = getattr(_local, "uncounted", False)
    _local.uncounted = True
    try:
        yield
    finally:
        _local.uncounted = before


def _counting() -> bool:
    return not getattr(_local, "uncounted", False)


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lower().split("e")[0].strip("0")
    return (len(digits) + 1) // 2 + 1


_SCALAR_SIZES = {
    "S": lambda inner: len(inner.encode()),
    "N": _number_size,
    "B": len,
    "BOOL": lambda _: 1,
    "NULL": lambda _: 1,
    "SS": lambda inner: sum(len(s.encode()) for s in inner),
    "NS": lambda inner: sum(_number_size(n) for n in inner),
    "BS": lambda inner: sum(map(len, inner)),
}


def value_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for one typed attribute value."""
    (kind, inner), *_ = value.items()
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(v) for name, v in inner.items())
    return _SCALAR_SIZES.get(kind, lambda _: 0)(inner)


def item_size(item: dict[str, Any] | None) -> int:
    """Bytes of a whole item: attribute names plus values."""
    return sum(len(name.encode()) + value_size(v) for name, v in (item or {}).items())


@dataclass
class Tally:
    """Counts for one source (API, worker…): calls by service and operation, units, bytes."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    sqs_messages_received: int = 0
    sqs_empty_receives: int = 0
    units_by_operation: Counter[str] = field(default_factory=Counter)  # RRU + WRU

    def add(self, other: Tally) -> None:
        self.calls.update(other.calls)
        self.units_by_operation.update(other.units_by_operation)
        self.read_units += other.read_units
        self.write_units += other.write_units
        self.sqs_messages_received += other.sqs_messages_received
        self.sqs_empty_receives += other.sqs_empty_receives

    def count(self, service: str, operation: str | None = None) -> int:
        return sum(
            n
            for (svc, op), n in self.calls.items()
            if svc == service and (operation is None or op == operation)
        )

    @property
    def s3_puts(self) -> int:
        return sum(n for (svc, op), n in self.calls.items() if svc == "s3" and op in S3_PUT_CLASS)

    @property
    def s3_gets(self) -> int:
        return sum(
            n
            for (svc, op), n in self.calls.items()
            if svc == "s3" and op not in S3_PUT_CLASS and op not in S3_FREE
        )

    @property
    def sqs_requests(self) -> int:
        """Billed SQS requests: every call but the empty polls of an idle queue (those are
        Lambda's event source mapping's standing cost, not any interview's)."""
        return self.count("sqs") - self.sqs_empty_receives


#: Set while the media worker's handler runs: its download pool's threads are the worker's.
WORKER_BUSY = threading.Event()


def source_of(thread: threading.Thread) -> str:
    """Who made a call, from the local stack's thread names (infra/local/stack.py)."""
    name = thread.name
    if name == "uploads" or (name.startswith("ThreadPoolExecutor") and WORKER_BUSY.is_set()):
        return "worker"
    if name in ("sweeps", "webhooks", "jobs"):
        return name
    return "api"  # the site's request threads


class Meter:
    """Counts every AWS call made by this process's botocore clients, by source."""

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = defaultdict(Tally)
        self.indexes: dict[str, list[str]] = {}  # GSI name -> its key attributes
        self._lock = threading.Lock()
        self._reader: Any = None
        self._table_keys: list[str] = ["pk", "sk"]
        self.trace: list[tuple[str, str, float, float, str]] | None = None  # --trace-dynamodb

    @staticmethod
    def _describe(params: dict[str, Any]) -> str:
        """What a DynamoDB call touched, briefly (its key's sort key, or its items')."""
        keys = [params.get("Key") or params.get("Item") or {}]
        keys += [
            next(iter(entry.values())).get("Key") or next(iter(entry.values())).get("Item", {})
            for entry in params.get("TransactItems", [])
        ]
        return " ".join(str(k.get("sk", {}).get("S", "?"))[:40] for k in keys if k)

    # -- installing ------------------------------------------------------------------------

    def install(self) -> None:
        """Hook every client created from now on (boto3's sessions and PynamoDB's alike)."""
        import botocore.session

        original = botocore.session.Session.create_client
        meter = self

        def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            made = original(session, *args, **kwargs)
            meter.attach(made)
            return made

        botocore.session.Session.create_client = create_client  # type: ignore[method-assign]

    def attach(self, client: Any) -> None:
        events = client.meta.events
        events.register("before-parameter-build", self._before)
        events.register("after-call", self._after)

    def describe_table(self, table: str) -> None:
        """Learn the table's keys and indexes (for index write units)."""
        with uncounted():
            description = self.reader().describe_table(TableName=table)["Table"]
        self._table_keys = [k["AttributeName"] for k in description["KeySchema"]]
        self.indexes = {
            index["IndexName"]: [k["AttributeName"] for k in index["KeySchema"]]
            for index in description.get("GlobalSecondaryIndexes", [])
        }

    def reader(self) -> Any:
        """A DynamoDB client whose calls are never counted (reads items before/after)."""
        if self._reader is None:
            import boto3

            with uncounted():
                self._reader = boto3.client("dynamodb")
        return self._reader

    # -- hooks -----------------------------------------------------------------------------

    def _before(
        self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        if not _counting():
            return
        context["meter_params"] = params
        if model.service_model.service_name == "dynamodb":
            context["meter_before"] = self._items_before(model.name, params)

    def _after(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if not _counting() or "meter_params" not in context:
            return
        service, operation = model.service_model.service_name, model.name
        params = context["meter_params"]
        failed = "Error" in parsed
        with uncounted():
            reads, writes = (
                self._units(operation, params, parsed, context.get("meter_before", {}))
                if service == "dynamodb"
                else (0.0, 0.0)
            )
        with self._lock:
            tally = self.tallies[source_of(threading.current_thread())]
            tally.calls[(service, operation)] += 1
            tally.read_units += reads
            tally.write_units += writes
            if reads or writes:
                tally.units_by_operation[operation] += reads + writes
                if self.trace is not None:
                    self.trace.append(
                        (
                            source_of(threading.current_thread()),
                            operation,
                            reads,
                            writes,
                            self._describe(params),
                        )
                    )
            if service == "sqs" and operation == "ReceiveMessage" and not failed:
                received = len(parsed.get("Messages", []))
                tally.sqs_messages_received += received
                tally.sqs_empty_receives += received == 0

    def count_external(self, source: str, service: str, operation: str, times: int = 1) -> None:
        """Calls made outside botocore: the browser's chunk POSTs, the players' GETs."""
        with self._lock:
            self.tallies[source].calls[(service, operation)] += times

    def take(self) -> dict[str, Tally]:
        """Everything counted since the last take, by source."""
        with self._lock:
            taken, self.tallies = dict(self.tallies), defaultdict(Tally)
        return taken

    # -- DynamoDB request units -------------------------------------------------------------

    def _get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        with uncounted():
            return self.reader().get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    def _key_of(self, item: dict[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in self._table_keys if name in item}

    def _items_before(self, operation: str, params: dict[str, Any]) -> dict[int, Any]:
        """Items an update, delete or condition check is about to touch, as they are now."""
        with uncounted():
            if operation in ("UpdateItem", "DeleteItem"):
                return {0: self._get(params["TableName"], params["Key"])}
            if operation == "TransactWriteItems":
                found = {}
                for n, entry in enumerate(params.get("TransactItems", [])):
                    (kind, action), *_ = entry.items()
                    if kind in ("Update", "Delete", "ConditionCheck", "Put"):
                        key = action.get("Key") or self._key_of(action.get("Item", {}))
                        found[n] = self._get(action["TableName"], key)
                return found
            if operation == "BatchWriteItem":
                found = {}
                n = 0
                for table, requests in params.get("RequestItems", {}).items():
                    for request in requests:
                        if "DeleteRequest" in request:
                            found[n] = self._get(table, request["DeleteRequest"]["Key"])
                        n += 1
                return found
        return {}

    def _write_units(
        self,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        factor: int = 1,
        indexed: bool = True,
    ) -> float:
        size = max(item_size(before), item_size(after))
        units = max(1, math.ceil(size / WRITE_UNIT_BYTES)) * factor
        for keys in self.indexes.values() if indexed else ():
            if any(all(k in item for k in keys) for item in (before, after) if item):
                units += max(1, math.ceil(size / WRITE_UNIT_BYTES))
        return units

    @staticmethod
    def _read_units(size: int, consistent: bool, factor: float = 1.0) -> float:
        return max(1, math.ceil(size / READ_UNIT_BYTES)) * (1.0 if consistent else 0.5) * factor

    def _units(
        self, operation: str, params: dict[str, Any], parsed: dict[str, Any], before: dict
    ) -> tuple[float, float]:
        """(read units, write units) of one call."""
        if operation in ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"):
            return self._reads(operation, params, parsed), 0.0
        return 0.0, self._writes(operation, params, before)

    def _reads(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
        consistent = bool(params.get("ConsistentRead"))
        if operation == "GetItem":
            return self._read_units(item_size(parsed.get("Item")), consistent)
        if operation in ("Query", "Scan"):
            size = sum(item_size(i) for i in parsed.get("Items", []))
            return self._read_units(size, consistent)
        if operation == "BatchGetItem":
            reads = 0.0
            for table, items in parsed.get("Responses", {}).items():
                strong = params["RequestItems"].get(table, {}).get("ConsistentRead", False)
                reads += sum(self._read_units(item_size(i), strong) for i in items)
            return reads
        items = [r.get("Item") for r in parsed.get("Responses", [])]  # TransactGetItems
        return sum(self._read_units(item_size(i), True, 2.0) for i in items)

    def _writes(self, operation: str, params: dict[str, Any], before: dict) -> float:
        if operation == "PutItem":
            return self._write_units(None, params["Item"])
        if operation == "UpdateItem":
            after = self._get(params["TableName"], params["Key"])
            return self._write_units(before.get(0), after)
        if operation == "DeleteItem":
            return self._write_units(before.get(0), None)
        if operation == "TransactWriteItems":
            return sum(
                self._transact_write(entry, before.get(n))
                for n, entry in enumerate(params.get("TransactItems", []))
            )
        if operation == "BatchWriteItem":
            requests = [r for rs in params.get("RequestItems", {}).values() for r in rs]
            return sum(
                self._write_units(None, request["PutRequest"]["Item"])
                if "PutRequest" in request
                else self._write_units(before.get(n), None)
                for n, request in enumerate(requests)
            )
        return 0.0

    def _transact_write(self, entry: dict[str, Any], old: dict[str, Any] | None) -> float:
        """Twice a plain write's units; a ConditionCheck is priced on the item as it is."""
        (kind, action), *_ = entry.items()
        if kind == "Put":
            new = action["Item"]
        elif kind == "Update":
            new = self._get(action["TableName"], action["Key"])
        else:
            new = None
        return self._write_units(old, new, factor=2, indexed=kind != "ConditionCheck")
