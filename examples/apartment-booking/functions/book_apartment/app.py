"""The booking API: starts the booking workflow for an apartment.

Event: {"apartmentId": "A-101", "customer": "alice", "payment": {"amount": 1200}}
  - "payment" (optional) pays at booking time: the payment is recorded on the apartment before
    the workflow starts, so the workflow finds it when its 60-second hold ends.
  - {"action": "pay", "apartmentId": ...} records a payment for a booking in progress.
Returns the execution ARN and name for a booking, or the updated apartment for a payment.
"""

import json
import os
import time
import uuid

import boto3

sfn = boto3.client("stepfunctions")
dynamodb = boto3.client("dynamodb")


def record_payment(apartment_id):
    out = dynamodb.update_item(
        TableName=os.environ["TABLE_NAME"],
        Key={"Id": {"S": apartment_id}},
        UpdateExpression="SET paymentStatus = :paid",
        ConditionExpression="attribute_exists(Id)",
        ExpressionAttributeValues={":paid": {"S": "paid"}},
        ReturnValues="ALL_NEW",
    )
    return {k: list(v.values())[0] for k, v in out["Attributes"].items()}


def lambda_handler(event, context):
    apartment_id = event["apartmentId"]
    if event.get("action") == "pay":
        return {"apartment": record_payment(apartment_id)}
    if event.get("payment"):
        record_payment(apartment_id)
    name = f"booking-{apartment_id}-{int(time.time())}-{uuid.uuid4().hex[:8]}"
    response = sfn.start_execution(
        stateMachineArn=os.environ["STATE_MACHINE_ARN"],
        name=name,
        input=json.dumps({"apartmentId": apartment_id,
                          "customer": event.get("customer", "anonymous")}),
    )
    return {"executionArn": response["executionArn"], "name": name,
            "startDate": response["startDate"].isoformat()}
