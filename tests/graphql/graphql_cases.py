"""The differential cases of the GraphQL engine: reading them from src/graphql/testdata/, and
running one through graphql-core (the reference implementation) the way graphql_tool runs it
through ours.

A case is a dict: schema (SDL text), query (document text), and optionally variables,
operationName, root (the root value: resolvers read fields from it by name) and appsync (the
AppSync scalars and @aws_* directives are predeclared; graphql-core gets them declared in SDL).
A string "__error:<message>" in the root data makes the resolver of that field raise <message>.

Case files (src/graphql/testdata/cases/):
- *.graphql: header lines `# schema: <file under schemas/>`, `# root: <file under roots/>`,
  `# appsync: true`; then cases, each opened by `# case: <name>` and optionally followed by
  `# variables: <JSON>`, `# operationName: <name>`, `# root: <file>` lines; the case's document is
  every line up to the next `# case:`.
- *.json: a list of case objects; "schema_file" may name a file under schemas/ instead of
  "schema"; "root_file" a file under roots/ instead of "root".
"""

import json
import os
import re
import sys

TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "graphql",
                        "testdata")

# What AppSync predeclares (graphql-core gets it as SDL in front of the case's schema).
APPSYNC_PRELUDE = """
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_oidc on FIELD_DEFINITION | OBJECT
directive @aws_lambda on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String]) on FIELD_DEFINITION | OBJECT
"""


def _read(*parts):
    with open(os.path.join(TESTDATA, *parts), encoding="utf-8") as f:
        return f.read()


def _root(name):
    return json.loads(_read("roots", name))


_CASE = re.compile(r"^# case: (.*)$")
_OPTION = re.compile(r"^# (schema|root|appsync|variables|operationName): (.*)$")


def parse_graphql_cases(text, source):
    """The cases of one *.graphql case file (format in the module comment)."""
    defaults = {}
    cases = []
    current = None
    body = []

    def finish():
        if current is not None:
            current["query"] = "\n".join(body).strip("\n") + "\n"
            cases.append(current)

    for line in text.split("\n"):
        m = _CASE.match(line)
        if m:
            finish()
            current = dict(defaults)
            current["name"] = f"{source}: {m.group(1)}"
            body = []
            continue
        m = _OPTION.match(line)
        if m and (current is None or not body):
            key, value = m.group(1), m.group(2).strip()
            target = defaults if current is None else current
            if key == "schema":
                target["schema"] = _read("schemas", value)
            elif key == "root":
                target["root"] = _root(value)
            elif key == "appsync":
                target["appsync"] = value == "true"
            elif key == "variables":
                target["variables"] = json.loads(value)
            else:
                target[key] = value
            continue
        if current is not None:
            body.append(line)
    finish()
    return cases


def load_file(name):
    """The cases of src/graphql/testdata/cases/<name>."""
    text = _read("cases", name)
    if name.endswith(".graphql"):
        return parse_graphql_cases(text, name)
    cases = []
    for raw in json.loads(text):
        case = dict(raw)
        case["name"] = f"{name}: {raw['name']}"
        if "schema_file" in case:
            case["schema"] = _read("schemas", case.pop("schema_file"))
        if "root_file" in case:
            case["root"] = _root(case.pop("root_file"))
        cases.append(case)
    return cases


def case_files():
    return sorted(f for f in os.listdir(os.path.join(TESTDATA, "cases"))
                  if f.endswith(".graphql") or f.endswith(".json"))


def schema_text(case):
    return (APPSYNC_PRELUDE if case.get("appsync") else "") + case["schema"]


def request_line(case):
    """The JSON request graphql_tool reads for this case."""
    request = {"schema": case["schema"], "query": case["query"]}
    for key in ("variables", "operationName", "root", "appsync"):
        if key in case:
            request[key] = case[key]
    return json.dumps(request)


# --- graphql-core ------------------------------------------------------------------------------

