"""The candidate's flags written into the ClusterServingRuntime's engine command.

OME merges the InferenceService's ``engine.runner`` over the runtime's with a strategic
merge patch, and ``command`` is a plain list: it is replaced whole. So the override
carries the runtime's full command, with each candidate flag replaced where the runtime
sets it and appended where it does not. A flag counts as set when the runtime spells it
in any form SGLang's argparse accepts: ``--name value``, ``--name=value``, an alias
(``--tensor-parallel-size`` for ``--tp-size``) or an unambiguous prefix (``--mem-frac``
for ``--mem-fraction-static``: argparse takes any unique prefix). A boolean flag set to
false is removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from steps.engines.base import Engine, Scalar

# Other names argparse gives the same option (SGLang's server_args declares them together).
ALIASES: dict[str, dict[str, str]] = {
    "sglang": {"tensor-parallel-size": "tp-size", "data-parallel-size": "dp-size"},
    "vllm": {"tp": "tensor-parallel-size", "pp": "pipeline-parallel-size"},
}


@dataclass(frozen=True)
class Group:
    """One option as written in the command: its tokens and the flag it stands for."""

    tokens: list[str]
    flag: str | None  # canonical flag name; None for the launcher words before the options

    def value(self) -> str | None:
        if len(self.tokens) == 1 and "=" in self.tokens[0]:
            return self.tokens[0].split("=", 1)[1]
        return self.tokens[1] if len(self.tokens) > 1 else None


def canonical(written: str, engine: Engine) -> str:
    """The flag an option name written in a command means for ``engine``."""
    aliases = ALIASES.get(engine.kind, {})
    if written in engine.flags:
        return written
    if written in aliases:
        return aliases[written]
    prefixed = [name for name in engine.flags if name.startswith(written)]
    return prefixed[0] if len(prefixed) == 1 else written


def parse(command: list[str], engine: Engine) -> list[Group]:
    """Split a command into the launcher and one group per option (a value never starts
    with ``--``; negative numbers such as ``-1`` are values)."""
    groups: list[Group] = []
    index = 0
    while index < len(command):
        token = command[index]
        if not token.startswith("--"):
            # launcher words (python3 -m sglang.launch_server) and strays stay as they are
            if groups and groups[-1].flag is None:
                groups[-1] = Group([*groups[-1].tokens, token], None)
            else:
                groups.append(Group([token], None))
            index += 1
            continue
        name = token[2:].split("=", 1)[0]
        takes_value = "=" not in token and index + 1 < len(command)
        takes_value = takes_value and not command[index + 1].startswith("--")
        size = 2 if takes_value else 1
        groups.append(Group(command[index : index + size], canonical(name, engine)))
        index += size
    return groups


def set_flags(command: list[str], flags: Mapping[str, Scalar], engine: Engine) -> list[str]:
    """``command`` with every flag in ``flags`` replaced or added (in ``sorted`` order)."""
    groups = parse(command, engine)
    for name in sorted(flags):
        flag = canonical(name, engine)
        new = Group(engine.flag_argv(name, flags[name]), flag)
        found = [i for i, group in enumerate(groups) if group.flag == flag]
        if found:
            groups[found[0]] = new  # same place as the runtime's
            groups = [g for i, g in enumerate(groups) if i not in found[1:]]
        else:
            groups.append(new)
    return [token for group in groups for token in group.tokens]


def flag_value(command: list[str], name: str, engine: Engine) -> str | None:
    """The value the command gives ``name`` (argparse: the last occurrence wins)."""
    flag = canonical(name, engine)
    values = [g.value() for g in parse(command, engine) if g.flag == flag]
    return values[-1] if values else None
