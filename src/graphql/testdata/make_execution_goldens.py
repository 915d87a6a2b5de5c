# Regenerates execution_cases.json, the expected results execute_test.cc compares against, by
# executing each case (unvalidated) with graphql-core (the Python port of graphql-js) with the root value as a
# plain dict (graphql-core's default resolver reads dict keys; abstract types resolve from
# "__typename"). python3 make_execution_goldens.py (in this directory).
import json
from graphql import build_schema, execute_sync, parse

SCHEMA = '''
type Query {
  hero: Character
  heroes: [Character]
  search: [SearchResult!]
  num: Int
  nums: [Int]
  nonNullNums: [Int!]
  nonNullList: [Int]!
  float: Float
  str: String
  bool: Boolean
  id: ID
  episode: Episode
  obj: Obj
  objs: [Obj!]
  required: Obj!
  echo(a: Int, b: String = "dflt", e: Episode, i: In, l: [Int]): String
  matrix: [[Int!]]
  oneOf(o: One): String
}
input One @oneOf { a: Int b: String }
type Mutation { first: Obj second: Obj! third: Obj }
interface Character { name: String! friends: [Character] }
type Human implements Character { name: String! friends: [Character] height: Float }
type Droid implements Character { name: String! friends: [Character] primaryFunction: String }
union SearchResult = Human | Droid
enum Episode { NEWHOPE EMPIRE JEDI }
type Obj { a: Int b: String! c: Obj d: [Obj!]! e: Int! }
input In { x: Int! y: [String!] = ["d"] z: In e: Episode }
'''

ROOT = {
  'hero': {'__typename': 'Droid', 'name': 'R2-D2', 'primaryFunction': 'Astromech',
           'friends': [{'__typename': 'Human', 'name': 'Luke', 'height': 1.72},
                       {'__typename': 'Droid', 'name': 'C-3PO', 'primaryFunction': 'Protocol'}]},
  'heroes': [{'__typename': 'Human', 'name': 'Han', 'height': 1.8},
             {'__typename': 'Droid', 'name': None},
             {'__typename': 'Wookiee', 'name': 'Chewie'},
             {'name': 'nobody'}],
  'search': [{'__typename': 'Human', 'name': 'Leia', 'height': 1.5},
             {'__typename': 'Droid', 'name': 'BB-8', 'primaryFunction': 'roll'}],
  'num': 42, 'nums': [1, None, 3], 'nonNullNums': [1, None, 3], 'nonNullList': None,
  'float': 1.5, 'str': 'hello', 'bool': True, 'id': 7, 'episode': 'EMPIRE',
  'obj': {'a': 1, 'b': 'x', 'c': {'a': 2, 'b': None, 'e': 5}, 'd': [{'b': 'ok', 'e': 1}, {'b': None, 'e': 2}], 'e': 3},
  'objs': [{'a': 1, 'b': 'y', 'e': 1}, None, {'a': 3, 'b': 'z', 'e': 3}],
  'required': None,
  'matrix': [[1, 2], None, [3, None], []],
}

