"""The ``ome`` deployer: each candidate is an OME InferenceService (``deploy.backend: ome``).

Modules: ``render`` (the manifest, no cluster needed), ``command`` (flags into the
runtime's command), ``names``, ``client`` (which API, which credentials), ``api``
(retries, RBAC messages, the rules needed), ``watch`` and ``readiness`` (wait-ready),
``podlogs``, ``forward`` / ``tunnel`` (the port-forward helper) and ``deployer``.
Importing this package does not import the kubernetes client.
"""

from steps.deploy.ome.render import render_inferenceservice

__all__ = ["render_inferenceservice"]
