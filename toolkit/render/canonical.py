"""When docxtpl's per-report tree pass provably changes nothing, so a report can skip it.

After Jinja, docxtpl turns line breaks and tabs in the text into Word markup, parses the body
with lxml (recovering from broken markup), widens or narrows table grids to the cells each row
has, renumbers drawing ids and serializes the tree again. For a body that is already the XML
lxml would write, with no control characters, no table whose rows Jinja can change and no
drawings, every one of those steps gives back its input. Whether a template can only produce
such bodies is decided once, from its Jinja syntax tree; the few things only the data decides
(an empty value leaving ``<w:t></w:t>``, a quote escaped as ``&#34;``, a line break) are looked
for in each rendered body, which then takes the full path.
"""

from __future__ import annotations

import re

from jinja2 import Environment, nodes

# What a static piece may contain: text, and start, end or empty tags as lxml writes them.
_PIECE = re.compile(r"(?:[^<>]+|<[^<>]*>)*")
_TOKEN = re.compile(r"<[^<>]*>|[^<>]+")
_ATTRIBUTE_VALUE = r'"(?:[^"<>&\n\r\t]|&(?:amp|lt|gt|quot|#10|#13|#9);)*"'
_TAG = re.compile(rf"<(/?)([A-Za-z_][\w.-]*(?::[\w.-]+)?)((?: [\w.:-]+={_ATTRIBUTE_VALUE})*)(/?)>")
_TEXT = re.compile(r"(?:[^&<>\r]|&(?:amp|lt|gt);)*")
# Expressions whose output Jinja's autoescape turns into plain text (no call, no markup filter).
_EXPRESSIONS = (nodes.Name, nodes.Getattr, nodes.Getitem, nodes.Const, nodes.CondExpr, nodes.Compare,
                nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Test, nodes.Filter, nodes.Concat)
_WHITESPACE_CONTROL = re.compile(r"\{[%{#][-+]|[-+][%}#]\}")
_PLAIN_TYPES = {str, int, float, bool, type(None)}
_TEXT_FILTERS = {"default", "d", "string", "trim", "upper", "lower", "title", "capitalize", "int", "float",
                 "length", "count", "replace", "join", "first", "last", "round", "abs", "truncate", "center",
                 # the sandbox's bounds on loops and joined text (render/sandbox.py) return their argument
                 "_bounded_loop", "_bounded_text"}
# In a rendered body: control characters (lxml rewrites line ends and tabs, drops the rest;
# docxtpl turns some into Word markup), U+FFFE/U+FFFF (not XML), character references (lxml writes
# them as characters), docxtpl's escaped braces ({_{ and the like, which it restores) and,
# searched in the reversed body, a start tag right before its end tag (lxml writes <x/>).
_CONTROL = bytes(range(32))
_NOT_CHARACTER = "\ufffe".encode()[:2]  # the shared start of U+FFFE and U+FFFF in UTF-8
_ESCAPED_BRACES = (b"{_{", b"}_}", b"{_%", b"%_}")
_EMPTY_ELEMENT_REVERSED = re.compile(rb"/<>[^/<>](?:[^<>]*[^/<>])?<")


def body_is_plain(environment: Environment, source: str) -> bool:
    """True when every rendering of ``source`` is balanced lxml-written XML whose text comes from
    escaped values, whose tables Jinja cannot reshape and which has no drawings — and when the
    line docxtpl starts before each paragraph (and removes after Jinja) cannot change what Jinja
    does, as no whitespace control or line statement can see it."""
    if "docPr" in source or _WHITESPACE_CONTROL.search(source) or environment.trim_blocks \
            or environment.lstrip_blocks or environment.line_statement_prefix or environment.line_comment_prefix:
        return False
    try:
        template = environment.parse(source)
    except Exception:  # a syntax error is reported by the full path
        return False
    return _balanced(template.body)


def rendered_is_plain(xml: bytes) -> bool:
    """True when lxml would write this rendered body (UTF-8) exactly as it is."""
    if len(xml.translate(None, _CONTROL)) != len(xml) or b"&#" in xml:
        return False
    if _NOT_CHARACTER in xml and ("\ufffe".encode() in xml or "\uffff".encode() in xml):
        return False
    if b"_" in xml and any(braces in xml for braces in _ESCAPED_BRACES):
        return False
    return _EMPTY_ELEMENT_REVERSED.search(xml[::-1]) is None


def values_are_plain(values) -> bool:
    """True when the values are text, numbers and containers of them: nothing autoescape passes
    through as markup."""
    kind = type(values)
    if kind is dict:
        return all(map(values_are_plain, values.values())) and all(type(key) is str for key in values)
    if kind is list or kind is tuple:
        return all(map(values_are_plain, values))
    return kind in _PLAIN_TYPES


def _balanced(body: list[nodes.Node]) -> bool:
    """True when a block's tags all close within it and everything in it is provably plain.
    Blocks (if/for) must sit outside tables: repeating or dropping rows or cells is what
    docxtpl's table pass repairs."""
    open_tags: list[str] = []
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    if not _feed(child.data, open_tags):
                        return False
                elif not _plain_expression(child):
                    return False
        elif isinstance(node, (nodes.If, nodes.For)):
            if "w:tbl" in open_tags or not _plain_block(node):
                return False
        else:
            return False
    return not open_tags


def _plain_block(node: nodes.If | nodes.For) -> bool:
    if isinstance(node, nodes.For):
        if node.recursive or not _plain_expression(node.iter) or (node.test and not _plain_expression(node.test)):
            return False
        blocks = [node.body, node.else_]
    else:
        if not _plain_expression(node.test) or any(not _plain_expression(e.test) for e in node.elif_):
            return False
        blocks = [node.body, *(e.body for e in node.elif_), node.else_]
    return all(_balanced(block) for block in blocks)


def _plain_expression(node: nodes.Node) -> bool:
    for inner in (node, *node.find_all(nodes.Node)):
        if isinstance(inner, nodes.Filter) and inner.name not in _TEXT_FILTERS:
            return False
        if not isinstance(inner, (*_EXPRESSIONS, nodes.Keyword, nodes.Tuple, nodes.List)):
            return False
    return isinstance(node, _EXPRESSIONS)


def _feed(piece: str, open_tags: list[str]) -> bool:
    """Follows a static piece's tags on the stack; False for anything lxml would write otherwise."""
    if not _PIECE.fullmatch(piece):
        return False
    for token in _TOKEN.findall(piece):
        if not token.startswith("<"):
            if not _TEXT.fullmatch(token):
                return False
            continue
        tag = _TAG.fullmatch(token)
        if tag is None:
            return False
        closing, name, _, empty = tag.groups()
        if closing:
            if empty or not open_tags or open_tags.pop() != name:
                return False
        elif not empty:
            open_tags.append(name)
    return True
