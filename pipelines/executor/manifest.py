"""Read a compiled Workflow manifest into ``spec`` dataclasses, refusing what we cannot run.

Every object has an explicit allowlist of keys: the ones the compiler emits, in local and
cluster mode. Anything else (a ``steps`` template, ``withItems``, a sidecar...) is
reported with its path, and the whole manifest is refused before a single process
starts: the executor never half-executes a feature it does not implement. All problems
are reported at once. Cluster mode's fields (secret env, output artifacts, semaphores,
the exit handler's ``when``) are read by ``cluster_fields``, each in its one form.

Accepted and ignored, because they have no meaning on one machine: ``image``, metadata
labels and annotations, and the spec fields of ``cluster_fields.IGNORED_SPEC``.
"""

from __future__ import annotations

from typing import Any

from pipelines.depends import FANOUT_RESULTS, DependsError, references
from pipelines.executor import cluster_fields, spec
from pipelines.executor.checks import check_workflow
from pipelines.executor.durations import ALLOWED as DURATIONS
from pipelines.executor.durations import parse_duration
from pipelines.executor.reader import Reader
from steps.errors import TaskError

_TOP = ("apiVersion", "kind", "metadata", "spec")
_METADATA = ("name", "generateName", "namespace", "labels", "annotations")
_SPEC = (
    "entrypoint",
    "templates",
    "arguments",
    "activeDeadlineSeconds",
    "parallelism",
    "onExit",
    *cluster_fields.IGNORED_SPEC,
)
_TEMPLATE = (
    "name",
    "container",
    "dag",
    "inputs",
    "retryStrategy",
    "activeDeadlineSeconds",
    "parallelism",
    "metadata",
    "outputs",
    "synchronization",
)
_TEMPLATE_KINDS = (
    "steps",
    "script",
    "resource",
    "suspend",
    "containerSet",
    "data",
    "http",
    "plugin",
)
_CONTAINER = ("image", "command", "args", "env")
_TASK = ("name", "template", "arguments", "depends", "when")
_RETRY = ("limit", "retryPolicy", "expression", "backoff")
_BACKOFF = ("duration", "factor", "cap", "maxDuration")

# Why a well-known Argo key is refused, where a plain "not supported" would not help.
_HINTS = {
    "withItems": "loops (withItems/withParam/withSequence) are not supported",
    "withParam": "loops (withItems/withParam/withSequence) are not supported",
    "withSequence": "loops (withItems/withParam/withSequence) are not supported",
    "dependencies": "the 'dependencies' list is not supported; write 'depends' instead",
    "hooks": "lifecycle hooks are not supported; the supported exit handler is spec.onExit",
    "onExit": "task-level exit handlers are not supported; the supported one is spec.onExit",
    "continueOn": "'continueOn' is not supported; express it in the dependents' 'depends'",
    "failFast": "'failFast' is not supported (the executor behaves as failFast: true)",
    "target": "DAG 'target' is not supported (every task of a DAG runs)",
    "valueFrom": "'valueFrom' is not supported; parameters must carry a literal value",
    "mutexes": "mutexes are not supported; the supported lock is a ConfigMap semaphore",
    "mutex": "mutexes are not supported; the supported lock is a ConfigMap semaphore",
    "semaphore": "write 'semaphores: [{configMapKeyRef: ...}]' (the singular form is legacy)",
    "templateRef": "templateRef is not supported; templates must be inline in the manifest",
}


class UnsupportedManifest(TaskError):
    """The manifest uses something the local executor does not run; nothing was started."""


def parse_workflow(manifest: Any) -> spec.Workflow:
    """The runnable form of ``manifest`` (a dict, as compiled); raise UnsupportedManifest."""
    reader = _Reader()
    workflow = reader.workflow(manifest)
    if workflow is not None:
        # the cross-checks too, so one run of the executor reports every problem
        reader.problems.extend(check_workflow(workflow))
    if reader.problems or workflow is None:
        raise UnsupportedManifest(reader.problems or ["the manifest is not a Workflow"])
    return workflow


