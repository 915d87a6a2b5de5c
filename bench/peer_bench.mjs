// The peer side of the benchmarks: aws-local-stepfunctions driven in-process, the way
// engine_bench drives stator (construct the state machine once, run it N times one after
// another, each execution's event log kept until it ends).
//
// usage: node peer_bench.mjs CASE_DIR [--runs N]
// Prints one JSON object on stdout:
//   {"system":"peer","case":...,"runs":N,"compile_s":...,"wall_s":...,"transitions":...,
//    "events":...,"output_ok":true|false,"max_rss_kb":...}
// wall_s covers run() up to the result settling, summed over the runs; counting the events of
// each finished execution afterwards is not timed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { StateMachine } from 'aws-local-stepfunctions';

function parseArgs(argv) {
  const args = { caseDir: null, runs: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') args.runs = Number(argv[++i]);
    else if (!args.caseDir) args.caseDir = argv[i];
    else throw new Error(`unexpected argument ${argv[i]}`);
  }
  if (!args.caseDir) throw new Error('usage: node peer_bench.mjs CASE_DIR [--runs N]');
  return args;
}

// Key order does not matter for JSON equality; isDeepStrictEqual compares plain objects by key.
function sameJson(a, b) {
  return isDeepStrictEqual(a, b);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const readJson = (f) => JSON.parse(readFileSync(join(args.caseDir, f), 'utf8'));
  const definition = readJson('definition.json');
  const input = readJson('input.json');
  const expected = readJson('expected.json');
  const meta = readJson('meta.json');
  const runs = args.runs ?? meta.runs;

  let t = process.hrtime.bigint();
  const machine = new StateMachine(definition);
  const compileS = Number(process.hrtime.bigint() - t) / 1e9;

  let wallNs = 0n;
  let transitions = 0;
  let events = 0;
  let outputOk = true;
  for (let r = 0; r < runs; r++) {
    t = process.hrtime.bigint();
    const execution = machine.run(input);
    const result = await execution.result;
    wallNs += process.hrtime.bigint() - t;
    for await (const ev of execution.eventLogs) {
      events++;
      if (ev.type === 'StateEntered') transitions++;
    }
    if (r === 0 || r === runs - 1) outputOk = outputOk && sameJson(result, expected);
  }

  const out = {
    system: 'peer',
    case: meta.name,
    runs,
    compile_s: compileS,
    wall_s: Number(wallNs) / 1e9,
    transitions,
    events,
    output_ok: outputOk,
    max_rss_kb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`peer_bench: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
