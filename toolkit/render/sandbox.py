"""The Jinja environment agency templates run in: they can fill the report and nothing else.

A template comes from an office's own Word file, so it is untrusted input. Beyond Jinja's sandbox
(no attributes starting with ``_``, no Python internals), what a template may do is narrowed to
what filling a report needs, and every render runs within a budget:

* refused when the template is compiled, so ``template check`` refuses it too: include, import,
  extends, macros and call blocks, recursive loops, switching autoescape off, filters outside a
  short list, and attribute names starting with ``_``;
* refused while rendering: calling anything but ``range`` and a few string methods, a range or a
  string, list or number grown past its bound (checked before the memory is taken), more loop
  iterations, more output or more time than any report needs.
"""

from __future__ import annotations

import contextvars
import math
import re
import time
from dataclasses import dataclass

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.sandbox import SandboxedEnvironment

MAX_RANGE = 10_000  # items in one range()
MAX_SIZE = 1_000_000  # characters of one string, items of one list
MAX_NUMBER_BITS = 128  # a number computed by ** stays below 2**128
MAX_ITERATIONS = 200_000  # loop iterations in one render of one document part
MAX_OUTPUT = 30_000_000  # characters one document part may render to
MAX_SECONDS = 5.0  # wall time of one render of one document part
MAX_BRACKET_DEPTH = 32  # brackets open at once in one expression: Jinja's parser recurses on each
MAX_BLOCK_DEPTH = 12  # {% for %}/{% if %}… open at once: a report template nests three or four
_BLOCKS = frozenset({"for", "if", "with", "filter", "block", "macro", "call", "autoescape", "raw", "trans"})

SAFE_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "e", "escape", "first", "float", "int", "join", "last",
    "length", "list", "lower", "replace", "round", "string", "sum", "title", "trim", "truncate", "upper",
)
SAFE_METHODS = frozenset({
    "strip", "lstrip", "rstrip", "upper", "lower", "title", "capitalize", "startswith", "endswith",
    "items", "keys", "values", "get",
})
_FORBIDDEN_TAGS = {
    nodes.Include: "{% include %}", nodes.Import: "{% import %}", nodes.FromImport: "{% from … import %}",
    nodes.Extends: "{% extends %}", nodes.Macro: "{% macro %}", nodes.CallBlock: "{% call %}",
    nodes.Block: "{% block %}", nodes.EvalContextModifier: "{% autoescape %}",
    nodes.ScopedEvalContextModifier: "{% autoescape %}",
}
_FORMAT_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class TemplateRefused(SecurityError):
    """A template that tries something beyond filling the report, or beyond the render budget."""

    def __init__(self, message: str, lineno: int | None = None):
        super().__init__(message)
        self.lineno = lineno


@dataclass
class _Budget:
    deadline: float
    iterations: int = 0
    output: int = 0

    def tick(self, iterations: int = 0, output: int = 0) -> None:
        self.iterations += iterations
        self.output += output
        if self.iterations > MAX_ITERATIONS:
            raise TemplateRefused(f"模板中的循环次数超过上限（{MAX_ITERATIONS} 次），已停止。")
        if self.output > MAX_OUTPUT:
            raise TemplateRefused(f"模板生成的内容超过上限（{MAX_OUTPUT // 1_000_000} 百万字符），已停止。")
        if time.monotonic() > self.deadline:
            raise TemplateRefused(f"模板填写超过时间上限（{MAX_SECONDS:g} 秒），已停止。")


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("template_budget", default=None)


def _tick(**spent: int) -> None:
    budget = _budget.get()
    if budget is not None:
        budget.tick(**spent)


def _too_big(what: str) -> TemplateRefused:
    return TemplateRefused(f"模板中的{what}超过上限（{MAX_SIZE} 个字符或元素），已拒绝。")