class _Reader(Reader):
    hints = _HINTS

    def workflow(self, manifest: Any) -> spec.Workflow | None:
        top = self.obj(manifest, "manifest", _TOP)
        if top.get("kind") != "Workflow":
            # a template or a cron is a recipe for Workflows: its other problems are noise
            self.fail(
                "kind",
                f"{top.get('kind')!r} cannot be run by the local executor; it runs a Workflow "
                "(`autotune compile --kind workflow`, the default)",
            )
            return None
        if top.get("apiVersion") != "argoproj.io/v1alpha1":
            self.fail("apiVersion", f"{top.get('apiVersion')!r}; expected argoproj.io/v1alpha1")
        meta = self.obj(top.get("metadata", {}), "metadata", _METADATA)
        body = self.obj(top.get("spec"), "spec", _SPEC)
        arguments = self.obj(body.get("arguments", {}), "spec.arguments", ("parameters",))
        params = self.pairs(
            arguments.get("parameters"), "spec.arguments.parameters", "value", required=True
        )
        raw_templates = body.get("templates")
        if not isinstance(raw_templates, list) or not raw_templates:
            self.fail("spec.templates", "expected a non-empty list of templates")
            raw_templates = []
        templates: dict[str, spec.Template] = {}
        for i, raw in enumerate(raw_templates):
            template = self.template(raw, f"spec.templates[{i}]")
            if template is None:
                continue
            if template.name in templates:
                self.fail(f"{template.path}.name", f"template {template.name!r} is defined twice")
            templates[template.name] = template
        entrypoint = self.text(body.get("entrypoint"), "spec.entrypoint")
        if entrypoint is None:
            return None
        return spec.Workflow(
            name=meta.get("name"),
            generate_name=meta.get("generateName"),
            namespace=meta.get("namespace"),
            entrypoint=entrypoint,
            templates=templates,
            parameters={name: value for name, value in params},
            on_exit=self.text(body.get("onExit"), "spec.onExit", required=False),
            deadline_s=self.integer(
                body.get("activeDeadlineSeconds"), "spec.activeDeadlineSeconds", 1
            ),
            parallelism=self.integer(body.get("parallelism"), "spec.parallelism", 1),
        )

    def template(self, raw: Any, index: str) -> spec.Template | None:
        raw_name = raw.get("name") if isinstance(raw, dict) else None
        name = self.text(raw_name, f"{index}.name")
        # "spec.templates[3] (report)": the index finds it, the name tells which it is
        path = f"{index} ({name})" if name else index
        body = self.obj(raw, path, _TEMPLATE, handled=_TEMPLATE_KINDS)
        for kind in _TEMPLATE_KINDS:
            if kind in body:
                self.fail(
                    f"{path}.{kind}",
                    f"Argo '{kind}' templates are not supported by the local executor; "
                    "supported: dag, container",
                )
        has_container, has_dag = "container" in body, "dag" in body
        if has_container == has_dag and not any(k in body for k in _TEMPLATE_KINDS):
            self.fail(path, "a template needs exactly one of container or dag")
        meta = self.obj(body.get("metadata", {}), f"{path}.metadata", ("labels", "annotations"))
        labels = meta.get("labels") or {}
        inputs = self.obj(body.get("inputs", {}), f"{path}.inputs", ("parameters",))
        parameters = self.pairs(
            inputs.get("parameters"), f"{path}.inputs.parameters", "default", required=False
        )
        container = body.get("container") if has_container else None
        outputs = (
            cluster_fields.read_outputs(self, body["outputs"], f"{path}.outputs")
            if "outputs" in body
            else ()
        )
        semaphores = (
            cluster_fields.read_semaphores(self, body["synchronization"], f"{path}.synchronization")
            if "synchronization" in body
            else ()
        )
        return spec.Template(
            name=name or "?",
            path=path,
            inputs=tuple(parameters),
            container=None if container is None else self.container(container, f"{path}.container"),
            tasks=self.tasks(body["dag"], f"{path}.dag") if has_dag and not has_container else (),
            retry=self.retry(body.get("retryStrategy"), f"{path}.retryStrategy"),
            deadline_s=self.integer(
                body.get("activeDeadlineSeconds"), f"{path}.activeDeadlineSeconds", 1
            ),
            parallelism=self.integer(body.get("parallelism"), f"{path}.parallelism", 1),
            labels=tuple((str(k), str(v)) for k, v in labels.items())
            if isinstance(labels, dict)
            else (),
            outputs=outputs,
            semaphores=semaphores,
        )

    def container(self, raw: Any, path: str) -> spec.Container:
        body = self.obj(raw, path, _CONTAINER)
        command = self.strings(body.get("command"), f"{path}.command")
        if not command:
            # Without a command Argo runs the image's entrypoint, which does not exist here.
            self.fail(f"{path}.command", "is required: the local executor ignores the image")
        env, secret_env = cluster_fields.read_env(self, body.get("env"), f"{path}.env")
        return spec.Container(
            command=command,
            args=self.strings(body.get("args"), f"{path}.args"),
            env=tuple(env),
            secret_env=tuple(secret_env),
        )

    def tasks(self, raw: Any, path: str) -> tuple[spec.DagTask, ...]:
        body = self.obj(raw, path, ("tasks",))
        items = body.get("tasks")
        if not isinstance(items, list) or not items:
            self.fail(f"{path}.tasks", "expected a non-empty list of tasks")
            return ()
        out = []
        for i, item in enumerate(items):
            task = self.obj(item, f"{path}.tasks[{i}]", _TASK)
            arguments = self.obj(
                task.get("arguments", {}), f"{path}.tasks[{i}].arguments", ("parameters",)
            )
            where = f"{path}.tasks[{i}]"
            depends = self.text(task.get("depends"), f"{where}.depends", required=False)
            out.append(
                spec.DagTask(
                    name=self.text(task.get("name"), f"{where}.name") or "?",
                    template=self.text(task.get("template"), f"{where}.template") or "?",
                    arguments=tuple(
                        self.pairs(
                            arguments.get("parameters"),
                            f"{where}.arguments.parameters",
                            "value",
                            required=True,
                        )
                    ),
                    depends=depends,
                    deps=self.depends(depends, f"{where}.depends"),
                    when=cluster_fields.read_when(self, task.get("when"), f"{where}.when"),
                )
            )
        return tuple(out)

    def depends(self, expression: str | None, path: str) -> tuple[str, ...]:
        if expression is None:
            return ()
        try:
            refs = references(expression)
        except DependsError as exc:
            self.fail(path, f"{exc}; supported: task or task.Result joined by &&, ||, ! and ()")
            return ()
        for name, result in refs:
            if result in FANOUT_RESULTS:
                self.fail(path, f"{name}.{result} needs a loop task, which is not supported")
        return tuple(dict.fromkeys(name for name, _ in refs))

    def retry(self, raw: Any, path: str) -> spec.RetrySpec | None:
        if raw is None:
            return None
        body = self.obj(raw, path, _RETRY)
        limit = self.integer(body.get("limit"), f"{path}.limit")
        if "limit" not in body:
            self.fail(f"{path}.limit", "is required (an unlimited retry would never end here)")
        policy = body.get("retryPolicy", "Always")
        if policy not in spec.RETRY_POLICIES:
            self.fail(
                f"{path}.retryPolicy",
                f"{policy!r} is not supported; supported: {', '.join(spec.RETRY_POLICIES)}",
            )
        expression = self.text(body.get("expression"), f"{path}.expression", required=False)
        if expression is not None:
            from pipelines.executor.retry_expression import RetryExpressionError, parse

            try:
                parse(expression)
            except RetryExpressionError as exc:
                self.fail(f"{path}.expression", str(exc))
        return spec.RetrySpec(
            limit=limit or 0,
            policy=policy,
            expression=expression,
            backoff=self.backoff(body.get("backoff"), f"{path}.backoff"),
        )

    def backoff(self, raw: Any, path: str) -> spec.Backoff | None:
        if raw is None:
            return None
        body = self.obj(raw, path, _BACKOFF)
        seconds = {}
        for key in ("duration", "cap", "maxDuration"):
            if key in body:
                seconds[key] = parse_duration(body[key])
                if seconds[key] is None:
                    self.fail(f"{path}.{key}", f"{body[key]!r} is not a duration; use {DURATIONS}")
        if seconds.get("duration") is None:
            self.fail(f"{path}.duration", f"is required; use {DURATIONS}")
        factor = self.integer(body.get("factor", 1), f"{path}.factor")
        return spec.Backoff(
            duration_s=seconds.get("duration") or 0.0,
            factor=float(factor if factor is not None else 1),
            cap_s=seconds.get("cap"),
            max_duration_s=seconds.get("maxDuration"),
        )
