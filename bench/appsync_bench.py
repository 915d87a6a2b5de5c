#!/usr/bin/env python3
"""AppSync benchmark (not a test): the GraphQL front door against a direct Lambda Invoke, and
GraphQL requests/s, with the Amplify AppSync simulator (graphql-js) as the open peer.

usage: bench/appsync_bench.py [--stator PATH] [--iterations N] [--seconds S] [--conns C]
                              [--skip-amplify]

The server keeps its data in a temporary --data-dir (SQLite), as a user's server does.

1. Round trip: N sequential requests over one keep-alive connection from the same client,
   (a) the mutation `echo(n)` whose direct Lambda resolver is a Python function, and (b) a Lambda
   Invoke of the same function (POST /2015-03-31/functions/echo/invocations). p50/p99 and the
   ratio (issue 16's target: GraphQL <= 1.2x the direct Invoke).
2. Throughput: wrk with C connections for S seconds on the query `{ hello(n: 1) }`, resolved by
   a NONE data source with request and response mapping templates (target >= 20k requests/s on
   2 cores). The same query on the Amplify AppSync simulator (npm amplify-appsync-simulator,
   graphql-js + its VTL engine) when it is installed under bench/node_modules (npm install in
   bench/), and the ratio.
"""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "api"))
sys.dont_write_bytecode = True

from stator_server import ACCOUNT, REGION, Server, lambda_client, make_zip  # noqa: E402

import boto3  # noqa: E402
import botocore.config  # noqa: E402

ROLE = f"arn:aws:iam::{ACCOUNT}:role/bench"
SCHEMA = """
type Echo { n: Int }
type Query { hello(n: Int): Int }
type Mutation { echo(n: Int!): Echo }
"""
ECHO = "def handler(event, context):\n    return {'n': event['arguments']['n']}\n"
REQUEST_VTL = '{"version": "2018-05-29", "payload": $util.toJson($ctx.args.n)}'
RESPONSE_VTL = "$util.toJson($ctx.result)"
HELLO = json.dumps({"query": "{ hello(n: 1) }"})


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def appsync_client(endpoint):
    return boto3.client("appsync", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=botocore.config.Config(retries={"max_attempts": 0}))


