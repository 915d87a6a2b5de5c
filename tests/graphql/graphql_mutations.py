"""Generated differential cases: seeded, deterministic mutations of valid documents.

Each generated case takes a valid case (a document graphql-core accepts), parses it with
graphql-core, applies one to three mutations to the AST and prints it back, so that the rules are
exercised beyond hand-picked documents: a required argument dropped, a field or type condition
misspelled, a literal of the wrong kind, a variable unused or undefined or of another type, a
fragment cycle, an alias overlapping another field, a duplicated argument or operation, a
directive unknown or misplaced, a selection set removed or added. Some mutations keep the
document valid (a new alias, __typename), so execution is compared too.
"""

import copy
import random

from graphql import parse, print_ast
from graphql.language import ast as gast


def _walk(node, out):
    """Every node under node (depth first, source order)."""
    if isinstance(node, gast.Node):
        out.append(node)
        for key in node.keys:
            if key == "loc":
                continue
            _walk(getattr(node, key, None), out)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _walk(item, out)
    return out


def _freeze(node):
    """graphql-core's printer wants tuples where the mutations put lists."""
    if isinstance(node, gast.Node):
        for key in node.keys:
            if key == "loc":
                continue
            value = getattr(node, key, None)
            if isinstance(value, list):
                value = tuple(value)
                setattr(node, key, value)
            _freeze(value)
    elif isinstance(node, tuple):
        for item in node:
            _freeze(item)


def _nodes(document, kind):
    return [n for n in _walk(document, []) if isinstance(n, kind)]


def _name(value):
    return gast.NameNode(value=value)


def _misspell(rng, word):
    if len(word) < 2:
        return word + "x"
    i = rng.randrange(len(word) - 1)
    choice = rng.randrange(4)
    if choice == 0:  # swap two neighbours
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if choice == 1:  # drop one
        return word[:i] + word[i + 1:]
    if choice == 2:  # double one
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i].swapcase() + word[i + 1:]


def _literal(rng):
    choice = rng.randrange(10)
    if choice == 0:
        return gast.IntValueNode(value=str(rng.choice([0, 7, -3, 2147483648])))
    if choice == 1:
        return gast.FloatValueNode(value=rng.choice(["1.5", "-0.25", "3e2"]))
    if choice == 2:
        return gast.StringValueNode(value=rng.choice(["x", "SIT", "123", ""]), block=False)
    if choice == 3:
        return gast.BooleanValueNode(value=rng.choice([True, False]))
    if choice == 4:
        return gast.EnumValueNode(value=rng.choice(["SIT", "HEEL", "JUMP", "NOPE", "DOWN"]))
    if choice == 5:
        return gast.NullValueNode()
    if choice == 6:
        return gast.ListValueNode(values=[_literal(rng) for _ in range(rng.randrange(3))])
    if choice == 7:
        return gast.ObjectValueNode(fields=[
            gast.ObjectFieldNode(name=_name(rng.choice(["name", "owner", "nmae", "cat", "dog"])),
                                 value=_literal(rng)) for _ in range(rng.randrange(3))])
    if choice == 8:
        return gast.IntValueNode(value="123")
    return gast.StringValueNode(value="Fido", block=False)


def _field_names(document):
    return sorted({f.name.value for f in _nodes(document, gast.FieldNode)})


# Each mutation changes the document in place and returns its name, or None when the document
# offers nothing to mutate that way.

def drop_argument(rng, doc):
    fields = [f for f in _nodes(doc, (gast.FieldNode, gast.DirectiveNode)) if f.arguments]
    if not fields:
        return None
    f = rng.choice(fields)
    args = list(f.arguments)
    del args[rng.randrange(len(args))]
    f.arguments = args
    return "drop argument"


def misspell_field(rng, doc):
    fields = _nodes(doc, gast.FieldNode)
    if not fields:
        return None
    f = rng.choice(fields)
    f.name = _name(_misspell(rng, f.name.value))
    return "misspell field"


