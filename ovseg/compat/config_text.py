"""Read a value from config text stored in a checkpoint without executing the text.

mmengine checkpoints carry the training config as Python source (``meta['cfg']``; mmcv-era
ones ``meta['config']``). mmengine's ``Config.fromstring`` *executes* that source, so a
checkpoint that is weights-only clean could still run code. Here the text is only parsed
(:func:`ast.parse` builds a syntax tree, runs nothing) and the requested entry is evaluated
with :func:`ast.literal_eval`, which accepts literals only; ``dict(k=v, ...)``, the form
mmengine's ``pretty_text`` writes, is read as a dict of literals. Python's ``ast`` has no
"look up an assignment" helper and mmengine no non-executing config reader, hence this module.
"""
import ast
from typing import Any, Optional

_MISSING = object()


def _literal(node: ast.AST) -> Any:
    """``ast.literal_eval`` that also reads ``dict(key=literal, ...)`` calls."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == 'dict' and not node.args
            and all(k.arg is not None for k in node.keywords)):
        return {k.arg: _literal(k.value) for k in node.keywords}
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal(e) for e in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_literal(k): _literal(v) for k, v in zip(node.keys, node.values)}
    return ast.literal_eval(node)


def _member(node: ast.AST, key: str) -> Any:
    """The sub-node ``key`` of a ``dict(...)`` call or ``{...}`` display (or _MISSING)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'dict':
        for keyword in node.keywords:
            if keyword.arg == key:
                return keyword.value
    elif isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values):
            if isinstance(k, ast.Constant) and k.value == key:
                return v
    return _MISSING


def read_config_value(text: str, dotted_key: str, default: Any = None) -> Any:
    """The literal value of ``dotted_key`` (e.g. ``'model.model_name'``) in config source ``text``.

    Only top-level assignments (``name = ...``) and nested ``dict(...)``/``{...}`` entries are
    followed. Nothing in ``text`` runs.

    Args:
        text (str): Python config source, as mmengine stores it in a checkpoint.
        dotted_key (str): top-level name, then keys of nested dicts, joined by dots.
        default (Any): returned when the key is absent, the text does not parse, or the
            value is not a literal (an expression would need executing). Defaults to None.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return default
    name, *keys = dotted_key.split('.')
    node: Optional[Any] = _MISSING
    for statement in tree.body:  # the last assignment wins, as when executed
        if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in statement.targets):
            node = statement.value
    for key in keys:
        if node is _MISSING:
            break
        node = _member(node, key)
    if node is _MISSING:
        return default
    try:
        return _literal(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return default
