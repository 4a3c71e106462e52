"""The one bounded sandbox for text a company writes and we render (the decision emails).

Jinja2's sandbox stops a template from reaching Python's internals, but not from working
forever or filling memory: `{{ 10**5000 }}`, `{% for i in range(10**9) %}`, nested loops or
`{{ "x" * 10**8 }}` would hold a Lambda until its timeout. Lambda runs one thread and a
signal-based timer works only on the main thread, so the bound is built from operations:

- every operation that can grow a value (`*`, `+`, `**`, `%`, `str.format`, amplifying filters
  and methods) is checked *before* it runs: no text or list over `VALUE_LIMIT` characters or
  items, no number over `NUMBER_LIMIT`, no function argument over `VALUE_LIMIT`;
- every loop round, call and filter is a step: at most `STEP_LIMIT` per render, and the
  wall clock is read at each step and operation (`TIME_LIMIT_SECONDS`);
- the output streams out of `generate()` and stops at the caller's `output_limit`;
- no recursive loops, includes, imports or inheritance; `range` counts at most `RANGE_LIMIT`.

Every refusal and every error a template raises becomes `TemplateProblem`, whose message
says in plain words what went wrong and on which line, for the caller to turn into a 422.
"""

from __future__ import annotations

import functools
import re
import string
import time
from functools import lru_cache
from typing import Any, NoReturn

VALUE_LIMIT = 20_000  # characters of any text, items of any list, any function argument
NUMBER_LIMIT = 10**15
RANGE_LIMIT = 1_000
STEP_LIMIT = 2_000  # loop rounds, calls and filters in one render
TIME_LIMIT_SECONDS = 1.0

# Filters a decision email may use (the rest of Jinja's are not needed to write a letter).
FILTERS = frozenset(
    {
        *("abs", "capitalize", "center", "count", "d", "default", "first", "float", "format"),
        *("indent", "int", "join", "last", "length", "list", "lower", "max", "min", "replace"),
        *("reverse", "round", "sort", "string", "sum", "title", "trim", "truncate", "unique"),
        *("upper", "wordcount", "wordwrap"),
    }
)
# String methods that can multiply their input beyond what the argument checks see.
REFUSED_METHODS = {"expandtabs", "translate", "maketrans", "format_map", "encode"}

TOO_LONG = (
    f"it builds a text over {VALUE_LIMIT:,} characters (or a list over {VALUE_LIMIT:,} items)"
)
# The filters the tree rewrite inserts (harmless if an author types them too).
COUNTED, CONCAT = "bounded.counted", "bounded.concat"

_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