def _size(value) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _weight(value, limit: int = MAX_SIZE) -> int:
    """About the characters ``value`` prints as: a list of a thousand 1 MB strings weighs a
    thousand million, though its length is a thousand. Counting stops past ``limit``."""
    total, pending = 0, [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + len(item)
            pending.extend(item)
        elif isinstance(item, dict):
            total += 2 + len(item)
            pending.extend(item.keys())
            pending.extend(item.values())
        else:
            total += 8
    return total


def _checked(value):
    if (_size(value) or 0) > MAX_SIZE or (isinstance(value, (list, tuple)) and _weight(value) > MAX_SIZE):
        raise _too_big("文字或列表")
    return value


def _bounded_output(value):
    """Each {{ … }} before it is turned into text: its printed size checked first."""
    if _weight(value) > MAX_SIZE:
        raise _too_big("输出的内容")
    return value


def refuse_deep_nesting(tokens) -> None:
    """Brackets and blocks nested past what any report needs, refused from the token stream,
    before Jinja's parser (which recurses per level) or Python's compiler (which stops at 20
    nested blocks) can fail on them."""
    brackets = blocks = 0
    after_block_start = False
    for token in tokens:
        if token.type in ("lparen", "lbracket", "lbrace"):
            brackets += 1
            if brackets > MAX_BRACKET_DEPTH:
                raise TemplateRefused(f"模板中的表达式括号嵌套超过 {MAX_BRACKET_DEPTH} 层，已拒绝。", token.lineno)
        elif token.type in ("rparen", "rbracket", "rbrace"):
            brackets = max(0, brackets - 1)
        elif after_block_start and token.type == "name":
            if token.value in _BLOCKS:
                blocks += 1
                if blocks > MAX_BLOCK_DEPTH:
                    raise TemplateRefused(f"模板中的 {{% for %}}、{{% if %}} 等嵌套超过 {MAX_BLOCK_DEPTH} 层，已拒绝。",
                                          token.lineno)
            elif token.value.startswith("end") and token.value[3:] in _BLOCKS:
                blocks = max(0, blocks - 1)
        after_block_start = token.type == "block_begin"


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateRefused(f"模板中的 range() 有 {len(numbers)} 项，超过上限（{MAX_RANGE} 项），已拒绝。")
    return numbers


def _bounded_loop(items):
    """Every loop of a template iterates through this, so loops spend the budget as they go."""
    if isinstance(items, jinja2.Undefined):
        yield from items
        return
    for item in items:
        _tick(iterations=1)
        yield item


@jinja2.pass_eval_context
def _join(eval_ctx, value, separator="", attribute=None):
    items = list(value)
    if len(items) > MAX_SIZE:
        raise _too_big("列表")
    if sum(len(str(item)) for item in items) + len(str(separator)) * max(0, len(items) - 1) > MAX_SIZE:
        raise _too_big("连接后的文字")
    return jinja2.filters.do_join(eval_ctx, items, separator, attribute)


@jinja2.pass_eval_context
def _replace(eval_ctx, value, old, new, count=None):
    text, old, new = str(value), str(old), str(new)
    grows = text.count(old) * max(0, len(new) - len(old)) if old else (len(text) + 1) * len(new)
    if len(text) + grows > MAX_SIZE:
        raise _too_big("替换后的文字")
    return jinja2.filters.do_replace(eval_ctx, value, old, new, count)


def _bounded_binop(operator: str, left, right):
    """The size an operator would produce, checked before it is computed."""
    if operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if _size(sequence) is not None and isinstance(times, int) and \
                    _weight(sequence, MAX_SIZE // max(times, 1)) * max(times, 0) > MAX_SIZE:
                raise _too_big("重复后的文字或列表")
    elif operator == "**" and isinstance(left, (int, float)) and isinstance(right, (int, float)):
        if abs(left) > 1 and right > 0 and right * math.log2(abs(left)) > MAX_NUMBER_BITS:
            raise TemplateRefused(f"模板中的乘方 {left!r} ** {right!r} 过大，已拒绝。")
    elif operator == "%" and isinstance(left, str):
        for width, precision in _FORMAT_WIDTH.findall(left):
            if "*" in (width, precision) or int(width or 0) > MAX_SIZE or int(precision or 0) > MAX_SIZE:
                raise _too_big("格式化宽度")
    elif operator == "+" and _size(left) is not None and _weight(left) + _weight(right) > MAX_SIZE:
        raise _too_big("相加后的文字或列表")
    _tick()


class _Checks:
    """Walks a parsed template: refuses what a report template may not do, wraps what it may."""

    def __init__(self, filters: set[str]):
        self.filters = filters

    def refuse_forbidden(self, tree: nodes.Template) -> None:
        for node in tree.find_all(nodes.Node):
            for kind, tag in _FORBIDDEN_TAGS.items():
                if isinstance(node, kind):
                    raise TemplateRefused(f"模板中不允许使用 {tag}：模板只能填写报告内容。", node.lineno)
            if isinstance(node, nodes.For) and node.recursive:
                raise TemplateRefused("模板中不允许使用递归循环（recursive）。", node.lineno)
            if isinstance(node, nodes.Filter) and node.name not in self.filters:
                raise TemplateRefused(f"模板中不允许使用过滤器“{node.name}”（可用：{'、'.join(SAFE_FILTERS)}）。", node.lineno)
            name = node.attr if isinstance(node, nodes.Getattr) else (
                node.arg.value if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) else None)
            if isinstance(name, str) and name.startswith("_"):
                raise TemplateRefused(f"模板中不允许访问内部属性“{name}”。", node.lineno)

    @staticmethod
    def wrap(tree: nodes.Template) -> None:
        for loop in list(tree.find_all(nodes.For)):
            loop.iter = nodes.Filter(loop.iter, "_bounded_loop", [], [], None, None, lineno=loop.lineno)
        for parent in list(tree.find_all(nodes.Node)):
            for name in parent.fields:
                child = getattr(parent, name, None)
                if isinstance(child, nodes.Concat):
                    setattr(parent, name, nodes.Filter(child, "_bounded_text", [], [], None, None, lineno=child.lineno))
                elif isinstance(child, list):
                    for i, item in enumerate(child):
                        if isinstance(item, nodes.Concat):
                            child[i] = nodes.Filter(item, "_bounded_text", [], [], None, None, lineno=item.lineno)


class ReportSandbox(SandboxedEnvironment):
    """Templates fill the report and nothing else; a name the data lacks is an error, not a blank.

    Each source is compiled once: docxtpl asks for the same sources for every report.
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self):
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=True, finalize=_bounded_output)
        self.filters = {name: self.filters[name] for name in SAFE_FILTERS}
        self.filters.update(join=_join, replace=_replace,
                            _bounded_loop=_bounded_loop, _bounded_text=_checked)
        self.globals = {"range": bounded_range}
        self._checks = _Checks(set(SAFE_FILTERS))
        self._compiled: dict[str, jinja2.Template] = {}
        self.concat = self._budgeted_concat

    def from_string(self, source, globals=None, template_class=None):
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source)
        return compiled

    def _parse(self, source, name, filename):
        refuse_deep_nesting(self._tokenize(source, name, filename))
        tree = super()._parse(source, name, filename)
        self._checks.refuse_forbidden(tree)
        self._checks.wrap(tree)
        return tree

    def call_binop(self, context, operator, left, right):
        _bounded_binop(operator, left, right)
        return _checked(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        owner = getattr(__obj, "__self__", None)
        allowed = __obj is bounded_range or (
            getattr(__obj, "__name__", None) in SAFE_METHODS and isinstance(owner, (str, dict))
        ) or (isinstance(owner, LoopContext) and __obj.__name__ == "cycle")
        if not allowed:
            name = getattr(__obj, "__name__", type(__obj).__name__)
            raise TemplateRefused(f"模板中不允许调用“{name}”：模板只能填写报告内容。")
        _tick()
        return _checked(__context.call(__obj, *args, **kwargs))

    def _budgeted_concat(self, pieces) -> str:
        """Template.render's join, spending the render's budget as the output grows."""
        budget = _Budget(time.monotonic() + MAX_SECONDS)
        token = _budget.set(budget)
        try:
            out = []
            for piece in pieces:
                budget.tick(output=len(piece))
                out.append(piece)
            return "".join(out)
        finally:
            _budget.reset(token)



def environment() -> ReportSandbox:
    return ReportSandbox()
