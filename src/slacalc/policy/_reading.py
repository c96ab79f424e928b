"""Reading a policy file safely: bounded bytes from regular files, YAML with an alias budget.

Two defences the loader relies on, kept apart so each stays small:

- `read_policy_bytes` reads at most ``MAX_BYTES`` and one chunk, and only from a regular
  file: a device (``/dev/zero``), a FIFO, a socket or a directory is refused from its
  ``stat`` before it is opened, and the file is opened non-blocking, so nothing hangs or
  fills memory;
- `PolicyYamlLoader` is PyYAML's safe loader counting, while it composes, how many nodes
  aliases repeat: past ``ALIAS_BUDGET`` (a "billion laughs" file), or for an alias used
  inside the block it names, it stops with a located `PolicyError`.

`policy_files` lists a folder's policies, refusing a path that is no listable directory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml
from yaml.error import Mark
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

from ..errors import PolicyError

__all__ = ["ALIAS_BUDGET", "MAX_BYTES", "PolicyYamlLoader", "located", "policy_files",
           "read_policy_bytes"]

MAX_BYTES = 1 << 20
ALIAS_BUDGET = 10_000  # nodes that aliases may repeat in one file, all aliases together
_CHUNK = 1 << 16  # a multiple of 8: /proc/self/pagemap refuses other read sizes
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0))
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def located(path: str, mark: Mark | None, key: str, message: str) -> PolicyError:
    """A one-line `PolicyError` at ``mark`` (1:1 without one): ``path:line:column: key: ...``.

    Boundary rule: marks count from 0 and the message from 1, as editors do. Example: a
    mark at line 3, column 9 gives ``"p.yaml:4:10: extends: ..."``.
    """
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    where = f"{key}: " if key else ""
    return PolicyError(f"{path}:{line}:{column}: {where}{message}", path=path, line=line,
                       column=column, key=key)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _too_big(shown: str, size: str) -> PolicyError:
    return located(shown, None, "", f"the file is {size} bytes; policies are limited to "
                                     f"{MAX_BYTES:,} bytes (1 MiB)")


def read_policy_bytes(file: Path, shown: str) -> bytes:
    """The bytes of the regular file ``file``, at most `MAX_BYTES`; ``shown`` names it in errors.

    Boundary rule: anything but a regular file is refused before it is opened (and the
    file opened is checked to be the one stat'ed); a file of exactly 1 MiB loads, one byte
    more is refused, from its size or, if it says less than it holds, once reading passes
    1 MiB (so at most 1 MiB and one 64 KiB chunk are read). Example:
    ``read_policy_bytes(Path("/dev/zero"), "/dev/zero")`` raises ``PolicyError("/dev/zero:
    not a regular file (a character device); a policy is read from a regular file only")``.
    """
    try:
        before = os.stat(file)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = error.strerror if isinstance(error, OSError) else "the path holds a NUL"
        raise PolicyError(f"{shown}: cannot read policy file: {reason}", path=shown) from None
    if not stat.S_ISREG(before.st_mode):
        raise PolicyError(f"{shown}: not a regular file ({_kind(before.st_mode)}); a policy "
                          f"is read from a regular file only", path=shown)
    if before.st_size > MAX_BYTES:
        raise _too_big(shown, f"{before.st_size:,}")
    chunks: list[bytes] = []
    size = 0
    try:
        handle = os.open(file, _OPEN_FLAGS)
        try:
            after = os.fstat(handle)
            if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino) \
                    or not stat.S_ISREG(after.st_mode):
                raise PolicyError(f"{shown}: the file changed while it was opened; "
                                  f"a policy is read from a regular file only", path=shown)
            while size <= MAX_BYTES:
                chunk = os.read(handle, _CHUNK)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(handle)
    except OSError as error:
        raise PolicyError(f"{shown}: cannot read policy file: {error.strerror}",
                          path=shown) from None
    if size > MAX_BYTES:  # the file grew, or says it is smaller than it is (/proc)
        raise _too_big(shown, f"over {MAX_BYTES:,}")
    return b"".join(chunks)


def policy_files(directory: Path) -> list[Path]:
    """Every ``*.yaml`` and ``*.yml`` file in ``directory`` or below, sorted.

    Boundary rule: ``directory`` must be a directory that can be listed, else a
    `PolicyError` naming it (a folder with no policy is not mistaken for an empty one).
    Example: ``policy_files(Path("policies"))`` -> ``[.../cloudmark.yaml, ...]``;
    ``policy_files(Path("missing"))`` raises ``PolicyError("missing: not a directory of
    policies: No such file or directory")``.
    """
    try:
        os.listdir(directory)
        return sorted([*directory.rglob("*.yaml"), *directory.rglob("*.yml")])
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = error.strerror if isinstance(error, OSError) else "the path holds a NUL"
        raise PolicyError(f"{directory}: not a directory of policies: {reason}",
                          path=str(directory)) from None


class PolicyYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses alias bombs and aliases inside their own block.

    Boundary rule: each alias adds the size (in nodes, its own aliases expanded) of the
    block it repeats to a running total; a total of `ALIAS_BUDGET` nodes is allowed, one
    more is refused at the alias that crosses it. Example: ``a: &a [1, 2]`` then
    ``b: [*a, *a]`` repeats 3 + 3 = 6 nodes, far below the budget.
    """

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text)
        self._path = path
        self._sizes: dict[int, int] = {}  # id(node) -> its node count, aliases expanded
        self._repeated = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Compose as PyYAML does, counting nodes; see the class for the alias budget."""
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            node = super().compose_node(parent, index)  # an undefined alias raises here
            size = self._sizes.get(id(node))
            if size is None:
                raise located(self._path, event.start_mark, "",
                              f"alias *{event.anchor} is used inside the block it names "
                              f"(a recursive structure); policies are plain trees")
            self._repeated += size
            if self._repeated > ALIAS_BUDGET:
                raise located(self._path, event.start_mark, "",
                              f"alias *{event.anchor} makes aliases repeat more than "
                              f"{ALIAS_BUDGET:,} nodes; policies repeat small blocks only")
            return node
        node = super().compose_node(parent, index)
        if node is not None:
            size = 1
            if isinstance(node, SequenceNode):
                size += sum(self._sizes[id(item)] for item in node.value)
            elif isinstance(node, MappingNode):
                size += sum(self._sizes[id(key)] + self._sizes[id(value)]
                            for key, value in node.value)
            self._sizes[id(node)] = size
        return node
