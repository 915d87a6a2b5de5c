"""The booking API: starts the booking workflow for an apartment.

The same handler serves three front doors:
  - a direct invocation (stator function invoke, boto3's Lambda invoke) with the event below;
  - the GraphQL mutation addStepFunction(input: {apartmentId, customer, paid}) through AppSync,
    whose direct Lambda resolver hands over AppSync's event (arguments, info, ...);
  - POST /bookings through API Gateway (the template's Api event), the event below as the body.

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


def book(event):
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


def graphql_field(event):
    """AppSync's direct Lambda resolver event: the field's name and arguments."""
    field = event["info"]["fieldName"]
    if field != "addStepFunction":
        raise ValueError(f"this function resolves addStepFunction, not {field}")
    booking = event["arguments"]["input"]
    request = {"apartmentId": booking["apartmentId"], "customer": booking["customer"]}
    if booking.get("paid"):
        request["payment"] = {"amount": None}
    started = book(request)
    return {"id": started["name"], "apartmentId": booking["apartmentId"],
            "executionArn": started["executionArn"], "startDate": started["startDate"]}


def lambda_handler(event, context):
    if "info" in event and "arguments" in event:  # AppSync
        return graphql_field(event)
    if "httpMethod" in event or "routeKey" in event:  # API Gateway (payload 1.0 or 2.0)
        try:
            result = book(json.loads(event.get("body") or "{}"))
        except (KeyError, ValueError) as e:
            return {"statusCode": 400, "body": json.dumps({"message": f"bad booking: {e}"})}
        return {"statusCode": 200, "headers": {"content-type": "application/json"},
                "body": json.dumps(result)}
    return book(event)