def js_inspect(value, seen=()):
    """graphql-js's inspect(), which graphql-core renders with Python's repr ('ten', None,
    {'a': 1}): the values inside messages are compared in graphql-js's form."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if len(seen) + 1 > 2:
            return "[Array]"
        items = [js_inspect(v, seen + (value,)) for v in value[:10]]
        if len(value) - 10 == 1:
            items.append("... 1 more item")
        elif len(value) > 11:
            items.append(f"... {len(value) - 10} more items")
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        if len(seen) + 1 > 2:
            return "[Object]"
        return "{ " + ", ".join(f"{k}: {js_inspect(v, seen + (value,))}"
                                for k, v in value.items()) + " }"
    return _original_inspect(value)


_original_inspect = None


def _use_js_inspect():
    """Makes graphql-core's messages render values as graphql-js does (see js_inspect)."""
    global _original_inspect
    import graphql.pyutils
    if _original_inspect is not None:
        return
    _original_inspect = graphql.pyutils.inspect
    for name, module in list(sys.modules.items()):
        if name.startswith("graphql") and getattr(module, "inspect", None) is _original_inspect:
            module.inspect = js_inspect


def js_message(message):
    """graphql-js's wording of a graphql-core message (the engine speaks graphql-js's, as
    docs/graphql.md says): names quoted with " instead of ', directive locations as their enum
    names ("may not be used on QUERY."), Python's None/True/False and "mapping" as JavaScript's."""
    message = re.sub(r"'([^']*)'", lambda m: '"' + m.group(1) + '"', message)
    message = re.sub(r"may not be used on ([a-z ]+)\.$",
                     lambda m: "may not be used on " + m.group(1).upper().replace(" ", "_") + ".",
                     message)
    message = message.replace(" not to be None.", " not to be null.")
    message = re.sub(r": (True|False|None)$",
                     lambda m: ": " + {"True": "true", "False": "false", "None": "null"}[m.group(1)],
                     message)
    message = message.replace('"resolve_type"', '"resolveType"')
    message = message.replace('"is_type_of"', '"isTypeOf"')
    return message.replace("to be a mapping.", "to be an object.")

_schemas = {}


def _schema(graphql, case):
    text = schema_text(case)
    if text not in _schemas:
        _schemas[text] = graphql.build_schema(text)
    return _schemas[text]


def _resolve(source, info, **_args):
    """The root-data resolver both sides implement: a field's value is the source's member of the
    field's name; a string "__error:<m>" raises <m>."""
    if isinstance(source, dict):
        value = source.get(info.field_name)
    else:
        value = None
    if isinstance(value, str) and value.startswith("__error:"):
        raise Exception(value[len("__error:"):])
    return value


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _location(body, position):
    """Line and column of a position as graphql-js and the spec count them (graphql-core's
    str.splitlines() moves a node that starts a line to the end of the previous one)."""
    line, line_start = 1, 0
    for m in _LINE_BREAK.finditer(body, 0, position):
        line += 1
        line_start = m.end()
    return {"line": line, "column": position - line_start + 1}


def _formatted(errors):
    out = []
    for e in errors:
        f = {"message": js_message(e.message)}
        if e.positions and e.source is not None:
            f["locations"] = [_location(e.source.body, p) for p in e.positions]
        elif e.locations:
            f["locations"] = [{"line": loc.line, "column": loc.column} for loc in e.locations]
        if e.path is not None:
            f["path"] = list(e.path)
        out.append(f)
    return out


def run_reference(case):
    """What graphql-core answers for the case, in graphql_tool's output shape: {"errors": [...]}
    when the request fails before execution (syntax, validation, variables, operation choice),
    else {"data": ..., "errors"?: [...]}."""
    import graphql
    from graphql.execution.execute import ExecutionContext

    _use_js_inspect()
    schema = _schema(graphql, case)
    try:
        document = graphql.parse(case["query"])
    except graphql.GraphQLError as e:
        return {"errors": _formatted([e])}
    errors = graphql.validate(schema, document)
    if errors:
        return {"errors": _formatted(errors)}
    context = ExecutionContext.build(schema, document, case.get("root"), None,
                                     case.get("variables"), case.get("operationName"),
                                     field_resolver=_resolve)
    if isinstance(context, list):
        return {"errors": _formatted(context)}
    result = graphql.execute(schema, document, case.get("root"), None, case.get("variables"),
                             case.get("operationName"), field_resolver=_resolve)
    out = {"data": result.data}
    if result.errors:
        out["errors"] = _formatted(result.errors)
    return out


def same_json(a, b):
    """JSON equality where an integer equals the same number as a float (graphql-core prints a
    Float field's 1.0 as 1.0; JSON does not tell them apart), but booleans are not numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b
