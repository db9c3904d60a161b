"""A stand-in for ``autotune``: records each call and exits as the test's plan says.

Called as ``fake_step.py step NAME --store S --study ID [--slot K] [...]``. The folder in
``FAKE_STEP_DIR`` holds ``plan.json`` (``{"slot-1.deploy": {"codes": [3]}, "benchmark":
{"sleep": 30}}``: per call key or step name, the exit code of each attempt, the last one
repeating, and seconds to sleep first) and receives ``calls.jsonl``, one line per call.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main() -> int:
    args = sys.argv[1:]
    folder = Path(os.environ["FAKE_STEP_DIR"])
    name = args[1]
    slot = args[args.index("--slot") + 1] if "--slot" in args else None
    key = f"slot-{slot}.{name}" if slot is not None else name
    plan_file = folder / "plan.json"
    plan = json.loads(plan_file.read_text()) if plan_file.exists() else {}
    entry = plan.get(key) or plan.get(name) or {}
    counter = folder / f"count-{key}"
    attempt = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(attempt + 1))
    codes = entry.get("codes", [0])
    code = codes[min(attempt, len(codes) - 1)]
    record = {"key": key, "argv": args, "pid": os.getpid(), "start": time.time()}
    with open(folder / "calls.jsonl", "a") as out:
        out.write(json.dumps(record) + "\n")
    print(f"fake {key} attempt {attempt}: exit {code}", flush=True)
    time.sleep(float(entry.get("sleep", 0)))
    with open(folder / "ends.jsonl", "a") as out:
        out.write(json.dumps({"key": key, "end": time.time()}) + "\n")
    if name == "score" and code == 0 and slot is not None:
        record_result(args, int(slot))
    return int(code)


def record_result(args: list[str], slot: int) -> None:
    """What the real score step leaves behind: the slot's result.json."""
    store = Path(args[args.index("--store") + 1].removeprefix("file://"))
    study = args[args.index("--study") + 1]
    result = {"slot": slot, "state": "complete", "decided_by": "score", "values": [10.0 + slot]}
    path = store / "studies" / study / "trials" / str(slot) / "result.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
