"""inference-autotuner: the domain and the step programs of a tuning study."""

__version__ = "0.1.0"
