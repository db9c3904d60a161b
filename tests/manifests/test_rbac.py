"""The workflow's ServiceAccount gets exactly what the steps call, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import by_kind, one, render

# (apiGroup, resource) -> verbs: what the steps and Argo's executor call, as listed in
# templates/rbac.yaml.j2. A new API call in a step means a new line here and there.
NAMESPACED = {
    ("ome.io", "inferenceservices"): {"create", "get", "list", "watch", "delete"},
    ("", "pods"): {"get", "list", "watch"},
    ("", "pods/log"): {"get"},
    ("", "pods/portforward"): {"create", "get"},  # SPDY, WebSocket
    ("", "events"): {"get", "list", "watch"},
    ("argoproj.io", "workflowtaskresults"): {"create", "patch"},
}
CLUSTER = {("ome.io", "clusterservingruntimes"): {"get", "list"}}


def _grants(rules: list[dict[str, Any]]) -> dict[tuple[str, str], set[str]]:
    grants: dict[tuple[str, str], set[str]] = {}
    for rule in rules:
        assert set(rule) == {"apiGroups", "resources", "verbs"}, rule  # no resourceNames etc.
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                grants.setdefault((group, resource), set()).update(rule["verbs"])
    return grants


def test_role_grants_exactly_the_listed_verbs():
    assert _grants(one(render("defaults"), "Role")["rules"]) == NAMESPACED


def test_cluster_role_only_reads_cluster_serving_runtimes():
    assert _grants(one(render("defaults"), "ClusterRole")["rules"]) == CLUSTER


def test_the_ome_deployer_needs_nothing_the_role_does_not_grant():
    # steps.deploy.ome lists every call it makes as an RBAC rule (its 403 messages name them).
    api = pytest.importorskip("steps.deploy.ome.api")
    role = _grants(one(render("defaults"), "Role")["rules"])
    cluster = _grants(one(render("defaults"), "ClusterRole")["rules"])
    for rule in api.RBAC_RULES:
        granted = (role if rule.namespaced else cluster).get((rule.group, rule.resource), set())
        assert rule.verb in granted, rule


def test_no_wildcards_and_no_configmap_or_secret_access():
    for variant in ("defaults", "custom"):
        for role in by_kind(render(variant), "Role") + by_kind(render(variant), "ClusterRole"):
            for rule in role["rules"]:
                for field in ("apiGroups", "resources", "verbs"):
                    assert not any("*" in value for value in rule[field]), rule
                # The semaphore is read by the Argo controller, the S3 keys by the kubelet.
                assert not {"configmaps", "secrets"} & set(rule["resources"]), rule


def test_bindings_tie_the_roles_to_the_service_account_in_its_namespace():
    objects = render("custom")
    account = one(objects, "ServiceAccount")["metadata"]
    subject = {"kind": "ServiceAccount", "name": account["name"], "namespace": "tuning-2"}
    assert account == {**account, "name": "tuner", "namespace": "tuning-2"}
    binding = one(objects, "RoleBinding")
    assert binding["subjects"] == [subject]
    assert binding["metadata"]["namespace"] == "tuning-2"
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": one(objects, "Role")["metadata"]["name"],
    }
    cluster_binding = one(objects, "ClusterRoleBinding")
    assert cluster_binding["subjects"] == [subject]
    assert cluster_binding["roleRef"]["name"] == one(objects, "ClusterRole")["metadata"]["name"]


def test_cluster_role_bindings_of_two_namespaces_do_not_collide():
    names = {
        one(render(v), "ClusterRoleBinding")["metadata"]["name"] for v in ("defaults", "custom")
    }
    assert len(names) == 2
