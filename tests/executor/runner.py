"""Run a manifest (or a study with the stand-in step program) in a process of its own,
so a test can signal it. Prints the final status record as JSON; exits 128 + signal
when interrupted, as ``autotune run`` does."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipelines.executor import Executor, ExecutorOptions, parse_workflow


def main() -> int:
    mode, path = sys.argv[1], Path(sys.argv[2])
    if mode == "manifest":
        manifest = json.loads(path.read_text())
        outcome = Executor(parse_workflow(manifest), ExecutorOptions(workflow_name="wf")).run()
    else:
        from pipelines.executor.study import LocalStudy
        from steps.spec import load_task
        from steps.store import LocalStore

        study = LocalStudy.prepare(load_task(path), LocalStore(sys.argv[3]))
        study.aliases = {
            "autotune": [sys.executable, str(Path(__file__).with_name("fake_step.py"))]
        }
        outcome = study.executor(study.resume_keep()).run()
    print(json.dumps(outcome.status.to_dict()))
    return 128 + outcome.signum if outcome.signum else 0


if __name__ == "__main__":
    sys.exit(main())
