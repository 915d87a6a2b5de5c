// The reference side of the JSONata benchmark and of the differential fuzz: npm jsonata 2.0.6,
// in process in node (NODE_PATH=/work/main/bench/node_modules or bench/node_modules).
//
//   node bench/jsonata_bench.mjs --batch
//       The reference's `stator jsonata --batch`: JSON lines on stdin, each
//       {"expr", "input"?, "bindings"?, "timelimit"?, "depth"?}; one line out per request:
//       {"result": V} (a function written as ""; "nonfinite": true added when V held Infinity
//       or NaN, which JSON writes as null), {"undefined": true} or
//       {"code", "message", "position"?, "token"?}. A request with timelimit/depth is timeboxed
//       as the suite's runner does it (__evaluate_entry/__evaluate_exit hooks, U1001).
//   node bench/jsonata_bench.mjs --bench FILE
//       FILE: {"asl": [{"name", "expr", "input"?, "bindings"?, "iters"}], "suite": [request...],
//       "suite_limits": [request...], "repeat": R} ("suite_limits" timed apart from "suite"). Prints one JSON object: per ASL case the best-of-R mean time per
//       evaluation (compiled once, warmed up first), and for the suite the best-of-R time of
//       evaluating every case once (compiled once, one warm-up pass first).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
let jsonata;
try {
  jsonata = require('jsonata');
} catch (e) {
  process.stderr.write('jsonata_bench.mjs: the jsonata package is not installed: ' +
                       'set NODE_PATH to a node_modules holding jsonata 2.0.6\n');
  process.exit(3);
}

// The suite runner's timebox (jsonata-js test/run-test-suite.js): depth and wall-clock budget
// checked on every evaluate entry and exit.
function timebox(expr, timeout, maxDepth) {
  let depth = 0;
  const time = Date.now();
  const check = () => {
    if (maxDepth > 0 && depth > maxDepth) {
      throw {
        code: 'U1001',
        message: 'Stack overflow error: Check for non-terminating recursive function.  ' +
                     'Consider rewriting as tail-recursive.',
      };
    }
    if (Date.now() - time > timeout) {
      throw {code: 'U1001', message: 'Expression evaluation timeout: Check for infinite loop'};
    }
  };
  expr.assign(Symbol.for('jsonata.__evaluate_entry'), () => { depth++; check(); });
  expr.assign(Symbol.for('jsonata.__evaluate_exit'), () => { depth--; check(); });
}

function limited(req) {
  return typeof req.timelimit === 'number' || typeof req.depth === 'number';
}

function applyLimits(expr, req) {
  if (limited(req)) {
    timebox(expr, typeof req.timelimit === 'number' ? req.timelimit : Infinity,
            typeof req.depth === 'number' ? req.depth : 0);
  }
}

function errorAnswer(e) {
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    const a = {code: e.code, message: String(e.message)};
    if (typeof e.position === 'number') a.position = e.position;
    if (e.token !== undefined) a.token = String(e.token);
    return a;
  }
  // A JavaScript exception escaping the reference (RangeError on deep recursion, TypeError on
  // its own bugs): reported with the class name as the code.
  const name = e && e.name ? e.name : 'Exception';
  return {code: 'JS:' + name, message: String(e && e.message !== undefined ? e.message : e)};
}

// Function values (native functions and the reference's lambda and built-in wrappers) are
// written as "", as `stator jsonata --batch` writes them.
const isFunction = (v) => typeof v === 'function' ||
    (v !== null && typeof v === 'object' && (v._jsonata_lambda === true ||
                                              v._jsonata_function === true));
const replacer = (k, v) => (isFunction(v) ? '' : v);

async function answer(req) {
  let expr;
  try {
    expr = jsonata(req.expr);
  } catch (e) {
    return errorAnswer(e);
  }
  try {
    applyLimits(expr, req);
    const r = await expr.evaluate(req.input, req.bindings);
    if (r === undefined) return {undefined: true};
    let nonfinite = false;
    const text = JSON.stringify(r, (k, v) => {
      if (typeof v === 'number' && !Number.isFinite(v)) nonfinite = true;
      return replacer(k, v);
    });
    if (text === undefined) return {result: ''};  // a function value (or a symbol)
    // JSON writes Infinity and NaN as null; "nonfinite" says the result held one.
    return nonfinite ? {resultText: text, nonfinite: true} : {resultText: text};
  } catch (e) {
    return errorAnswer(e);
  }
}

