"""Starts the booking workflow for an addStepFunction mutation (a direct Lambda resolver)."""
import json
import os

import boto3


def handler(event, context):
    sfn = boto3.client("stepfunctions")
    booking = event["arguments"]["input"]
    started = sfn.start_execution(stateMachineArn=os.environ["STATE_MACHINE_ARN"],
                                  input=json.dumps(booking))
    return {"id": started["executionArn"].rsplit(":", 1)[1],
            "apartmentId": booking["apartmentId"], "executionArn": started["executionArn"]}
