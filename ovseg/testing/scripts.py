"""Loading the repository's scripts (``tools/``, ``demo/``) as modules, for their tests."""
import importlib.util
import os.path as osp
from types import ModuleType

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_script(relative_path: str) -> ModuleType:
    """Import a script of the repository by its path (scripts are not a package).

    Args:
        relative_path (str): path from the repository root, e.g. ``'tools/quickstart.py'``.

    Returns:
        ModuleType: the executed module, named after the file.

    Examples:
        >>> load_script('tools/quickstart.py').WORLD['seed']
        0
    """
    path = osp.join(REPO_ROOT, relative_path)
    name = osp.splitext(osp.basename(path))[0]
    spec = importlib.util.spec_from_file_location(f'ovseg_script_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
