"""Limits on what a policy's YAML may hold, each refused with a located `PolicyError`.

PyYAML takes any text; a policy is small, plain data. What a hostile or broken file could
otherwise turn into a raw exception, a hang or a crash later is refused where it stands:

- a character YAML does not allow (a NUL byte: a UTF-16 file without a byte-order mark, a
  binary file; a control character; a lone surrogate);
- text holding a lone surrogate written as an escape (``"\\ud800"``), which no UTF-8
  output can show;
- nesting deeper than `MAX_DEPTH` levels (PyYAML composes recursively);
- an integer of more than `MAX_INT_CHARS` characters (Python refuses to read 4,300 digits,
  and ``1:0:0:...`` in base 60 costs quadratic time), and a date or time that does not
  exist (an unquoted ``2026-02-30``);
- an ``extends`` chain of more than `MAX_EXTENDS` files.

A file with many problems (30,000 unknown keys) has its first `MAX_PROBLEMS` reported,
then ``and N more problems``: finding and locating each costs time.
"""

from __future__ import annotations

from typing import Any

from yaml.error import Mark
from yaml.events import MappingStartEvent, SequenceStartEvent
from yaml.nodes import Node, ScalarNode
from yaml.reader import ReaderError

from ..errors import PolicyError
from ._reading import PolicyYamlLoader, located

__all__ = ["MAX_DEPTH", "MAX_EXTENDS", "MAX_INT_CHARS", "MAX_PROBLEMS", "PolicyLoader",
           "check_chain",
           "reader_problem"]

MAX_DEPTH = 32  # nesting levels; a policy's deepest key path has about 8
MAX_INT_CHARS = 100
MAX_EXTENDS = 16  # files in one extends chain, the extending file included
MAX_PROBLEMS = 50  # problems listed per file
_STANDARD = "tag:yaml.org,2002:"


def reader_problem(path: str, text: str, position: int, character: int) -> PolicyError:
    """The located error for a character YAML refuses, at ``position`` in ``text``.

    Boundary rule: YAML allows tab, newline, carriage return and printable Unicode only.
    Example: ``"a\\x00b"`` -> ``p.yaml:1:2: character U+0000 (a NUL) is not allowed: a
    policy is UTF-8 text (a UTF-16 file without a byte-order mark or a binary file has
    NULs)``.
    """
    line = text.count("\n", 0, position)
    column = position - (text.rfind("\n", 0, position) + 1)
    if character == 0:
        what = ("(a NUL) is not allowed: a policy is UTF-8 text (a UTF-16 file without a "
                "byte-order mark or a binary file has NULs)")
    elif 0xD800 <= character <= 0xDFFF:
        what = "(a lone surrogate) is no character: a policy is Unicode text"
    else:
        what = "(a control character) is not allowed in YAML text"
    mark = Mark(path, position, line, column, None, 0)
    return located(path, mark, "", f"character U+{character:04X} {what}")


class PolicyLoader(PolicyYamlLoader):
    """`PolicyYamlLoader` (safe, alias budget) refusing what the module docstring lists.

    Boundary rule: `MAX_DEPTH` levels of nesting load, one more is refused at the
    collection that crosses it; an integer of `MAX_INT_CHARS` characters loads, one more
    is refused. Example: ``vendor: "\\ud800"`` -> ``p.yaml:3:9: text holds a lone
    surrogate (U+D800), which is no character; write the character itself or a \\U
    escape``.
    """

    def __init__(self, text: str, path: str) -> None:
        try:
            super().__init__(text, path)
        except ReaderError as error:  # PyYAML checks every character of a str up front
            raise reader_problem(path, text, error.position, error.character) from None
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Compose as PyYAML does, counting nesting and checking each scalar's text."""
        if not self.check_event(MappingStartEvent, SequenceStartEvent):
            node = super().compose_node(parent, index)
            if isinstance(node, ScalarNode):
                _check_text(self._path, node)
            return node
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise located(self._path, self.peek_event().start_mark, "",  # type: ignore[no-untyped-call]
                              f"nesting deeper than {MAX_DEPTH} levels; policies are shallow "
                              f"(a key path has about 8 parts)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_sized_int(self, node: ScalarNode) -> Any:
        """A YAML integer of at most `MAX_INT_CHARS` characters (Python reads 4,300 digits
        at most, and ``1:0:0:...`` in base 60 costs quadratic time). Example: a 1 and 99
        zeros loads as 10**99; a 1 and 100 zeros is refused at its first character."""
        if len(node.value) > MAX_INT_CHARS:
            raise located(self._path, node.start_mark, "",
                          f"an integer of {len(node.value):,} characters is too long (at most "
                          f"{MAX_INT_CHARS}); quote it if it is text")
        return self.construct_yaml_int(node)

    def construct_real_timestamp(self, node: ScalarNode) -> Any:
        """A YAML date or time that exists. Example: ``2028-02-29`` loads as a date;
        ``2026-02-30`` is refused at its first character, not a raw ValueError."""
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as error:
            raise located(self._path, node.start_mark, "",
                          f"{node.value} is not a real date or time ({error}); quote it if it "
                          f"is text") from None


PolicyLoader.add_constructor(_STANDARD + "int", PolicyLoader.construct_sized_int)
PolicyLoader.add_constructor(_STANDARD + "timestamp", PolicyLoader.construct_real_timestamp)


def _check_text(path: str, node: ScalarNode) -> None:
    """Refuse a scalar holding a lone surrogate (an escape such as ``"\\ud800"``; a pair
    written as two escapes too): no UTF-8 output can show it."""
    try:
        node.value.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(node.value[error.start])
        raise located(path, node.start_mark, "", f"text holds a lone surrogate (U+{code:04X}), "
                                                 f"which is no character; write the character "
                                                 f"itself or a \\U escape") from None


def check_chain(path: str, chain: tuple[object, ...], where: Node | None) -> None:
    """Refuse an ``extends`` that would make the chain longer than `MAX_EXTENDS` files.

    ``chain`` holds the files extending this one. Example: the 16th file of a chain naming
    a 17th -> ``p16.yaml:3:10: extends: an extends chain may hold at most 16 files``.
    """
    if len(chain) + 1 >= MAX_EXTENDS:
        raise located(path, where.start_mark if where else None, "extends",
                      f"an extends chain may hold at most {MAX_EXTENDS} files")
