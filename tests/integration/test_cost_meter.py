"""The cost bench's meter prices DynamoDB calls in the units AWS bills, from the items' sizes.

moto reports a constant consumed capacity per call, so `bench/cost_meter.py` sizes the items
itself; these checks hold it to DynamoDB's published rules (4 KB read units, half for an
eventually consistent read; 1 KB write units of the larger of before and after, twice in a
transaction, once more per index the item is in) on a real moto table.
"""

from __future__ import annotations

import threading

import boto3
import pytest
from moto import mock_aws

from bench.cost_meter import Meter, item_size, uncounted

TABLE = "meter"


@pytest.fixture
def dynamodb():
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gsi1pk")
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by_parent",
                    "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
        yield client
        # Other integration tests may run inside one outer moto: leave no table behind.
        client.delete_table(TableName=TABLE)


@pytest.fixture
def meter(dynamodb, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    found = Meter()
    found.attach(dynamodb)
    found.describe_table(TABLE)
    return found


def item(key: str, payload_bytes: int, **extra: dict) -> dict:
    return {"pk": {"S": key}, "sk": {"S": "A"}, "body": {"S": "x" * payload_bytes}, **extra}


def test_item_size_counts_names_and_values_as_dynamodb_does():
    assert item_size({"name": {"S": "abc"}}) == 4 + 3
    assert item_size({"n": {"N": "12345"}}) == 1 + 4  # 3 bytes for 5 digits, plus 1
    assert item_size({"flag": {"BOOL": True}}) == 4 + 1
    assert item_size({"m": {"M": {"a": {"S": "bc"}}}}) == 1 + 3 + (1 + 1 + 2)


def test_a_write_costs_a_unit_per_kilobyte_and_again_for_each_index_it_is_in(dynamodb, meter):
    dynamodb.put_item(TableName=TABLE, Item=item("plain", 1500))
    assert meter.take()["api"].write_units == 2  # 1.5 KB: two units, no index

    dynamodb.put_item(TableName=TABLE, Item=item("indexed", 1500, gsi1pk={"S": "parent"}))
    assert meter.take()["api"].write_units == 2 + 2  # and the index's copy of it


def test_an_update_costs_the_larger_of_the_item_before_and_after(dynamodb, meter):
    dynamodb.put_item(TableName=TABLE, Item=item("grows", 500))
    meter.take()
    dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "grows"}, "sk": {"S": "A"}},
        UpdateExpression="SET body = :b",
        ExpressionAttributeValues={":b": {"S": "y" * 2500}},
    )
    tally = meter.take()["api"]
    assert tally.write_units == 3
    assert tally.count("dynamodb", "UpdateItem") == 1


def test_reads_cost_four_kilobyte_units_and_half_when_eventually_consistent(dynamodb, meter):
    dynamodb.put_item(TableName=TABLE, Item=item("big", 5000))
    meter.take()
    key = {"pk": {"S": "big"}, "sk": {"S": "A"}}
    dynamodb.get_item(TableName=TABLE, Key=key)
    assert meter.take()["api"].read_units == 1  # 5 KB: two units, halved
    dynamodb.get_item(TableName=TABLE, Key=key, ConsistentRead=True)
    assert meter.take()["api"].read_units == 2
    dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "none"}, "sk": {"S": "A"}})
    assert meter.take()["api"].read_units == 0.5  # nothing found still costs a read


def test_a_transaction_costs_twice_a_plain_write(dynamodb, meter):
    dynamodb.transact_write_items(
        TransactItems=[{"Put": {"TableName": TABLE, "Item": item("t", 500)}}]
    )
    assert meter.take()["api"].write_units == 2


def test_calls_are_booked_to_who_made_them_and_the_benchs_own_reads_to_no_one(dynamodb, meter):
    worker = threading.Thread(
        target=lambda: dynamodb.put_item(TableName=TABLE, Item=item("w", 10)), name="uploads"
    )
    worker.start()
    worker.join()
    with uncounted():
        dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "w"}, "sk": {"S": "A"}})
    taken = meter.take()
    assert set(taken) == {"worker"}
    assert taken["worker"].calls == {("dynamodb", "PutItem"): 1}
