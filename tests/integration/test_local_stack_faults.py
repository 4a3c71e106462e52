"""The local stack's load and fault hooks: moto's transaction undo, fault options, ledger keys."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from infra.local.faults import FaultOptions, manifest_key

ROOT = Path(__file__).resolve().parents[2]

UNDO_CHECK = textwrap.dedent(
    """
    import json, os
    os.environ.update(
        AWS_ACCESS_KEY_ID="t", AWS_SECRET_ACCESS_KEY="t", AWS_DEFAULT_REGION="us-east-1"
    )
    import boto3
    from moto import mock_aws
    from infra.local import moto_transactions

    moto_transactions.install()
    key = lambda pk, sk: {"pk": {"S": pk}, "sk": {"S": sk}}
    bump = {"Update": {"TableName": "t", "Key": key("a", "1"), "UpdateExpression": "ADD n :one",
                       "ExpressionAttributeValues": {":one": {"N": "1"}}}}
    with mock_aws():
        db = boto3.client("dynamodb")
        db.create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
        )
        db.put_item(TableName="t", Item={**key("a", "1"), "n": {"N": "1"}})
        db.put_item(TableName="t", Item={**key("c", "1"), "n": {"N": "7"}})
        refused = {"Put": {"TableName": "t", "Item": key("a", "2"),
                           "ConditionExpression": "attribute_exists(pk)"}}
        added = {"Put": {"TableName": "t", "Item": key("b", "1")}}
        try:
            db.transact_write_items(TransactItems=[bump, added, refused])
            cancelled = False
        except db.exceptions.TransactionCanceledException:
            cancelled = True
        after_cancel = db.scan(TableName="t")["Items"]
        db.transact_write_items(TransactItems=[bump, added])
        after_commit = db.scan(TableName="t")["Items"]
    rows = lambda items: sorted(
        [i["pk"]["S"], i["sk"]["S"], i.get("n", {}).get("N")] for i in items
    )
    print(json.dumps({"cancelled": cancelled, "after_cancel": rows(after_cancel),
                      "after_commit": rows(after_commit)}))
    """
)


def test_a_cancelled_transaction_leaves_every_item_as_it_was_and_a_committed_one_applies() -> None:
    # GIVEN moto with the per-item undo instead of its whole-table copy (a fresh interpreter,
    # so no other test's moto is patched)
    done = subprocess.run(
        [sys.executable, "-c", UNDO_CHECK],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # THEN a transaction whose last condition fails is cancelled and undoes its first writes
    assert result["cancelled"] is True
    assert result["after_cancel"] == [["a", "1", "1"], ["c", "1", "7"]]
    # AND one that passes writes everything, untouched items unchanged
    assert result["after_commit"] == [["a", "1", "2"], ["b", "1", None], ["c", "1", "7"]]


def test_fault_options_are_off_unless_asked_for_and_read_from_the_environment() -> None:
    assert FaultOptions.from_env({"PATH": "/bin"}) is None
    options = FaultOptions.from_env(
        {
            "ONEWAY_FAULT_DUPLICATE_RATE": "0.1",
            "ONEWAY_FAULT_KILL_RATE": "0.05",
            "ONEWAY_WORKER_PROCESSES": "3",
            "ONEWAY_FAULT_LEDGER": "/tmp/ledger.jsonl",
            "ONEWAY_FAULT_SEED": "7",
        }
    )
    assert options == FaultOptions(0.1, 0.05, 3, Path("/tmp/ledger.jsonl"), 7)


def test_the_ledger_names_an_upload_message_by_its_decoded_manifest_key() -> None:
    body = {"Records": [{"s3": {"object": {"key": "raw%2Fc%2Fi%2Finv%2Fq%2F001%2Fmanifest.json"}}}]}
    assert manifest_key({"Body": json.dumps(body)}) == "raw/c/i/inv/q/001/manifest.json"
    assert manifest_key({"Body": json.dumps({"Event": "s3:TestEvent"})}) == ""
