"""A stand-in for kubectl that answers cluster-check.sh's queries from a JSON state file.

Installed as ``kubectl`` in a test's PATH (see ``install``). It knows only the command
shapes the script uses; anything else exits 99 and is logged, so a test notices when the
script starts asking something the fake cannot answer. The state:

  reachable  bool                      the API server answers
  context    str                       kubectl config current-context
  objects    ["kind/namespace/name"]   what exists ("" namespace for cluster objects)
  available  {"ns/name": replicas}     deployments' availableReplicas
  images     {"ns/name": image}        deployments' first container image
  args       {"ns/name": [args]}       deployments' first container args
  ready      {"ns/name": "True"}       certificates' Ready condition
  succeeded  {"ns/name": 1}            jobs' succeeded count
  can_i      ["verb resource"]         what the ServiceAccount may do
  gpus       ["1", "0"]                nodes' allocatable nvidia.com/gpu
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

UNREACHABLE = "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?"  # noqa: E501


def main(argv: list[str]) -> int:
    state = json.loads(Path(os.environ["FAKE_KUBE_STATE"]).read_text())
    with open(os.environ["FAKE_KUBE_LOG"], "a") as log:
        log.write(json.dumps(argv) + "\n")
    if argv[:2] == ["config", "current-context"]:
        if not state.get("context"):
            print("error: current-context is not set", file=sys.stderr)
            return 1
        print(state["context"])
        return 0
    if not state.get("reachable", True):
        print(UNREACHABLE, file=sys.stderr)
        return 1
    flags, words = _split(argv)
    if words[:1] == ["get"] and "raw" in flags:
        print("ok")
        return 0
    if words[:2] == ["auth", "can-i"] and len(words) == 4:
        resource = "/".join(filter(None, (words[3], flags.get("subresource"))))
        allowed = f"{words[2]} {resource}" in state.get("can_i", [])
        print("yes" if allowed else "no")
        return 0 if allowed else 1
    if words[:1] == ["get"] and len(words) == 2 and words[1] == "nodes":
        print(" ".join(state.get("gpus", [])))
        return 0
    if words[:1] == ["get"] and len(words) == 3:
        return _get(state, words[1], words[2], flags.get("n", ""), flags.get("o", ""))
    print(f"fake kubectl: unhandled: {argv}", file=sys.stderr)
    return 99


def _split(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    flags: dict[str, str] = {}
    words: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg.startswith("--") and "=" in arg:
            key, _, value = arg[2:].partition("=")
            flags[key] = value
        elif arg in ("-n", "-o"):
            flags[arg[1]] = next(args)
        elif arg.startswith("-o") and len(arg) > 2:
            flags["o"] = arg[2:]
        else:
            words.append(arg)
    return flags, words


def _get(state: dict, kind: str, name: str, namespace: str, output: str) -> int:
    key = f"{namespace}/{name}"
    if f"{kind}/{key}" not in state.get("objects", []):
        print(f'Error from server (NotFound): {kind} "{name}" not found', file=sys.stderr)
        return 1
    if output == "name":
        print(f"{kind}/{name}")
        return 0
    path = output.removeprefix("jsonpath=")
    if "availableReplicas" in path:
        value = state.get("available", {}).get(key, "")
    elif path.endswith(".image}"):
        value = state.get("images", {}).get(key, "")
    elif path.endswith("containers[0]}"):
        value = json.dumps({"name": name, "args": state.get("args", {}).get(key, [])})
    elif "Ready" in path:
        value = state.get("ready", {}).get(key, "")
    elif "succeeded" in path:
        value = state.get("succeeded", {}).get(key, "")
    else:
        print(f"fake kubectl: unhandled jsonpath {path}", file=sys.stderr)
        return 99
    print(value, end="")
    return 0


def install(folder: Path) -> Path:
    """Write an executable ``kubectl`` into ``folder`` that runs this module."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "kubectl"
    script.write_text(f"#!{sys.executable}\n" + Path(__file__).read_text())
    script.chmod(0o755)
    return script


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
