"""What the watched objects say: ready, failed for good, or keep waiting (pure, no cluster)."""

from __future__ import annotations

from typing import Any

from steps.deploy.ome.readiness import Failed, Observed, Ready


def _pod(name: str = "p", uid: str = "u1", **status: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "uid": uid}, "status": status}


def _event(reason: str, message: str, about: str = "p", uid: str = "u1") -> dict[str, Any]:
    return {
        "metadata": {"name": f"{about}.{reason}", "uid": f"e-{reason}-{uid}"},
        "involvedObject": {"kind": "Pod", "name": about, "uid": uid},
        "reason": reason,
        "message": message,
    }


def _isvc(ready: str = "False", url: str | None = None, **extra: Any) -> dict[str, Any]:
    status: dict[str, Any] = {"conditions": [{"type": "Ready", "status": ready}], **extra}
    if url:
        status["url"] = url
    return {"metadata": {"name": "isvc", "uid": "i1"}, "status": status}


def _waiting(reason: str, message: str = "", last: dict[str, Any] | None = None) -> Any:
    return [{"name": "ome-container", "state": {"waiting": {"reason": reason, "message": message}},
             "lastState": last or {}, "restartCount": 1 if last else 0}]  # fmt: skip


def _observe(*items: tuple[str, dict[str, Any]]) -> Observed:
    observed = Observed("isvc")
    for source, obj in items:
        observed.apply(source, "ADDED", obj)
    return observed


def test_ready_needs_the_condition_and_a_url_and_names_a_ready_pod() -> None:
    ready_pod = _pod(conditions=[{"type": "Ready", "status": "True"}])
    assert _observe(("isvc", _isvc("True"))).verdict() is None  # no url yet
    verdict = _observe(("isvc", _isvc("True", "http://x:8080/")), ("pod", ready_pod)).verdict()
    assert verdict == Ready("http://x:8080", "p")


def test_oomkilled_in_the_last_state_of_a_restarted_container() -> None:
    last = {"terminated": {"reason": "OOMKilled", "exitCode": 137}}
    verdict = _observe(
        ("pod", _pod(containerStatuses=_waiting("CrashLoopBackOff", "", last)))
    ).verdict()
    assert isinstance(verdict, Failed) and verdict.reason.startswith("OOMKilled")
    assert verdict.crashed and verdict.container == "ome-container"


def test_crash_loop_names_the_last_exit() -> None:
    last = {"terminated": {"reason": "Error", "exitCode": 2}}
    pod = _pod(containerStatuses=_waiting("CrashLoopBackOff", "back-off 10s", last))
    verdict = _observe(("pod", pod)).verdict()
    assert isinstance(verdict, Failed)
    assert (
        verdict.reason.startswith("CrashLoopBackOff")
        and "last exit: Error, code 2" in verdict.reason
    )


def test_image_pull_failures_from_the_pod_or_its_events() -> None:
    for reason in ("ErrImagePull", "ImagePullBackOff"):
        verdict = _observe(("pod", _pod(containerStatuses=_waiting(reason, "not found")))).verdict()
        assert isinstance(verdict, Failed) and verdict.reason.startswith(reason)
    event = _event("Failed", "Error: ErrImagePull")
    verdict = _observe(("pod", _pod()), ("event", event)).verdict()
    assert isinstance(verdict, Failed) and verdict.reason.startswith("ImagePullBackOff")


def test_unschedulable_fails_unless_the_autoscaler_is_adding_a_node() -> None:
    message = "0/3 nodes are available: 3 Insufficient nvidia.com/gpu."
    pod = _pod(conditions=[{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                            "message": message}])  # fmt: skip
    verdict = _observe(("pod", pod)).verdict()
    assert isinstance(verdict, Failed) and "Insufficient nvidia.com/gpu" in verdict.reason
    scaling = _event("TriggeredScaleUp", "pod triggered scale-up")
    assert _observe(("pod", pod), ("event", scaling)).verdict() is None
    failed_scheduling = _event("FailedScheduling", message)
    verdict = _observe(("pod", _pod()), ("event", failed_scheduling)).verdict()
    assert isinstance(verdict, Failed) and verdict.reason.startswith("Unschedulable")


def test_events_of_an_earlier_pod_with_the_same_name_are_ignored() -> None:
    stale = _event("FailedScheduling", "Insufficient nvidia.com/gpu", uid="old-uid")
    assert _observe(("pod", _pod()), ("event", stale)).verdict() is None


def test_omes_invalid_spec_fails_with_its_failure_info() -> None:
    failure = {"reason": "BaseModelNotFound", "message": "m"}
    isvc = _isvc(modelStatus={"transitionStatus": "InvalidSpec", "lastFailureInfo": failure})
    verdict = _observe(("isvc", isvc)).verdict()
    assert verdict == Failed("InferenceService InvalidSpec: BaseModelNotFound: m")


def test_a_deleted_pod_is_forgotten_and_the_summary_says_what_is_there() -> None:
    observed = _observe(("isvc", _isvc()), ("pod", _pod(phase="Pending")))
    assert "pod p: Pending" in observed.summary()
    observed.apply("pod", "DELETED", _pod())
    assert observed.pods == {} and "InferenceService isvc: Ready=False" in observed.summary()
