"""ML912 hub-revision-unpinned: a Hub repository loaded without a pinned commit."""

from __future__ import annotations

import ast

from mlsmells.engine import Check, Context
from mlsmells.records import Family, Rule
from mlsmells.rules._util import constant, keyword
from mlsmells.rules.huggingface._hub import (
    DATASET_LOADERS,
    HUB_DOWNLOADS,
    HUB_ROOTS,
    LOADER_NAMES,
    PACKAGED_BUILDERS,
    is_local_path,
    is_repo_id,
    keyword_value,
    model_argument,
    pinned,
    string,
)
from mlsmells.semantic.scopes import Scope, ScopeType

RULE = Rule(
    code="ML912",
    name="hub-revision-unpinned",
    pylint_id="C7692",
    family=Family.OPINIONATED,
    message="`{call}` loads `{repo}` from the Hub without `revision=` pinned to a commit",
    summary=(
        "A model, tokenizer, dataset or file is loaded from a Hub repository without "
        "`revision=` set to a commit hash."
    ),
    rationale=(
        "Without a revision, every load fetches whatever the repository's main branch "
        "holds that day: weights, tokenizer files, configuration and data can change "
        "under a training run or a deployed service, and results stop being reproducible "
        "(a branch or tag name can move too). Pinning `revision=` to a commit hash makes "
        "the load exact. The rule reports `from_pretrained` of `transformers`, "
        "`diffusers` and `peft` classes, `SentenceTransformer`, `pipeline(model=...)`, "
        "`load_dataset` and `hf_hub_download`/`snapshot_download` (whose `repo_id` is "
        "always a repository), when `revision=` is missing, `None` or not a 40-character "
        "hexadecimal hash. For the loaders that also read local folders it needs the "
        "name as a literal (or a name bound to one) spelled like a repository id: "
        "`owner/name`, or a bare name such as `gpt2` (canonical repositories of the Hub). "
        "It stays silent on paths (`./out`, `/models/m`, a file name, `checkpoint-500`), "
        "on a name the same file saves to (`save_pretrained`, `save_model`, "
        "`save_to_disk`, `output_dir=`), on the builders `datasets` ships "
        '(`load_dataset("csv", ...)`), with `local_files_only=True`, and when the name '
        "or the revision comes from a parameter or a setting. `pipeline(task)` without "
        "a model loads the task's default model at a revision transformers pins itself."
    ),
    bad='tokenizer = AutoTokenizer.from_pretrained("google-bert/bert-base-uncased")\n',
    good=(
        "tokenizer = AutoTokenizer.from_pretrained(\n"
        '    "google-bert/bert-base-uncased",\n'
        '    revision="86b5e0934494bd15c9632b12f734a8a67f723594",\n'
        ")\n"
    ),
    default_enabled=False,
    noise=(
        "Tutorials, notebooks and experiments load the latest revision on purpose, and "
        "a repository owned by the same team moves with the code that loads it; pinning "
        "matters most in services, evaluations and published results."
    ),
)

#: Methods and keywords that name a folder the file writes a model or dataset to.
_SAVES = frozenset({"save_pretrained", "save_model", "save_to_disk"})
_SAVE_KEYWORDS = frozenset({"output_dir", "save_directory", "dataset_path"})


class HubRevisionUnpinned(Check):
    """ML912: a Hub repository loaded without ``revision=`` pinned to a commit."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = HUB_ROOTS

    def __init__(self, ctx: Context, active: frozenset[str]) -> None:
        super().__init__(ctx, active)
        self.saved: set[str] = set()
        """Folders the file saves models or datasets to (local, whatever they look like)."""
        self.loads: dict[int, tuple[ast.Call, str, str]] = {}
        """id of a call -> (the call, the repository as spelled, the text of its callee)."""

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        self._record_saves(node)
        if not self.model.may_resolve_to(node.func, LOADER_NAMES):
            return  # (most calls: resolved no further)
        qualname = self.model.qualname(node.func)
        if qualname is None or qualname.partition(".")[0] not in HUB_ROOTS:
            return
        if qualname in HUB_DOWNLOADS:
            repo_arg = keyword(node, "repo_id")
            repo_value = repo_arg.value if repo_arg is not None else None
            if repo_value is None and node.args and not isinstance(node.args[0], ast.Starred):
                repo_value = node.args[0]
            repo = string(self.model, repo_value) or self.ctx.source_of(repo_value or node)
        else:
            loaded = model_argument(self.model, node)
            text = string(self.model, loaded[1]) if loaded is not None else None
            if text is None or is_local_path(text) or not is_repo_id(text):
                return
            if qualname in DATASET_LOADERS and text.lower() in PACKAGED_BUILDERS:
                return
            repo = text
        offline = constant(self.model, keyword_value(self.model, node, "local_files_only")[1])
        if offline is not None and offline.value is True:
            return
        if pinned(self.model, node) is False:
            self.loads[id(node)] = (node, repo, self.ctx.source_of(node.func))

    def _record_saves(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _SAVES and call.args:
            text = string(self.model, call.args[0])
            if text is not None:
                self.saved.add(text.rstrip("/"))
        for kw in call.keywords:
            if kw.arg in _SAVE_KEYWORDS:
                text = string(self.model, kw.value)
                if text is not None:
                    self.saved.add(text.rstrip("/"))

    def _saved_here(self, repo: str) -> bool:
        return any(repo == folder or repo.startswith(folder + "/") for folder in self.saved)

    def leave_scope(self, scope: Scope) -> None:
        if scope.type is not ScopeType.MODULE:
            return
        for call, repo, callee in self.loads.values():
            if not self._saved_here(repo):
                self.report("ML912", call, call=callee, repo=repo)
