"""Calls that fetch from the Hugging Face Hub, and what their arguments say (ML701, ML912)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlsmells.rules._util import constant, keyword
from mlsmells.semantic.model import SemanticModel
from mlsmells.semantic.names import last_names

#: Libraries whose ``trust_remote_code=True`` runs Python code of a Hub repository.
REMOTE_CODE_ROOTS = frozenset(
    {
        "transformers", "datasets", "sentence_transformers", "diffusers", "peft", "optimum",
        "auto_gptq", "vllm", "modelscope", "setfit",
    }
)  # fmt: skip

#: Libraries whose calls load a repository of the Hub (ML912).
HUB_ROOTS = frozenset(
    {"transformers", "datasets", "sentence_transformers", "diffusers", "peft", "huggingface_hub"}
)

#: Functions that download from a Hub repository named by ``repo_id`` -- always a
#: repository id, whatever its spelling.
HUB_DOWNLOADS = frozenset(
    {
        "huggingface_hub.hf_hub_download",
        "huggingface_hub.file_download.hf_hub_download",
        "huggingface_hub.snapshot_download",
        "huggingface_hub._snapshot_download.snapshot_download",
    }
)

#: ``load_dataset`` and its builder: the dataset's path or name is the first argument.
DATASET_LOADERS = frozenset(
    {
        "datasets.load_dataset",
        "datasets.load.load_dataset",
        "datasets.load_dataset_builder",
        "datasets.load.load_dataset_builder",
    }
)

#: The builders ``datasets`` ships (``load_dataset("csv", data_files=...)``): local or
#: URL data, no repository of the Hub.
PACKAGED_BUILDERS = frozenset(
    {
        "csv", "json", "parquet", "text", "arrow", "pandas", "sql", "generator", "spark",
        "imagefolder", "audiofolder", "videofolder", "pdffolder", "niftifolder",
        "webdataset", "xml", "cache", "hdf5", "eval", "lance",
    }
)  # fmt: skip

#: Classes whose constructor takes the model's name or path first.
_CONSTRUCTED = frozenset(
    {
        "sentence_transformers.SentenceTransformer",
        "sentence_transformers.CrossEncoder",
        "sentence_transformers.cross_encoder.CrossEncoder",
        "sentence_transformers.SparseEncoder",
    }
)
_PIPELINES = frozenset({"transformers.pipeline", "transformers.pipelines.pipeline"})
#: The last names of the loads :func:`model_argument` knows and of the Hub's downloads
#: (``from_pretrained`` for every class that has one), for ``SemanticModel.may_resolve_to``.
LOADER_NAMES = last_names([*HUB_DOWNLOADS, *DATASET_LOADERS, *_CONSTRUCTED, *_PIPELINES]) | {
    "from_pretrained"
}
#: ``PeftModel.from_pretrained(model, model_id)``: the adapter's id comes second.
_PEFT_MODELS = re.compile(r"^peft\.(?:peft_model\.)?PeftModel\w*\.from_pretrained$")

#: A repository id: ``name`` or ``owner/name`` (letters, digits, ``-``, ``_``, ``.``).
_REPO_ID = re.compile(r"^(?:[A-Za-z0-9][\w.-]*/)?[A-Za-z0-9][\w.-]*$")
#: The last part of a name that is a file or a checkpoint folder, not a repository.
_FILE_LIKE = re.compile(
    r"\.(?:bin|pt|pth|ckpt|json|safetensors|pkl|pickle|txt|csv|model|h5|onnx|gguf|zip|"
    r"tar|gz|npz|npy|msgpack|yaml|yml)$|^checkpoint-\d+$",
    re.IGNORECASE,
)
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def model_argument(model: SemanticModel, call: ast.Call) -> tuple[str, ast.expr | None] | None:
    """For a call that loads a model, tokenizer or dataset from the Hub (or a local
    folder): its qualified name and the argument naming what to load (``None``: not
    given); ``None`` for any other call."""
    qualname = model.qualname(call.func)
    if qualname is None:
        return None
    root = qualname.partition(".")[0]
    if root not in HUB_ROOTS:
        return None
    if _PEFT_MODELS.match(qualname):
        return qualname, _argument(call, 1, "model_id")
    if qualname.endswith(".from_pretrained") and root != "huggingface_hub":
        return qualname, _argument(call, 0, "pretrained_model_name_or_path")
    if qualname in _CONSTRUCTED:
        given = _argument(call, 0, "model_name_or_path")
        return qualname, given if given is not None else _argument(call, 0, "model_name")
    if qualname in _PIPELINES:
        return qualname, _argument(call, 1, "model")
    if qualname in DATASET_LOADERS:
        return qualname, _argument(call, 0, "path")
    return None


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    found = keyword(call, name)
    if found is not None:
        return found.value
    positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    if len(positional) == len(call.args) and len(positional) > position:
        return positional[position]
    return None


def string(model: SemanticModel, expr: ast.expr | None) -> str | None:
    """The string ``expr`` is, as a literal or a name bound to one."""
    found = constant(model, expr)
    return found.value if found is not None and isinstance(found.value, str) else None


def is_local_path(text: str) -> bool:
    """A string that names a file or folder on disk (``./model``, ``/data/m``, ``~/m``,
    ``C:\\m``, ``org/name/``: a repository id has no trailing slash), not a repository
    of the Hub."""
    return (
        text.startswith(("/", "./", "../", "~", ".\\", "..\\"))
        or text.endswith("/")
        or text in (".", "..")
        or "\\" in text
        or bool(re.match(r"^[A-Za-z]:", text))
    )


def is_repo_id(text: str) -> bool:
    """Whether ``text`` is spelled as a repository id of the Hub (``gpt2``,
    ``google-bert/bert-base-uncased``), not as a path or a file."""
    if not _REPO_ID.match(text) or len(text) > 96 or ".." in text or "--" in text:
        return False
    return not _FILE_LIKE.search(text.rpartition("/")[2])


def is_commit(text: str) -> bool:
    return bool(_COMMIT.match(text))


def keyword_value(model: SemanticModel, call: ast.Call, name: str) -> tuple[bool, ast.expr | None]:
    """The argument ``name`` of ``call``: passed explicitly, or in a ``**options`` whose
    name is bound to a dict display or a ``dict(...)`` call in this file. First item:
    whether every ``**`` of the call could be read (False: it may hold ``name``)."""
    found = keyword(call, name)
    if found is not None:
        return True, found.value
    known = True
    for kw in call.keywords:
        if kw.arg is not None:
            continue
        pairs = _dict_items(model, kw.value) if isinstance(kw.value, ast.Name) else None
        items = dict(pairs) if pairs is not None else None
        if items is None:
            known = False
        elif name in items:
            return True, items[name]
    return known, None


def _dict_items(model: SemanticModel, name: ast.Name) -> Iterator[tuple[str, ast.expr]] | None:
    binding = model.lookup(name.id)
    value = binding.node if binding is not None else None
    if isinstance(value, ast.Dict):
        if any(key is None for key in value.keys):
            return None  # {**other, ...}
        pairs = [
            (key.value, item)
            for key, item in zip(value.keys, value.values, strict=True)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        ]
        return iter(pairs) if len(pairs) == len(value.keys) else None
    if isinstance(value, ast.Call) and model.qualname(value.func) == "builtins.dict":
        if value.args or any(kw.arg is None for kw in value.keywords):
            return None
        return ((kw.arg, kw.value) for kw in value.keywords if kw.arg is not None)
    return None


def pinned(model: SemanticModel, call: ast.Call) -> bool | None:
    """Whether ``call`` pins ``revision=`` to a commit hash: True (a 40-hex literal, or a
    name bound to one), False (no revision, or a branch or tag name), None (unknown: a
    parameter, a setting, an unread ``**options``)."""
    known, value = keyword_value(model, call, "revision")
    if value is None:
        return False if known else None
    text = string(model, value)
    if text is None:
        found = constant(model, value)
        return False if found is not None and found.value is None else None
    return is_commit(text)
