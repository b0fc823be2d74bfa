"""Loading the repository's scripts (``tools/``, ``demo/``) as modules, for their tests."""
import importlib
import importlib.util
import os
import os.path as osp
import sys
from types import ModuleType

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def script_env(**extra: str) -> dict:
    """The environment for running a script of the repository in a subprocess of a test.

    Read from ``os.environ`` when called, not when a test module is imported, so what a test's
    fixtures set (the per-test ``$OVSEG_CACHE`` of ``tests/conftest.py``) reaches the script: an
    environment captured at import time let test runs publish tiny weights into the user's
    ``~/.cache/ovseg``.

    Args:
        **extra (str): variables to set on top, e.g. ``PORT='29731'``.

    Returns:
        dict: ``os.environ`` with ``PYTHONPATH`` the repository root, one OpenMP thread, ``extra``.
    """
    return dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1', **extra)


def _on_path(folder: str) -> None:
    """Make the modules beside a script importable, as running it does (``python tools/x.py``
    puts ``tools/`` first on ``sys.path``). Appended, not prepended: ``tools/test.py`` must not
    shadow the standard library's ``test`` package in the test process."""
    if folder not in sys.path:
        sys.path.append(folder)


def load_script(relative_path: str) -> ModuleType:
    """Import a script of the repository by its path (scripts are not a package).

    Its folder goes on ``sys.path``, so the script's imports of modules beside it (e.g.
    ``tools/benchmarks/``) resolve as when it runs.

    Args:
        relative_path (str): path from the repository root, e.g. ``'tools/quickstart.py'``.

    Returns:
        ModuleType: the executed module, named after the file.

    Examples:
        >>> load_script('tools/quickstart.py').WORLD['seed']
        0
    """
    path = osp.join(REPO_ROOT, relative_path)
    _on_path(osp.dirname(path))
    name = osp.splitext(osp.basename(path))[0]
    spec = importlib.util.spec_from_file_location(f'ovseg_script_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def import_tool(name: str) -> ModuleType:
    """Import module ``name`` of ``tools/`` (e.g. ``'benchmarks.denseclip'``), as the scripts
    there import it.

    Examples:
        >>> 'denseclip' in import_tool('benchmarks.common').load_benchmarks()
        True
    """
    _on_path(osp.join(REPO_ROOT, 'tools'))
    return importlib.import_module(name)