class TemplateProblem(Exception):
    """A template cannot be rendered: `message` says why in plain words, `line` where."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.message = f"line {line}: {message}" if line else message
        super().__init__(self.message)


def render(text: str, context: dict[str, Any], output_limit: int = VALUE_LIMIT) -> str:
    """Render `text` with only `context` in reach, within the bounds above."""
    from jinja2 import TemplateError  # noqa: PLC0415 - jinja2 costs ~0.2 s: only renders pay

    environment = _environment_class()(_Budget())
    try:
        template = environment.from_string(_bounded_tree(environment, text))
        parts: list[str] = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > output_limit:
                raise TemplateProblem(f"the email would be longer than {output_limit:,} characters")
            parts.append(chunk)
        return "".join(parts)
    except TemplateProblem:
        raise
    except (
        TemplateError,  # syntax, unknown names, what the sandbox refuses, our limits
        ArithmeticError,  # 1/0, a float overflow
        LookupError,
        AttributeError,
        TypeError,
        ValueError,  # a number too long to print, a bad format
        RecursionError,  # a macro that calls itself
    ) as error:
        raise TemplateProblem(_words(error), _line_of(error)) from None


def unknown_names(text: str, allowed: set[str] | frozenset[str]) -> set[str]:
    """The names `text` reads that are neither in `allowed` nor set by the template itself.

    Checked on save, so that a name used only in a branch the samples never take (`{% if
    false %}{{ salary }}{% endif %}`) is refused too, not only the names a render reaches.
    A template that does not parse has none: rendering it says what is wrong.
    """
    from jinja2 import TemplateSyntaxError, meta  # noqa: PLC0415

    environment = _environment_class()(_Budget())
    try:
        read = meta.find_undeclared_variables(environment.parse(text))
    except TemplateSyntaxError:
        return set()
    return set(read) - set(allowed) - set(environment.globals)


class _Budget:
    """The steps and time one render may still use."""

    def __init__(self) -> None:
        self.steps = 0
        self.deadline = time.monotonic() + TIME_LIMIT_SECONDS

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            _refuse(f"it takes longer than {TIME_LIMIT_SECONDS:g} s to write")

    def step(self) -> None:
        self.steps += 1
        if self.steps > STEP_LIMIT:
            _refuse(f"it repeats too much work (over {STEP_LIMIT:,} loop rounds, calls or filters)")
        self.tick()


def _refuse(message: str) -> NoReturn:
    from jinja2.exceptions import SecurityError  # noqa: PLC0415

    raise SecurityError(message)


def _words(error: BaseException) -> str:
    if isinstance(error, ZeroDivisionError):
        return "division by zero"
    if isinstance(error, OverflowError):
        return "a number too large to work with"
    if isinstance(error, RecursionError):
        return "a macro calls itself too deeply"
    if isinstance(error, ValueError) and "digits" in str(error):
        return f"a number too large to write (over {len(str(NUMBER_LIMIT)) - 1} digits)"
    return str(error)


def _line_of(error: BaseException) -> int | None:
    """The template line an error came from (Jinja rewrites its traceback to say it)."""
    line = getattr(error, "lineno", None)
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


# --- checks before and after each operation ------------------------------------------------


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple | dict | set) else None


def _checked(value: Any) -> Any:
    size = _size(value)
    if size is not None and size > VALUE_LIMIT:
        _refuse(TOO_LONG)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > NUMBER_LIMIT:
        _refuse(f"a number too large to work with (over {NUMBER_LIMIT:,})")
    return value


def _check_argument(name: str, value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > VALUE_LIMIT:
        _refuse(f"{name}() was given {value:,}; arguments may be at most {VALUE_LIMIT:,}")


def _check_printf(text: str) -> None:
    for match in _PRINTF.finditer(text):
        for width in match.groups():
            if width == "*":
                _refuse("'*' widths in a % format are not allowed")
            if width and int(width) > VALUE_LIMIT:
                _refuse(f"a format width over {VALUE_LIMIT:,}")


def _check_format(text: str) -> None:
    for _, _, spec, _ in string.Formatter().parse(text):
        if spec and "{" in spec:
            _refuse("nested fields in a format are not allowed")
        for width in re.findall(r"\d+", spec or ""):
            if int(width) > VALUE_LIMIT:
                _refuse(f"a format width over {VALUE_LIMIT:,}")


def _check_length(name: str, length: int) -> None:
    if length > VALUE_LIMIT:
        _refuse(f"{name}(): {TOO_LONG}")


def _joined_size(items: Any, separator: str) -> int:
    return sum(len(str(item)) for item in items) + len(separator) * len(items)


def _replaced_size(text: str, old: str, new: str) -> int:
    found = len(text) + 1 if not old else len(text) // len(old)
    return len(text) + found * len(new)


def _check_text_method(name: str, text: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """String methods whose result can outgrow what the argument checks bound.

    Returns the arguments to call with (what a `join` joins, listed once to be measured).
    """
    if name in REFUSED_METHODS:
        _refuse(f"{name}() is not available in email templates")
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str):
        _check_length(name, _replaced_size(text, args[0], str(args[1])))
    if name == "join" and args:
        items = list(args[0])
        _check_length(name, _joined_size(items, text))
        args = (items, *args[1:])
    if name == "format":
        _check_format(text)
    return args


def _check_binop(operator: str, left: Any, right: Any) -> None:
    numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right))
    bits = abs(left).bit_length() * right if numbers and abs(left) > 1 else 0
    if operator == "**" and bits > NUMBER_LIMIT.bit_length():
        _refuse(f"a number too large to work with (over {NUMBER_LIMIT:,})")
    if operator == "*":
        sized, count = (left, right) if isinstance(right, int) else (right, left)
        length = _size(sized)
        if length is not None and isinstance(count, int) and length * count > VALUE_LIMIT:
            _refuse(TOO_LONG)
    if operator == "+":
        lengths = (_size(left), _size(right))
        if None not in lengths and sum(lengths) > VALUE_LIMIT:  # type: ignore[arg-type]
            _refuse(TOO_LONG)
    if operator == "%" and isinstance(left, str):
        _check_printf(left)


def _check_filter(name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Check a filter's arguments; returns the value to filter (a join's items, listed)."""
    if name != "format":
        for argument in (*args, *kwargs.values()):
            _check_argument(name, argument)
    text = str(value) if isinstance(value, str) else ""
    if name == "format":
        _check_printf(text)
    if name == "replace" and len(args) >= 2:
        _check_length(name, _replaced_size(text, str(args[0]), str(args[1])))
    if name == "indent":
        prefix = args[0] if args else kwargs.get("width", 4)
        width = len(prefix) if isinstance(prefix, str) else int(prefix)
        _check_length(name, len(text) + (text.count("\n") + 1) * width)
    if name == "wordwrap":
        wrap = kwargs.get("wrapstring") or (args[2] if len(args) > 2 else None) or "\n"
        _check_length(name, len(text) * (1 + len(str(wrap))))
    if name == "join":
        value = list(value) if not isinstance(value, str) else value
        _check_length(name, _joined_size(value, str(args[0] if args else kwargs.get("d", ""))))
    return value


