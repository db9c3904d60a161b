"""A fake Kubernetes API server and a simulated OME controller, for tests that need a cluster.

``tests.kube.fake_api.FakeKube`` speaks real HTTP to the real ``kubernetes`` client;
``tests.kube.ome_controller.OmeController`` plays OME and the kubelet behind it;
``tests.kube.fixtures`` has the pytest fixtures (import them into a conftest).
"""
