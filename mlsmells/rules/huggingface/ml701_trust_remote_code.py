"""ML701 trust-remote-code: `trust_remote_code=True` runs code of a Hub repository."""

from __future__ import annotations

import ast

from mlsmells.engine import Check
from mlsmells.records import Family, Rule
from mlsmells.rules._util import constant
from mlsmells.rules.huggingface._hub import (
    REMOTE_CODE_ROOTS,
    is_local_path,
    keyword_value,
    model_argument,
    pinned,
    string,
)

RULE = Rule(
    code="ML701",
    name="trust-remote-code",
    pylint_id="W7671",
    family=Family.HUGGINGFACE,
    message="`{call}(..., trust_remote_code=True)` runs Python code downloaded from the Hub",
    summary=(
        "A model, tokenizer, pipeline or dataset is loaded with `trust_remote_code=True` "
        "and no pinned revision."
    ),
    rationale=(
        "With `trust_remote_code=True`, `from_pretrained`, `pipeline`, `load_dataset`, "
        "`SentenceTransformer` and the like import Python files of the repository on the "
        "Hub and run them with your privileges; whoever can push to that repository "
        "(its owner, or anyone who took over the account) decides what runs on the next "
        "load. Prefer a model whose architecture the library ships; if the custom code is "
        "needed, read it and pin `revision=` to the commit you read, as the Hugging Face "
        "documentation advises. The rule looks at calls of `transformers`, `datasets`, "
        "`sentence_transformers`, `diffusers`, `peft`, `optimum`, `auto_gptq`, `vllm`, "
        "`modelscope` and `setfit` (any class's `from_pretrained`, `AutoConfig` and "
        "`AutoTokenizer` included), resolved through imports. It reports a literal "
        "`True`, a name bound to `True`, and `trust_remote_code=True` inside a "
        "`**options` dict written in the file (`dict(trust_remote_code=True)`). It is "
        "silent when the value comes from a parameter or a setting "
        "(`args.trust_remote_code`): the user decides then; when `revision=` is pinned to "
        "a 40-character commit hash; and when the model is loaded from a literal local "
        "path (`./model`, `/models/m`, `org/name/`) or a bare folder name (`output_merged`: "
        "a repository with custom code always has an owner, `org/name`), whose code is "
        "already on disk (except for `peft`'s `AutoPeftModel*`, which loads the "
        "adapter's base model from the Hub), and on `GenerationConfig.from_pretrained`, "
        "which reads a JSON file only."
    ),
    bad=(
        "model = AutoModelForCausalLM.from_pretrained(\n"
        '    "THUDM/chatglm-6b", trust_remote_code=True\n'
        ")\n"
    ),
    good=(
        "model = AutoModelForCausalLM.from_pretrained(\n"
        '    "THUDM/chatglm-6b",\n'
        "    trust_remote_code=True,\n"
        '    revision="8b7d33596d18c5e83e2da052d05ca4db02e60620",  # the commit reviewed\n'
        ")\n"
    ),
)


#: Loaders that accept ``trust_remote_code`` but never import code (a JSON file only).
_NO_CODE = frozenset(
    {
        "transformers.GenerationConfig.from_pretrained",
        "transformers.generation.GenerationConfig.from_pretrained",
        "transformers.generation.configuration_utils.GenerationConfig.from_pretrained",
    }
)

#: peft's ``AutoPeftModel*`` reads an adapter from a folder, and the base model named in
#: its configuration from the Hub.
_BASE_FROM_HUB = "peft.AutoPeftModel"
#: Engines that take the model's name first (or as ``model=``).
_BY_MODEL = frozenset({"vllm.LLM", "vllm.entrypoints.llm.LLM"})


class TrustRemoteCode(Check):
    """ML701: ``trust_remote_code=True`` in a Hugging Face loader."""

    rules = (RULE,)
    nodes = (ast.Call,)
    requires = REMOTE_CODE_ROOTS

    def visit(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        if not any(kw.arg is None or kw.arg == "trust_remote_code" for kw in node.keywords):
            return  # (most calls: no need to resolve the callee)
        qualname = self.model.qualname(node.func)
        if qualname is None or qualname.partition(".")[0] not in REMOTE_CODE_ROOTS:
            return
        value = keyword_value(self.model, node, "trust_remote_code")[1]
        found = constant(self.model, value)
        if found is None or found.value is not True:
            return
        if pinned(self.model, node):
            return
        if qualname in _NO_CODE:
            return
        path = string(self.model, self._loaded(node, qualname))
        if path is not None and (is_local_path(path) or "/" not in path):
            if not qualname.startswith(_BASE_FROM_HUB):
                return  # a folder on disk (custom code lives in ``owner/name`` repositories)
        self.report("ML701", node, call=self.ctx.source_of(node.func))

    def _loaded(self, call: ast.Call, qualname: str) -> ast.expr | None:
        """The argument naming the model or dataset ``call`` loads, if known."""
        loaded = model_argument(self.model, call)
        if loaded is not None:
            return loaded[1]
        if qualname.endswith(".from_pretrained") or qualname in _BY_MODEL:
            for kw in call.keywords:
                if kw.arg in ("pretrained_model_name_or_path", "model"):
                    return kw.value
            return call.args[0] if call.args else None
        return None
