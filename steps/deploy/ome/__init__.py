"""The ``ome`` deployer: each candidate is an OME InferenceService (``deploy.backend: ome``).

deploy      reads ``deploy.runtime`` (a ClusterServingRuntime), renders
            ``templates/inferenceservice.yaml.j2`` (``render``: the runtime's SGLang command
            with the candidate's flags replaced or added, ``--served-model-name`` set to
            ``model.name``, nvidia.com/gpu = tp-size x dp-size or
            ``deploy.gpus_per_replica``, one replica, labels
            ``app.kubernetes.io/part-of``, ``inference-autotuner/study``, ``/slot``) and
            creates it (strict field validation). deploy.json keeps the manifest.
wait-ready  watches the InferenceService, its engine pods and the namespace's events
            (``watch``, ``readiness``) until Ready, or fails the candidate as infeasible
            on OOMKilled, CrashLoopBackOff (with the log's tail), ImagePullBackOff /
            ErrImagePull, Unschedulable, or ``deploy.ready_timeout_s``.
teardown    keeps the pods' logs and events (``logs()``), stops the port-forward, deletes
            the InferenceService (Foreground) and waits until it and its pods are gone.

How the benchmark reaches the engine (``deploy.access``): ``service`` uses the
InferenceService's ``status.url`` (inside the cluster); ``port-forward`` starts
``python -m steps.deploy.ome.forward`` (a detached helper, recorded in deploy.json and
stopped by teardown) on a free loopback port, never 8443; ``auto`` (the default) picks
``service`` when ``KUBERNETES_SERVICE_HOST`` is set, else ``port-forward``.

Environment:
  AUTOTUNE_KUBE_HOST     API server URL without credentials (tests' fake API, a kubectl
                         proxy); else the pod's service account, else the kubeconfig
                         (``KUBECONFIG``, current context). See ``client``.
  AUTOTUNE_PORT_FORWARD  auto (default: the kubernetes client, else kubectl when the
                         client cannot), api, or kubectl.
  AUTOTUNE_TEMPLATES     the templates folder, when the package runs outside the checkout.
  AUTOTUNE_WORKDIR       where the port-forward's log and pid file go (as the local backend).

RBAC: ``api.RBAC_RULES`` lists every permission used; a 403 names the missing rule.
Importing this package does not import the kubernetes client.
"""

from steps.deploy.ome.render import render_inferenceservice

__all__ = ["render_inferenceservice"]
