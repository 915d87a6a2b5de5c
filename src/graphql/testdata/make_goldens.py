# Regenerates the golden files schema_test.cc compares against, from graphql-core (the Python
# port of graphql-js): python3 make_goldens.py (in this directory). Facts only: the outputs of
# print_schema and of the introspection query.
import json
from graphql import build_schema, print_schema, graphql_sync, get_introspection_query

cases = open('schema_cases.graphql').read().split('# ---\n')
# graphql-core rejects unknown directives; the cases declare theirs.
prints, intros = [], []
for sdl in cases:
    schema = build_schema(sdl)
    prints.append(print_schema(schema))
    r = graphql_sync(schema, get_introspection_query())
    assert not r.errors, r.errors
    intros.append(r.data)
open('schema_cases.printed.json', 'w').write(json.dumps(prints, indent=1) + '\n')
open('schema_cases.introspection.json', 'w').write(json.dumps(intros, indent=1) + '\n')