def wrong_literal(rng, doc):
    holders = [n for n in _nodes(doc, (gast.ArgumentNode, gast.ObjectFieldNode))
               if not isinstance(n.value, gast.VariableNode)]
    if not holders:
        return None
    rng.choice(holders).value = _literal(rng)
    return "wrong literal"


def variable_for_literal(rng, doc):
    holders = _nodes(doc, (gast.ArgumentNode, gast.ObjectFieldNode))
    if not holders:
        return None
    name = rng.choice(["undefinedVar", "atOtherHomes", "dogCommand"])
    rng.choice(holders).value = gast.VariableNode(name=_name(name))
    return "variable for literal"


def unused_variable(rng, doc):
    ops = _nodes(doc, gast.OperationDefinitionNode)
    if not ops:
        return None
    op = rng.choice(ops)
    type_ = gast.NamedTypeNode(name=_name(rng.choice(["Int", "String", "Boolean", "Dog",
                                                      "FindDogInput", "Unknown"])))
    if rng.random() < 0.3:
        type_ = gast.NonNullTypeNode(type=type_)
    op.variable_definitions = list(op.variable_definitions or []) + [
        gast.VariableDefinitionNode(variable=gast.VariableNode(name=_name("unused")),
                                    type=type_, default_value=None, directives=[])]
    return "unused variable"


def retype_variable(rng, doc):
    defs = _nodes(doc, gast.VariableDefinitionNode)
    if not defs:
        return None
    d = rng.choice(defs)
    choice = rng.randrange(4)
    if choice == 0 and isinstance(d.type, gast.NonNullTypeNode):
        d.type = d.type.type
    elif choice == 1 and not isinstance(d.type, gast.NonNullTypeNode):
        d.type = gast.NonNullTypeNode(type=d.type)
    elif choice == 2:
        d.type = gast.ListTypeNode(type=d.type)
    else:
        d.type = gast.NamedTypeNode(name=_name(rng.choice(["Int", "Boolean", "String",
                                                           "DogCommand", "CatInput"])))
    return "retype variable"


def fragment_cycle(rng, doc):
    fragments = _nodes(doc, gast.FragmentDefinitionNode)
    if not fragments:
        return None
    a = rng.choice(fragments)
    b = rng.choice(fragments)
    for x, y in ((a, b), (b, a)):
        x.selection_set.selections = list(x.selection_set.selections) + [
            gast.FragmentSpreadNode(name=_name(y.name.value), directives=[])]
        if a is b:
            break
    return "fragment cycle"


def overlapping_alias(rng, doc):
    sets = [s for s in _nodes(doc, gast.SelectionSetNode)
            if any(isinstance(x, gast.FieldNode) for x in s.selections)]
    if not sets:
        return None
    s = rng.choice(sets)
    target = rng.choice([x for x in s.selections if isinstance(x, gast.FieldNode)])
    response = (target.alias or target.name).value
    other = copy.deepcopy(target)
    choice = rng.randrange(3)
    if choice == 0:  # another field under the same response name
        names = [n for n in _field_names(doc) if n != target.name.value] or ["name"]
        other.name = _name(rng.choice(names))
        other.selection_set = None
        other.arguments = []
    elif choice == 1:  # the same field with other arguments
        other.arguments = list(other.arguments or []) + [
            gast.ArgumentNode(name=_name("extra"), value=_literal(rng))]
    else:  # the same field again
        pass
    other.alias = _name(response)
    s.selections = list(s.selections) + [other]
    return "overlapping alias"


def fresh_alias(rng, doc):
    fields = _nodes(doc, gast.FieldNode)
    if not fields:
        return None
    rng.choice(fields).alias = _name("a" + str(rng.randrange(100)))
    return "fresh alias"


def add_typename(rng, doc):
    sets = _nodes(doc, gast.SelectionSetNode)
    if not sets:
        return None
    s = rng.choice(sets)
    s.selections = list(s.selections) + [gast.FieldNode(name=_name("__typename"), arguments=[],
                                                        directives=[])]
    return "add __typename"


def duplicate_argument(rng, doc):
    holders = [f for f in _nodes(doc, (gast.FieldNode, gast.DirectiveNode)) if f.arguments]
    if not holders:
        return None
    f = rng.choice(holders)
    f.arguments = list(f.arguments) + [copy.deepcopy(rng.choice(f.arguments))]
    return "duplicate argument"


