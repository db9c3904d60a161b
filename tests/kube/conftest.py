"""The fake API server's own tests use its fixtures."""

from tests.kube.fixtures import fake_kube, kube_env, ome_controller  # noqa: F401