# --- the environment -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment_class() -> Any:
    """Built on first use, so that importing this module does not import jinja2."""
    from jinja2 import StrictUndefined  # noqa: PLC0415
    from jinja2.sandbox import ImmutableSandboxedEnvironment  # noqa: PLC0415
    from jinja2.utils import _PassArg  # noqa: PLC0415

    class BoundedEnvironment(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

        def __init__(self, budget: _Budget) -> None:
            super().__init__(autoescape=False, undefined=StrictUndefined)
            self.budget = budget
            self.globals = {"range": _bounded_range, "dict": dict}
            self.filters = {name: self._bounded(name, self.filters[name]) for name in FILTERS}
            self.filters.update({COUNTED: self._counted, CONCAT: self._concat})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            self.budget.tick()
            _check_binop(operator, left, right)
            return _checked(self.binop_table[operator](left, right))

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            __self.budget.step()
            target = getattr(__obj, "__wrapped__", __obj)
            name = getattr(target, "__name__", "function")
            owner = getattr(target, "__self__", None)
            if isinstance(owner, str):
                args = _check_text_method(name, owner, args)
            if not (isinstance(owner, str) and name == "format"):
                for argument in (*args, *kwargs.values()):
                    _check_argument(name, argument)
            return _checked(super().call(__context, __obj, *args, **kwargs))

        def _concat(self, parts: list[Any]) -> str:
            """What `~` joins, checked before it is joined."""
            self.budget.tick()
            texts = [str(part) for part in parts]
            if sum(map(len, texts)) > VALUE_LIMIT:
                _refuse(TOO_LONG)
            return "".join(texts)

        def _counted(self, items: Any) -> Any:
            """What a `for` loop iterates: each round is a step."""
            for item in items:
                self.budget.step()
                yield item

        def _bounded(self, name: str, fn: Any) -> Any:
            passes = _PassArg.from_obj(fn) is not None

            @functools.wraps(fn)
            def bounded(*args: Any, **kwargs: Any) -> Any:
                self.budget.step()
                head, value, rest = args[:passes], args[passes], args[passes + 1 :]
                value = _check_filter(name, value, rest, kwargs)
                return _checked(fn(*head, value, *rest, **kwargs))

            return bounded

    return BoundedEnvironment


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > RANGE_LIMIT:
        _refuse(f"range() may count at most {RANGE_LIMIT:,} items")
    return numbers


_bounded_range.__name__ = "range"


def _bounded_tree(environment: Any, text: str) -> Any:
    """Parse `text`, make every loop count its rounds and every `~` check what it joins.

    Refuses what a letter never needs: recursive loops, includes, imports, inheritance.
    """
    from jinja2 import nodes  # noqa: PLC0415
    from jinja2.visitor import NodeTransformer  # noqa: PLC0415

    class Bound(NodeTransformer):
        def visit_For(self, node: nodes.For) -> nodes.Node:
            if node.recursive:
                raise TemplateProblem("recursive loops are not available", node.lineno)
            self.generic_visit(node)
            node.iter = nodes.Filter(node.iter, COUNTED, [], [], None, None, lineno=node.lineno)
            return node

        def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
            self.generic_visit(node)
            joined = nodes.List(node.nodes, lineno=node.lineno)
            return nodes.Filter(joined, CONCAT, [], [], None, None, lineno=node.lineno)

    tree = environment.parse(text)
    for kind, what in (
        (nodes.Extends, "extends"),
        (nodes.Include, "include"),
        (nodes.Import, "import"),
        (nodes.FromImport, "import"),
    ):
        found = tree.find(kind)
        if found is not None:
            raise TemplateProblem(f"'{what}' is not available in email templates", found.lineno)
    return Bound().visit(tree)