CASES = [
  ('basic', '{ num float str bool id episode }', None, None),
  ('aliases', '{ n1: num n2: num s: str }', None, None),
  ('typename', '{ __typename obj { __typename a } }', None, None),
  ('nested', '{ obj { a b c { a } } }', None, None),
  ('null in nullable child', '{ obj { c { a b } } }', None, None),
  ('non-null list item', '{ nonNullNums }', None, None),
  ('nullable list items', '{ nums }', None, None),
  ('non-null list', '{ nonNullList num }', None, None),
  ('non-null root', '{ num required { a } str }', None, None),
  ('bubble stops the object', '{ obj { a d { b e } e } }', None, None),
  ('list of non-null objects', '{ objs { a b } }', None, None),
  ('errors after a bubble', '{ obj { c { b a } a } num }', None, None),
  ('interface fragments', '{ hero { name ... on Droid { primaryFunction } friends { name ... on Human { height } } } }', None, None),
  ('named fragments', 'query { hero { ...F } } fragment F on Character { __typename name ... on Droid { primaryFunction } }', None, None),
  ('union', '{ search { __typename ... on Human { name height } ... on Droid { name } } }', None, None),
  ('abstract resolution errors', '{ heroes { name } }', None, None),
  ('skip and include', 'query Q($yes: Boolean!, $no: Boolean = false) { num @skip(if: $yes) str @include(if: $yes) bool @include(if: $no) obj @skip(if: false) { a ... @include(if: $no) { b } } }', {'yes': True}, None),
  ('merged fields', '{ obj { a } obj { b c { a } } obj { c { e } } }', None, None),
  ('operation name', 'query A { num } query B { str }', None, 'B'),
  ('unknown operation', 'query A { num }', None, 'C'),
  ('ambiguous operation', 'query A { num } query B { str }', None, None),
  ('variables: missing required', 'query ($x: Int!) { num }', {}, None),
  ('variables: null for non-null', 'query ($x: Int!) { num }', {'x': None}, None),
  ('variables: wrong type', 'query ($x: Int, $s: String, $b: Boolean, $f: Float, $e: Episode) { num }', {'x': 'abc', 's': 1, 'b': 'true', 'f': 'x', 'e': 'MARS'}, None),
  ('variables: input object', 'query ($i: In) { num }', {'i': {'y': [None], 'w': 1, 'z': {'x': 1.5}}}, None),
  ('variables: out of range', 'query ($x: Int) { num }', {'x': 3000000000}, None),
  ('variables: bad list item', 'query ($l: [Int!]) { num }', {'l': [1, 'two', None]}, None),
  ('variables: not an object', 'query ($i: In) { num }', {'i': 5}, None),
  ('variables: ok', 'query ($i: In, $l: [Int], $e: Episode) { num }', {'i': {'x': 1}, 'l': 5, 'e': 'JEDI'}, None),
  ('mutation', 'mutation { first { a } second { a } third { a } }', None, None),
  ('introspection type', '{ __type(name: "Character") { name kind fields { name type { name kind ofType { name } } } possibleTypes { name } } }', None, None),
  ('introspection missing type', '{ __type(name: "Nope") { name } }', None, None),
  ('introspection schema', '{ __schema { queryType { name } mutationType { name } subscriptionType { name } } }', None, None),
  ('echo: literals', '{ echo(a: 1, e: JEDI, i: {x: 1, z: {x: 2, e: NEWHOPE}}, l: [1, 2]) }', None, None),
  ('echo: list from one value', '{ echo(l: 1) }', None, None),
  ('echo: missing variable in a list', 'query ($v: Int) { echo(l: [1, $v]) }', {}, None),
  ('echo: variable default', 'query ($v: Int = 7) { echo(a: $v) }', {}, None),
  ('echo: variable missing, argument default', 'query ($v: String) { echo(b: $v) }', {}, None),
  ('echo: input variable', 'query ($i: In) { echo(i: $i) }', {'i': {'x': 1, 'e': 'JEDI', 'z': None}}, None),
  ('echo: explicit nulls', '{ echo(b: null, i: {x: 1, y: null}) }', None, None),
  ('echo: invalid literals', '{ a: echo(a: 1.5) b: echo(e: "JEDI") c: echo(i: {y: ["a"]}) d: echo(i: {x: 1, w: 2}) }', None, None),
  ('echo: variables in nested input', 'query ($x: Int!, $y: [String!]) { echo(i: {x: $x, y: $y}) }', {'x': 3, 'y': 'one'}, None),
  ('oneOf inputs', 'query ($o: One) { a: oneOf(o: {a: 1}) b: oneOf(o: {a: 1, b: "x"}) c: oneOf(o: $o) }', {'o': {'b': 'y'}}, None),
  ('oneOf variable errors', 'query ($o: One) { oneOf(o: $o) }', {'o': {'a': 1, 'b': 'x'}}, None),
  ('list of lists', '{ matrix }', None, None),
  ('skip on fragments', 'query ($t: Boolean!) { ... @skip(if: $t) { num } ...F @include(if: $t) } fragment F on Query { str }', {'t': True}, None),
  ('aliased typename and introspection in fragments', '{ t: __typename hero { ... on Character { kind: __typename } } }', None, None),
]

