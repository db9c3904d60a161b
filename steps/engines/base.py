"""What the project must know about an inference engine to launch and tune it.

An ``Engine`` turns a candidate (flag name -> value) into an argv list, names its
health endpoint and says which flags it has and which values it accepts. Values
that crash an engine at start are refused here, before anything is launched.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Scalar = str | int | float | bool
FlagKind = Literal["int", "float", "str", "bool"]


@dataclass(frozen=True)
class Flag:
    """One launch flag: its type and the values the engine accepts without crashing."""

    kind: FlagKind
    help: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[Scalar, ...] = ()
    also: tuple[float, ...] = ()  # sentinels allowed outside the range (e.g. -1 = "off")
    why: str = ""  # what the engine does with a value outside the range (shown to the user)

    def problem(self, value: Scalar) -> str | None:
        """Why ``value`` is not acceptable, or None when it is (a sentinel is acceptable)."""
        if self.kind == "bool":
            return None if isinstance(value, bool) else "allowed: true or false"
        if self.choices:
            if value not in self.choices:
                return f"allowed: {', '.join(map(str, self.choices))}"
            return None
        if self.kind in ("int", "float"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"allowed: a{'n integer' if self.kind == 'int' else ' number'}"
            if self.kind == "int" and not float(value).is_integer():
                return "allowed: an integer"
            if value in self.also:
                return None
            return self.range_problem(float(value))
        return None

    def range_problem(self, value: float) -> str | None:
        """Why ``value`` is outside the flag's range (sentinels do not count: a sampled
        range between a sentinel and the range would produce values neither allows)."""
        low, high = self.minimum, self.maximum
        too_low = low is not None and (value <= low if self.exclusive_minimum else value < low)
        too_high = high is not None and value > high
        if not (too_low or too_high):
            return None
        lower = "" if low is None else f"{'>' if self.exclusive_minimum else '>='} {low:g}"
        upper = "" if high is None else f"<= {high:g}"
        allowed = " and ".join(part for part in (lower, upper) if part)
        if self.also:
            allowed += f" (or {', '.join(f'{v:g}' for v in self.also)})"
        return f"allowed: {allowed}"


@dataclass(frozen=True)
class Launch:
    """Everything needed to start one engine process: argv and how to reach it."""

    argv: list[str]
    health_path: str
    served_model_name: str
    env: dict[str, str] = field(default_factory=dict)


class Engine(ABC):
    """The flag dialect, base command and health endpoint of one engine kind."""

    kind: str
    health_path: str = "/health"
    flags: Mapping[str, Flag] = {}

    @abstractmethod
    def base_command(
        self, *, model_path: str, served_model_name: str, host: str, port: int, binary: str | None
    ) -> list[str]:
        """The command that serves the model with the engine's defaults."""

    def flag_argv(self, name: str, value: Scalar) -> list[str]:
        """How one ``--name value`` pair is spelt on this engine's command line."""
        flag = self.flags.get(name)
        if (flag is not None and flag.kind == "bool") or isinstance(value, bool):
            return [f"--{name}"] if value else []
        return [f"--{name}", _format(value)]

    def launch(
        self,
        params: Mapping[str, Scalar],
        *,
        model_path: str,
        served_model_name: str,
        host: str,
        port: int,
        binary: str | None = None,
    ) -> Launch:
        argv = self.base_command(
            model_path=model_path,
            served_model_name=served_model_name,
            host=host,
            port=port,
            binary=binary,
        )
        for name in sorted(params):
            argv += self.flag_argv(name, params[name])
        return Launch(argv=argv, health_path=self.health_path, served_model_name=served_model_name)

    def combination_problems(self, params: Mapping[str, Scalar]) -> list[str]:
        """Problems that only show when flags are combined (checked per candidate)."""
        return []


def _format(value: Scalar) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        # 0.8 stays 0.8; 8.0 becomes "8" so integer flags given as floats still parse
        return str(int(value))
    return str(value)