def add_directive(rng, doc):
    holders = _nodes(doc, (gast.FieldNode, gast.OperationDefinitionNode, gast.InlineFragmentNode,
                           gast.FragmentSpreadNode, gast.FragmentDefinitionNode))
    if not holders:
        return None
    h = rng.choice(holders)
    choice = rng.randrange(4)
    if choice == 0:
        d = gast.DirectiveNode(name=_name("skip"), arguments=[
            gast.ArgumentNode(name=_name("if"), value=gast.BooleanValueNode(value=False))])
    elif choice == 1:
        d = gast.DirectiveNode(name=_name("include"), arguments=[])
    elif choice == 2:
        d = gast.DirectiveNode(name=_name("unknown"), arguments=[])
    else:
        d = gast.DirectiveNode(name=_name("deprecated"), arguments=[
            gast.ArgumentNode(name=_name("reason"), value=_literal(rng))])
    h.directives = list(h.directives or []) + [d]
    return "add directive"


def misspell_type_condition(rng, doc):
    holders = [n for n in _nodes(doc, (gast.InlineFragmentNode, gast.FragmentDefinitionNode))
               if n.type_condition]
    if not holders:
        return None
    h = rng.choice(holders)
    if rng.random() < 0.5:
        h.type_condition = gast.NamedTypeNode(name=_name(_misspell(rng, h.type_condition.name.value)))
    else:
        h.type_condition = gast.NamedTypeNode(name=_name(rng.choice(
            ["Dog", "Cat", "Pet", "Human", "Alien", "CatOrDog", "Sentient", "Int", "Query"])))
    return "change type condition"


def misspell_spread(rng, doc):
    spreads = _nodes(doc, gast.FragmentSpreadNode)
    if not spreads:
        return None
    s = rng.choice(spreads)
    s.name = _name(_misspell(rng, s.name.value))
    return "misspell spread"


def drop_selection_set(rng, doc):
    fields = [f for f in _nodes(doc, gast.FieldNode) if f.selection_set]
    if not fields:
        return None
    rng.choice(fields).selection_set = None
    return "drop selection set"


def add_selection_set(rng, doc):
    fields = [f for f in _nodes(doc, gast.FieldNode) if not f.selection_set]
    if not fields:
        return None
    rng.choice(fields).selection_set = gast.SelectionSetNode(selections=[
        gast.FieldNode(name=_name(rng.choice(["name", "sinceWhen"])), arguments=[],
                       directives=[])])
    return "add selection set"


def duplicate_definition(rng, doc):
    definitions = list(doc.definitions)
    if not definitions:
        return None
    d = copy.deepcopy(rng.choice(definitions))
    if isinstance(d, gast.OperationDefinitionNode) and rng.random() < 0.5:
        d.name = None
    doc.definitions = definitions + [d]
    return "duplicate definition"


MUTATIONS = [drop_argument, misspell_field, wrong_literal, variable_for_literal, unused_variable,
             retype_variable, fragment_cycle, overlapping_alias, fresh_alias, add_typename,
             duplicate_argument, add_directive, misspell_type_condition, misspell_spread,
             drop_selection_set, add_selection_set, duplicate_definition]


def generate(seeds, count, seed=16):
    """`count` cases mutated from the valid cases `seeds` (deterministic for a given seed)."""
    rng = random.Random(seed)
    seeds = sorted(seeds, key=lambda c: c["name"])
    cases = []
    attempts = 0
    while len(cases) < count and attempts < count * 10:
        attempts += 1
        base = rng.choice(seeds)
        doc = parse(base["query"], no_location=True)
        applied = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            name = rng.choice(MUTATIONS)(rng, doc)
            if name:
                applied.append(name)
        if not applied:
            continue
        _freeze(doc)
        case = dict(base)
        case["query"] = print_ast(doc)
        case["name"] = f"generated {len(cases)} from [{base['name']}]: {', '.join(applied)}"
        cases.append(case)
    return cases