SERIALIZE_ROOT = {
  'num': 'abc', 'nums': [1.5, 2147483648, '7', True], 'float': 'x', 'str': 12.5, 'bool': 'yes', 'id': 1.5, 'episode': 'MARS',
}
SERIALIZE_CASES = [
  ('serialize errors', '{ num nums float str bool id episode }', None, None),
]

import re

def js_inspect(v, depth=1):
  # graphql-js's inspect() of a JSON value.
  if v is None: return 'null'
  if v is True: return 'true'
  if v is False: return 'false'
  if isinstance(v, (int, float)):
    if isinstance(v, float) and v.is_integer(): return str(int(v))
    return repr(v)
  if isinstance(v, str): return json.dumps(v, ensure_ascii=False)
  if isinstance(v, list):
    if not v: return '[]'
    if depth > 2: return '[Array]'
    return '[' + ', '.join(js_inspect(x, depth + 1) for x in v) + ']'
  if not v: return '{}'
  if depth > 2: return '[Object]'
  return '{ ' + ', '.join(k + ': ' + js_inspect(x, depth + 1) for k, x in v.items()) + ' }'

def js_message(message, variables):
  # graphql-core's messages quote with ' and print Python values; graphql-js's quote with " and
  # print JavaScript values. Translate the kinds these cases produce.
  m = re.match(r"Variable '\$(\w+)' got invalid value (.*?)(?: at '([^']*)')?; (.*)$", message)
  if m:
    name, _, path, rest = m.groups()
    value = variables[name]
    if path:
      for key in re.findall(r"\.(\w+)|\[(\d+)\]", path[len(name):]):
        value = value[key[0]] if key[0] else value[int(key[1])]
    head = 'Variable "$%s" got invalid value %s' % (name, js_inspect(value))
    if path: head += ' at "%s"' % path
    return head + '; ' + js_message(rest, variables)
  message = re.sub(r"'([^']*)'", lambda g: '"' + g.group(1) + '"', message)
  message = message.replace('not to be None.', 'not to be null.')
  message = re.sub(r': (True|False|None)$', lambda g: ': ' + {'True': 'true', 'False': 'false', 'None': 'null'}[g.group(1)], message)
  message = message.replace('to be a mapping.', 'to be an object.')
  message = message.replace('"resolve_type"', '"resolveType"').replace('"is_type_of"', '"isTypeOf"')
  return message

def run(schema, root, cases):
  out = []
  for name, query, variables, op in cases:
    # Not validated (execute_test.cc runs the executor alone, as these tests do).
    r = execute_sync(schema, parse(query), root_value=root, variable_values=variables,
                     operation_name=op)
    res = {}
    if r.errors:
      res['errors'] = [e.formatted for e in r.errors]
      for e in res['errors']:
        e['message'] = js_message(e['message'], variables or {})
    res['data'] = r.data
    # graphql-core reports request errors (no operation, bad variables) with "data": null;
    # graphql-js and the spec leave "data" out, as Execute does.
    if r.data is None and r.errors and not any('path' in e for e in res['errors']):
      del res['data']
    out.append({'name': name, 'query': query, 'variables': variables, 'operationName': op,
                'root': root, 'expected': res})
  return out

schema = build_schema(SCHEMA)
# Query.echo and Query.oneOf answer their coerced arguments as compact JSON text (execute_test.cc
# gives them the same resolver).
dump = lambda _source, _info, **args: json.dumps(args, separators=(',', ':'), ensure_ascii=False)
schema.query_type.fields['echo'].resolve = dump
schema.query_type.fields['oneOf'].resolve = dump
cases = run(schema, ROOT, CASES) + run(schema, {**ROOT, **SERIALIZE_ROOT}, SERIALIZE_CASES)
open('execution_cases.json', 'w').write(json.dumps({'schema': SCHEMA, 'cases': cases}, indent=1) + '\n')
