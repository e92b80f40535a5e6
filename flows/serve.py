"""Serve the deployments: ``generate-dataset/<name>`` on demand and ``refresh-dataset/<name>`` on a cron schedule.

    python -m flows.serve [--name NAME] [--cron "0 4 * * 1"] [--recipe recipes/quickstart.yaml] [--repo-id ORG/NAME]

With ``PREFECT_API_URL`` pointing at a server (``prefect server start``), this process registers both
deployments and runs whatever is scheduled or started with ``prefect deployment run``. ``flows/prefect.yaml``
declares the same deployments for ``prefect deploy`` with a work pool and workers instead.
"""

from __future__ import annotations

import argparse

from prefect import serve

from flows.generate import generate_dataset
from flows.refresh import refresh_dataset


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", default="default", help="deployment name of both flows")
    ap.add_argument("--cron", default="0 4 * * 1", help="refresh schedule (cron, UTC); empty for none")
    ap.add_argument("--recipe", default=None, help="default recipe parameter of the refresh")
    ap.add_argument("--repo-id", default=None, help="default Hub repo the refresh publishes to")
    args = ap.parse_args()
    defaults = {k: v for k, v in {"recipe": args.recipe, "repo_id": args.repo_id}.items() if v}
    serve(
        generate_dataset.to_deployment(name=args.name),
        refresh_dataset.to_deployment(name=args.name, cron=args.cron or None, parameters=defaults),
    )


if __name__ == "__main__":
    main()
