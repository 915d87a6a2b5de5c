"""Drives the deployed apartment-booking app (run.sh calls it after `stator deploy`).

Seeds apartments, books for three customers through the GraphQL API (the mutation
addStepFunction, whose direct Lambda resolver is the booking function) and follows each execution
to its end: a booking paid at once (kept), one never paid (released after the 60-second hold),
and one for an apartment that does not exist (the Catch sends it to the Fail state). Prints each
execution's status, its path and history event types, and the apartment as the table holds it
afterwards, read back through the GraphQL query apartment(id) (a DynamoDB resolver). Exits 1 if
anything differs from what the workflow promises.

usage: python3 demo.py --endpoint URL --graphql-url URL --api-key KEY --table NAME
"""

import argparse
import json
import sys
import time
import urllib.request

import boto3
import botocore.config


def clients(endpoint):
    kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
              aws_secret_access_key="x",
              config=botocore.config.Config(retries={"max_attempts": 0}, read_timeout=60))
    return boto3.client("stepfunctions", **kw), boto3.client("dynamodb", **kw)


def graphql(url, key, query, variables):
    """One GraphQL request as any AppSync client sends it: POST JSON with x-api-key."""
    request = urllib.request.Request(
        url, data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"content-type": "application/json", "x-api-key": key}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


BOOK = """mutation Book($input: BookingInput!) {
  addStepFunction(input: $input) { id apartmentId executionArn startDate }
}"""
APARTMENT = """query Apartment($id: ID!) {
  apartment(id: $id) { id status paymentStatus bookedBy bookingId }
}"""


def plain(item):
    return {k: list(v.values())[0] for k, v in (item or {}).items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--graphql-url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--table", required=True)
    args = ap.parse_args()
    sfn, ddb = clients(args.endpoint)

    for apt in ("A-101", "A-102"):
        ddb.put_item(TableName=args.table, Item={
            "Id": {"S": apt}, "status": {"S": "vacant"}, "paymentStatus": {"S": "unpaid"},
            "rent": {"N": "1200"}})
    print(f"Seeded apartments A-101 and A-102 (vacant, unpaid) in table {args.table}")

    cases = [
        ("paid in time", {"apartmentId": "A-101", "customer": "alice", "paid": True},
         "SUCCEEDED", "Apartment Paid", {"status": "booked", "paymentStatus": "paid",
                                         "bookedBy": "alice"}),
        ("not paid: released after the hold", {"apartmentId": "A-102", "customer": "bob"},
         "SUCCEEDED", "Release Apartment", {"status": "vacant", "paymentStatus": "unpaid"}),
        ("apartment does not exist", {"apartmentId": "A-999", "customer": "carol"},
         "FAILED", "Booking Failed", None),
    ]
    failures = 0
    for title, event, want_status, want_last, want_item in cases:
        print(f"\n== {title}: {event['customer']} books {event['apartmentId']}"
              + (" and pays at once" if event.get("paid") else ""))
        answer = graphql(args.graphql_url, args.api_key, BOOK, {"input": event})
        if answer.get("errors") or not answer["data"]["addStepFunction"]:
            print(f"  the mutation failed: {answer}")
            failures += 1
            continue
        booking = answer["data"]["addStepFunction"]
        arn = booking["executionArn"]
        print(f"  mutation addStepFunction started execution {booking['id']}")
        started = time.monotonic()
        while True:
            d = sfn.describe_execution(executionArn=arn)
            if d["status"] != "RUNNING":
                break
            if time.monotonic() - started > 30:
                print("  still RUNNING after 30 s")
                failures += 1
                break
            time.sleep(0.02)
        wall = time.monotonic() - started
        events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        entered = [e["stateEnteredEventDetails"]["name"] for e in events
                   if "stateEnteredEventDetails" in e]
        waits = [e["timestamp"] for e in events if e["type"] in ("WaitStateEntered",
                                                                   "WaitStateExited")]
        line = f"  execution {d['status']} after {wall:.2f} s of wall time"
        if len(waits) == 2:
            line += (f"; the history's Wait lasted {(waits[1] - waits[0]).total_seconds():.0f} s"
                     " (virtual time)")
        print(line)
        if d["status"] == "FAILED":
            print(f"  error {d.get('error')}: {d.get('cause')}")
            caught = [e for e in events if e["type"] == "TaskFailed"]
            if caught:
                print(f"  caught {caught[0]['taskFailedEventDetails']['error']}")
        print("  path: " + " -> ".join(entered))
        print("  events: " + ", ".join(e["type"] for e in events))
        item = ddb.get_item(TableName=args.table, Key={"Id": {"S": event["apartmentId"]}},
                            ConsistentRead=True).get("Item")
        shown = plain(item)
        print(f"  apartment {event['apartmentId']} now: "
              + (json.dumps(shown, sort_keys=True) if item else "not in the table"))
        queried = graphql(args.graphql_url, args.api_key, APARTMENT, {"id": event["apartmentId"]})
        print(f"  query apartment(id: {event['apartmentId']!r}): {json.dumps(queried['data'])}")
        apartment = queried["data"]["apartment"]
        if (apartment is None) != (item is None) or (
                apartment and any(apartment.get(k) != shown.get(k)
                                  for k in ("status", "paymentStatus", "bookedBy", "bookingId"))):
            print("  UNEXPECTED: the GraphQL query and the table disagree")
            failures += 1
        ok = d["status"] == want_status and entered and entered[-1] == want_last
        if want_item is None:
            ok = ok and item is None
        else:
            ok = ok and all(shown.get(k) == v for k, v in want_item.items())
            ok = ok and ("bookedBy" in want_item or "bookedBy" not in shown)
        if not ok:
            print(f"  UNEXPECTED: wanted {want_status} ending in {want_last!r} with {want_item}")
            failures += 1
    print()
    print("All three bookings ended as expected." if failures == 0
          else f"{failures} booking(s) did not end as expected.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
