"""The dataset file cache: one uncompressed ``.npz`` without pickled objects.

Members: ``__format__``, ``__fingerprint__`` and ``__codebook__`` (UTF-8 bytes as uint8
arrays), ``__invalid__`` (JSON counts), ``c/<code>`` for each column and
``t/<code>/data|offsets|missing`` for each text column. Uncompressed, because reading
200k rows then costs a file read, not a decompression; ``read_fingerprint`` opens only the
fingerprint member, so a loader can decide whether the file is stale without reading it.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from instruments.messages import gettext_noop

from ._extract import TextColumn
from .codebook import Codebook
from .errors import AnalysisError

if TYPE_CHECKING:
    from .dataset import Dataset

FORMAT = "survey-dataset/1"


def _text_bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(arr: np.ndarray) -> str:
    return arr.tobytes().decode("utf-8")


def save_dataset(ds: Dataset, path: str | os.PathLike[str]) -> None:
    """Write ``ds`` to ``path`` atomically (a temporary file renamed into place)."""
    members: dict[str, Any] = {
        "__format__": _text_bytes(FORMAT),
        "__fingerprint__": _text_bytes(ds.fingerprint),
        "__codebook__": _text_bytes(ds.codebook.to_json()),
        "__invalid__": _text_bytes(json.dumps(dict(ds.invalid))),
    }
    for code, col in ds.columns.items():
        members[f"c/{code}"] = col
    for code, t in ds.texts.items():
        members[f"t/{code}/data"] = t.data
        members[f"t/{code}/offsets"] = t.offsets
        members[f"t/{code}/missing"] = t.missing
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, allow_pickle=False, **members)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _open(path: str | os.PathLike[str]) -> Any:
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise AnalysisError(
            gettext_noop("{path} is not a readable dataset file."), path=str(path)
        ) from exc
    if "__format__" not in npz.files or _text(npz["__format__"]) != FORMAT:
        npz.close()
        raise AnalysisError(
            gettext_noop("{path} is not a dataset file of this version."), path=str(path)
        )
    return npz


def read_fingerprint(path: str | os.PathLike[str]) -> str | None:
    """The fingerprint stored in ``path``; None when there is no usable file."""
    if not Path(path).exists():
        return None
    try:
        with _open(path) as npz:
            return _text(npz["__fingerprint__"])
    except AnalysisError:
        return None


def load_dataset(path: str | os.PathLike[str], fingerprint: str | None = None) -> Dataset:
    """Read a dataset; with ``fingerprint`` refuse a file whose fingerprint differs."""
    from .dataset import Dataset

    with _open(path) as npz:
        stored = _text(npz["__fingerprint__"])
        if fingerprint is not None and stored != fingerprint:
            raise AnalysisError(
                gettext_noop("{path} holds an outdated dataset (fingerprint differs)."),
                path=str(path),
            )
        book = Codebook.from_json(_text(npz["__codebook__"]))
        invalid = json.loads(_text(npz["__invalid__"]))
        columns: dict[str, np.ndarray] = {}
        parts: dict[str, dict[str, np.ndarray]] = {}
        for name in npz.files:
            if name.startswith("c/"):
                columns[name[2:]] = npz[name]
            elif name.startswith("t/"):
                code, part = name[2:].rsplit("/", 1)
                parts.setdefault(code, {})[part] = npz[name]
    texts = {code: TextColumn(p["data"], p["offsets"], p["missing"]) for code, p in parts.items()}
    return Dataset(book, columns, texts, stored, invalid)
