"""What a recurring schedule costs an otherwise idle `stator serve --time-scale 0` (virtual time;
docs/schedules.md, "Virtual time never spins"): the server's CPU time (/proc) over a few seconds
of real time with one rate(1 minute) schedule, whose target is a function that exists or one
that does not, and how many times the function ran.

    python3 bench/schedules_idle.py [--seconds 5]

The binary is $STATOR, else the newest build*/stator (tests/api/stator_server.py).
"""

import argparse
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "api"))
from stator_server import ACCOUNT, REGION, Server, lambda_client, make_zip  # noqa: E402

import boto3  # noqa: E402

ROLE = f"arn:aws:iam::{ACCOUNT}:role/r"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(target_name, seconds):
    server = Server("--time-scale", "0")
    try:
        sch = boto3.client("scheduler", endpoint_url=server.endpoint, region_name=REGION,
                           aws_access_key_id="x", aws_secret_access_key="x")
        lambda_client(server.endpoint).create_function(
            FunctionName="f", Runtime="python3.11", Role=ROLE, Handler="index.handler",
            Code={"ZipFile": make_zip({"index.py": "def handler(e, c):\n    return 1\n"})})
        sch.create_schedule(
            Name="s", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{target_name}",
                    "RoleArn": ROLE})
        time.sleep(1)
        c0, t0 = cpu_seconds(server.proc.pid), time.monotonic()
        time.sleep(seconds)
        c1, t1 = cpu_seconds(server.proc.pid), time.monotonic()
        sch.delete_schedule(Name="s")
        logs = urllib.request.urlopen(server.endpoint + "/2015-03-31/functions/f/logs").read()
        runs = logs.decode().count("START")
        print(f"target {target_name}: server CPU {c1 - c0:.2f} s over {t1 - t0:.2f} s, "
              f"function ran {runs} times (in all)")
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5)
    a = ap.parse_args()
    measure("f", a.seconds)
    measure("missing", a.seconds)


if __name__ == "__main__":
    main()