function line(a) {
  if (a.resultText !== undefined) {
    return '{"result":' + a.resultText + (a.nonfinite ? ',"nonfinite":true}' : '}');
  }
  return JSON.stringify(a);
}

// Each answer is written as soon as it is known (as `stator jsonata --batch` does), so that a
// harness sees how far a run got.
async function batch() {
  const rl = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
  for await (const text of rl) {
    if (text === '') continue;
    let req;
    try {
      req = JSON.parse(text);
    } catch (e) {
      process.stdout.write(JSON.stringify({code: 'BadRequest', message: String(e.message)}) +
                           '\n');
      continue;
    }
    process.stdout.write(line(await answer(req)) + '\n');
  }
}

const now = () => process.hrtime.bigint();
const secondsSince = (t0) => Number(now() - t0) / 1e9;
// Process CPU time (all threads: the garbage collector's and the compiler's too), seconds.
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function benchAsl(c, repeat) {
  const expr = jsonata(c.expr);
  const iters = c.iters;
  let last;
  for (let i = 0; i < Math.max(1000, iters / 10); i++) last = await expr.evaluate(c.input, c.bindings);
  let best = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t0 = now();
    const c0 = cpu();
    for (let i = 0; i < iters; i++) last = await expr.evaluate(c.input, c.bindings);
    best = Math.min(best, secondsSince(t0));
    bestCpu = Math.min(bestCpu, cpu() - c0);
  }
  return {name: c.name, iters, ns_per_eval: best / iters * 1e9,
          cpu_ns_per_eval: bestCpu / iters * 1e9,
          result: JSON.stringify(last, replacer)};
}

async function evalOnce(compiled, req) {
  if (compiled.error) return 'error';
  try {
    applyLimits(compiled.expr, req);
    const r = await compiled.expr.evaluate(req.input, req.bindings);
    return r === undefined ? 'undefined' : 'result';
  } catch (e) {
    return 'error';
  }
}

async function benchSuite(reqs, repeat) {
  const t0 = now();
  const compiled = reqs.map((req) => {
    try {
      return {expr: jsonata(req.expr)};
    } catch (e) {
      return {error: e};
    }
  });
  const compileS = secondsSince(t0);
  const counts = {result: 0, undefined: 0, error: 0};
  const times = [];
  for (let i = 0; i < reqs.length; i++) {  // warm-up, counting outcomes and timing each case
    const tc = now();
    counts[await evalOnce(compiled[i], reqs[i])]++;
    times.push([secondsSince(tc), i]);
  }
  times.sort((a, b) => b[0] - a[0]);
  const slowest = times.slice(0, 10).map(([s, i]) => ({case: i, s}));
  let best = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t1 = now();
    const c1 = cpu();
    for (let i = 0; i < reqs.length; i++) await evalOnce(compiled[i], reqs[i]);
    best = Math.min(best, secondsSince(t1));
    bestCpu = Math.min(bestCpu, cpu() - c1);
  }
  // Compile and evaluate every case once (what a fresh test run does), after the warm-up.
  let bestFull = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t2 = now();
    for (const req of reqs) {
      let expr;
      try {
        expr = jsonata(req.expr);
      } catch (e) {
        continue;
      }
      await evalOnce({expr}, req);
    }
    bestFull = Math.min(bestFull, secondsSince(t2));
  }
  return {cases: reqs.length, compile_s: compileS, eval_s: best, cpu_eval_s: bestCpu,
          compile_eval_s: bestFull,
          slowest, outcomes: counts};
}

async function bench(file) {
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  const repeat = spec.repeat || 3;
  const out = {system: 'jsonata-js', version: require('jsonata/package.json').version,
               node: process.version, asl: [], suite: null};
  for (const c of spec.asl || []) out.asl.push(await benchAsl(c, repeat));
  if (spec.suite) out.suite = await benchSuite(spec.suite, repeat);
  if (spec.suite_limits) out.suite_limits = await benchSuite(spec.suite_limits, repeat);
  process.stdout.write(JSON.stringify(out) + '\n');
}

const args = process.argv.slice(2);
if (args[0] === '--batch') {
  await batch();
} else if (args[0] === '--bench' && args[1]) {
  await bench(args[1]);
} else {
  process.stderr.write('usage: node bench/jsonata_bench.mjs --batch | --bench FILE\n');
  process.exit(2);
}