def setup(server):
    lam = lambda_client(server.endpoint)
    lam.create_function(FunctionName="echo", Runtime="python3.11", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": make_zip({"app.py": ECHO})})
    appsync = appsync_client(server.endpoint)
    api = appsync.create_graphql_api(name="bench", authenticationType="API_KEY")["graphqlApi"]
    api_id = api["apiId"]
    appsync.start_schema_creation(apiId=api_id, definition=SCHEMA.encode())
    deadline = time.monotonic() + 30
    while appsync.get_schema_creation_status(apiId=api_id)["status"] not in ("SUCCESS", "ACTIVE"):
        if time.monotonic() > deadline:
            raise SystemExit("the schema was not created")
        time.sleep(0.05)
    key = appsync.create_api_key(apiId=api_id)["apiKey"]["id"]
    appsync.create_data_source(
        apiId=api_id, name="echo", type="AWS_LAMBDA", serviceRoleArn=ROLE,
        lambdaConfig={"lambdaFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:echo"})
    appsync.create_data_source(apiId=api_id, name="none", type="NONE")
    appsync.create_resolver(apiId=api_id, typeName="Mutation", fieldName="echo",
                            dataSourceName="echo")
    appsync.create_resolver(apiId=api_id, typeName="Query", fieldName="hello",
                            dataSourceName="none", requestMappingTemplate=REQUEST_VTL,
                            responseMappingTemplate=RESPONSE_VTL)
    return api["uris"]["GRAPHQL"], key


def round_trips(endpoint, url, key, iterations):
    host = urllib.parse.urlparse(endpoint)
    path = urllib.parse.urlparse(url).path
    conn = http.client.HTTPConnection(host.hostname, host.port)

    def call(method_path, body, headers):
        t = time.perf_counter()
        conn.request("POST", method_path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        dt = time.perf_counter() - t
        if r.status != 200:
            raise SystemExit(f"{method_path}: HTTP {r.status}: {data[:300]}")
        return dt, data

    mutation = {"content-type": "application/json", "x-api-key": key}
    invoke = {"content-type": "application/json"}
    gql, direct = [], []
    for i in range(iterations):
        # Interleaved, so that both see the same machine state.
        dt, data = call(path, json.dumps({"query": "mutation($n: Int!) { echo(n: $n) { n } }",
                                          "variables": {"n": i}}), mutation)
        if json.loads(data) != {"data": {"echo": {"n": i}}}:
            raise SystemExit(f"unexpected GraphQL answer: {data[:300]}")
        gql.append(dt)
        dt, data = call("/2015-03-31/functions/echo/invocations",
                        json.dumps({"arguments": {"n": i}}), invoke)
        direct.append(dt)
    conn.close()
    return gql[iterations // 10:], direct[iterations // 10:]  # the first tenth warms up


WRK_LUA = r"""
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["x-api-key"] = os.getenv("API_KEY")
wrk.body = os.getenv("BODY")
function done(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %d %d\n", summary.requests, summary.duration,
           summary.errors.status + summary.errors.connect + summary.errors.read +
           summary.errors.write + summary.errors.timeout,
           latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(url, key, seconds, conns):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA)
        script = f.name
    try:
        r = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{max(1, round(seconds))}s", "-s",
                            script, url], capture_output=True, text=True,
                           env={**os.environ, "API_KEY": key, "BODY": HELLO})
    finally:
        os.unlink(script)
    for line in r.stdout.splitlines():
        if line.startswith("WRK "):
            req, dur_us, err, p50, p99 = map(int, line.split()[1:])
            return {"rps": req / (dur_us / 1e6), "errors": err, "p50": p50 / 1e3,
                    "p99": p99 / 1e3}
    raise SystemExit(f"wrk output not understood:\n{r.stdout}\n{r.stderr}")


AMPLIFY_JS = r"""
const { AmplifyAppSyncSimulator } = require('amplify-appsync-simulator');
const [schema, req, res, port] = process.argv.slice(2);
(async () => {
  const sim = new AmplifyAppSyncSimulator({ port: Number(port), wsPort: Number(port) + 1 });
  await sim.start();
  sim.init({
    appSync: { name: 'bench', defaultAuthenticationType: { authenticationType: 'API_KEY' },
               apiKey: 'da2-fakeApiId123456', additionalAuthenticationProviders: [] },
    schema: { content: schema },
    mappingTemplates: [{ path: 'req.vtl', content: req }, { path: 'res.vtl', content: res }],
    dataSources: [{ type: 'NONE', name: 'none' }],
    resolvers: [{ kind: 'UNIT', typeName: 'Query', fieldName: 'hello', dataSourceName: 'none',
                  requestMappingTemplateLocation: 'req.vtl',
                  responseMappingTemplateLocation: 'res.vtl' }],
  });
  console.log('READY');
})().catch((e) => { console.error(e); process.exit(1); });
"""


def amplify_simulator(seconds, conns):
    """Starts the Amplify AppSync simulator on the same schema and NONE resolver; wrk on it."""
    modules = os.path.join(HERE, "node_modules", "amplify-appsync-simulator")
    if not os.path.isdir(modules) or shutil.which("node") is None:
        return None, "not installed (cd bench && npm install amplify-appsync-simulator)"
    port = 20300 + os.getpid() % 1000
    with tempfile.NamedTemporaryFile("w", suffix=".js", dir=HERE, delete=False) as f:
        f.write(AMPLIFY_JS)
        script = f.name
    proc = subprocess.Popen(["node", script, SCHEMA, REQUEST_VTL, RESPONSE_VTL, str(port)],
                            cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if "READY" not in line:
            return None, f"did not start: {proc.stderr.read()[:500]}"
        url = f"http://127.0.0.1:{port}/graphql"
        probe = subprocess.run(["curl", "-s", "-H", "content-type: application/json", "-H",
                                "x-api-key: da2-fakeApiId123456", "-d", HELLO, url],
                               capture_output=True, text=True)
        if json.loads(probe.stdout or "{}") != {"data": {"hello": 1}}:
            return None, f"answered {probe.stdout[:300]!r}"
        return run_wrk(url, "da2-fakeApiId123456", seconds, conns), ""
    finally:
        proc.kill()
        proc.wait()
        os.unlink(script)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stator")
    ap.add_argument("--iterations", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--skip-amplify", action="store_true")
    args = ap.parse_args()
    if args.stator:
        os.environ["STATOR"] = args.stator
    data_dir = tempfile.mkdtemp(prefix="appsync-bench-")
    server = Server("--data-dir", data_dir)
    try:
        url, key = setup(server)
        gql, direct = round_trips(server.endpoint, url, key, args.iterations)
        g50, d50 = statistics.median(gql) * 1e3, statistics.median(direct) * 1e3
        print(f"1. round trip over one connection ({len(gql)} each, after warm-up)")
        print(f"   GraphQL mutation -> direct Lambda resolver   p50 {g50:.3f} ms  "
              f"p99 {pct(gql, 99) * 1e3:.3f} ms")
        print(f"   Lambda Invoke of the same function          p50 {d50:.3f} ms  "
              f"p99 {pct(direct, 99) * 1e3:.3f} ms")
        print(f"   ratio GraphQL / Invoke (p50): {g50 / d50:.2f}x   (target <= 1.2x)")
        w = run_wrk(url, key, args.seconds, args.conns)
        print(f"2. wrk -t2 -c{args.conns} -d{round(args.seconds)}s, query {{ hello(n: 1) }} "
              "(NONE resolver, request + response templates)")
        print(f"   stator                 {w['rps']:9.0f} requests/s  p50 {w['p50']:.2f} ms  "
              f"p99 {w['p99']:.2f} ms  errors {w['errors']}   (target >= 20000/s)")
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    if not args.skip_amplify:
        a, why = amplify_simulator(args.seconds, args.conns)
        if a is None:
            print(f"   amplify simulator      {why}")
        else:
            print(f"   amplify simulator      {a['rps']:9.0f} requests/s  p50 {a['p50']:.2f} ms  "
                  f"p99 {a['p99']:.2f} ms  errors {a['errors']}")
            print(f"   ratio stator / amplify simulator: {w['rps'] / a['rps']:.1f}x")


if __name__ == "__main__":
    main()
