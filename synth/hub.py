"""Publishing a dataset folder to the Hugging Face Hub in one commit.

1. Stage: the files the manifest lists (every shard, checked against its sha256), the card and the manifest.
2. Self-check: every config loads with ``datasets.load_dataset(folder, config)``.
3. Upload: the Parquet files are pre-uploaded (``preupload_lfs_files``), then a single ``create_commit`` adds
   everything, so the repo never shows half a dataset; a failure before it commits nothing. Commits are
   retried on 429 / 412 with backoff and jitter. An optional tag marks the version.
The token comes from ``HF_TOKEN`` or the Hugging Face login and is never printed or written.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synth.errors import SynthError
from synth.inspect import load
from synth.shards import sha256

RETRY_STATUS = (412, 429)


@dataclass
class Staged:
    path: Path  # on disk
    in_repo: str  # path in the repo
    size: int


def stage(folder: Path) -> list[Staged]:
    manifest = load(folder)
    files = []
    for key, config in manifest["configs"].items():
        for shard in config["shards"]:
            path = folder / shard["file"]
            if not path.is_file():
                raise SynthError(f"{folder}: {shard['file']} of {key} is missing; run synth generate again")
            if sha256(path) != shard["sha256"]:
                raise SynthError(f"{folder}: {shard['file']} does not match its manifest checksum")
            files.append(Staged(path, shard["file"], path.stat().st_size))
    for asset in manifest.get("assets", []):  # the card's histograms and sample images
        path = folder / asset["file"]
        if not path.is_file() or sha256(path) != asset["sha256"]:
            raise SynthError(f"{folder}: {asset['file']} is missing or does not match its manifest checksum")
        files.append(Staged(path, asset["file"], path.stat().st_size))
    for name in ("README.md", "manifest.json"):
        if not (folder / name).is_file():
            raise SynthError(f"{folder}: {name} is missing")
        files.append(Staged(folder / name, name, (folder / name).stat().st_size))
    return files


def self_check(folder: Path) -> dict[str, int]:
    """Rows per config as ``datasets`` loads them; SynthError naming the config that does not load."""
    import datasets

    manifest = load(folder)
    configs = sorted({key.split("/")[0] for key in manifest["configs"]})
    rows = {}
    for config in configs:
        try:
            loaded = datasets.load_dataset(str(folder), config)
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SynthError(
                f"{folder}: self-check failed: config {config!r} does not load: {first}"
            ) from None
        rows[config] = sum(len(split) for split in loaded.values())
        expected = sum(v["rows"] for k, v in manifest["configs"].items() if k.split("/")[0] == config)
        if rows[config] != expected:
            raise SynthError(
                f"{folder}: self-check failed: config {config!r} loads {rows[config]} rows, manifest says {expected}"
            )
    return rows


def _validate_repo_id(repo_id: str) -> None:
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        raise SynthError(
            f"--repo-id: {repo_id!r} is not a valid repo id ({str(exc).splitlines()[0]})"
        ) from None
    if repo_id.count("/") != 1:
        raise SynthError(f"--repo-id: {repo_id!r} should be ORG/NAME")


def _with_retries(call, attempts: int = 6, base: float = 1.0):
    from huggingface_hub.errors import HfHubHTTPError

    for attempt in range(attempts):
        try:
            return call()
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status not in RETRY_STATUS or attempt == attempts - 1:
                raise
            time.sleep(min(30.0, base * 2**attempt) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")


def _reason(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if status is not None:
        hint = {401: " (the token was refused)", 403: " (the token may not write to this repo)"}.get(
            status, ""
        )
        return f"the Hub answered {status}{hint}"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{type(exc).__name__}: {first[:200]}"


def publish(
    folder: Path,
    repo_id: str,
    private: bool = False,
    dry_run: bool = False,
    tag: str | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """Stage, self-check and commit ``folder`` to the dataset repo ``repo_id``; returns what was done."""
    _validate_repo_id(repo_id)
    files = stage(folder)
    rows = self_check(folder)
    manifest = load(folder)
    message = (
        message or f"synth: {manifest['name']} (data key {manifest['data_key']}, seed {manifest['seed']})"
    )
    plan = {
        "repo_id": repo_id,
        "message": message,
        "tag": tag,
        "rows": rows,
        "operations": [{"add": f.in_repo, "bytes": f.size} for f in files],
    }
    if dry_run:
        return {**plan, "committed": False}
    from huggingface_hub import CommitOperationAdd, HfApi, get_token

    token = get_token()
    if not token:
        raise SynthError("no Hugging Face token: set HF_TOKEN or run `hf auth login`")
    api = HfApi(token=token)
    ops = [CommitOperationAdd(path_in_repo=f.in_repo, path_or_fileobj=str(f.path)) for f in files]
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        data_ops = [op for op in ops if op.path_in_repo.endswith(".parquet")]
        _with_retries(lambda: api.preupload_lfs_files(repo_id, additions=data_ops, repo_type="dataset"))
        commit = _with_retries(
            lambda: api.create_commit(repo_id, operations=ops, commit_message=message, repo_type="dataset")
        )
    except Exception as exc:  # HTTP errors, dropped connections, refused uploads: one line, nothing committed
        raise SynthError(f"publish {repo_id}: {_reason(exc)}; nothing was committed") from None
    if tag:
        try:
            _with_retries(
                lambda: api.create_tag(
                    repo_id, tag=tag, revision=commit.oid, repo_type="dataset", tag_message=message
                )
            )
        except Exception as exc:
            raise SynthError(
                f"publish {repo_id}: committed {commit.oid} but the tag {tag!r} failed: {_reason(exc)}"
            ) from None
    return {**plan, "committed": True, "commit": commit.oid, "url": commit.commit_url}
