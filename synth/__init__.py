"""synth: verifiable reasoning datasets from seeded generators and rule verifiers."""

__version__ = "0.1.0"
