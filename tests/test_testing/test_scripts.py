"""ovseg.testing.scripts: repository scripts imported by path, their folder after the stdlib."""
import os
import os.path as osp
import sys

from ovseg.testing import load_script
from ovseg.testing.scripts import REPO_ROOT


def test_each_load_runs_the_script_afresh_and_keeps_the_stdlib_first():
    first, second = load_script('tools/quickstart.py'), load_script('tools/quickstart.py')
    assert first is not second and first.__name__ == 'ovseg_script_quickstart'
    tools = osp.join(REPO_ROOT, 'tools')
    stdlib = osp.dirname(os.__file__)  # tools/test.py must not shadow the stdlib's ``test``
    assert sys.path.index(tools) > sys.path.index(stdlib)
