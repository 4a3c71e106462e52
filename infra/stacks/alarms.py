"""CloudWatch alarms for the failures nobody would otherwise see, sent to one SNS topic."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

PERIOD = cdk.Duration.minutes(5)
# One lost upload or failed transcode is a candidate's answer; a few 5xx in five minutes is
# a broken API rather than a blip.
API_5XX_THRESHOLD = 5


class Alarms(Construct):
    """Dead-lettered uploads, worker errors and API 5xx, each alarming on `topic`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        dead_letters: sqs.IQueue,
        worker: lambda_.IFunction,
        api_name: str,
        api_stage: str,
        email: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Topic", display_name="oneway alarms", enforce_ssl=True)
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self._alarm(
            "UploadsDeadLettered",
            "An upload failed processing three times and waits in the dead-letter queue.",
            dead_letters.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=1,
        )
        self._alarm(
            "WorkerErrors",
            "The media worker raised instead of reporting a failed upload.",
            worker.metric_errors(period=PERIOD, statistic=cloudwatch.Stats.SUM),
            threshold=1,
        )
        self._alarm(
            "Api5xx",
            "The API answered with server errors.",
            cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name="5XXError",
                dimensions_map={"ApiName": api_name, "Stage": api_stage},
                period=PERIOD,
                statistic=cloudwatch.Stats.SUM,
            ),
            threshold=API_5XX_THRESHOLD,
        )

    def _alarm(
        self, construct_id: str, description: str, metric: cloudwatch.IMetric, threshold: float
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
