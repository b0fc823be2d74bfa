"""The tests mirror the package: ``ovseg/<path>/<module>.py`` has
``tests/test_<path>/test_<module>.py`` (a private ``_module.py`` drops its underscore)."""
import glob
import os.path as osp

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def mirrored_test(module: str) -> str:
    """``ovseg/a/b.py`` -> ``tests/test_a/test_b.py``, relative to the repository."""
    *folders, name = osp.splitext(osp.relpath(module, osp.join(REPO, 'ovseg')))[0].split(osp.sep)
    return osp.join('tests', *(f'test_{f}' for f in folders), f'test_{name.lstrip("_")}.py')


def test_mirrored_path():
    assert mirrored_test(osp.join(REPO, 'ovseg', 'testing', '_utils.py')) == osp.join(
        'tests', 'test_testing', 'test_utils.py')


def test_every_module_has_its_same_named_test():
    modules = glob.glob(osp.join(REPO, 'ovseg', '**', '*.py'), recursive=True)
    missing = sorted(f'{osp.relpath(m, REPO)} -> {mirrored_test(m)}' for m in modules
                     if osp.basename(m) != '__init__.py'
                     and not osp.isfile(osp.join(REPO, mirrored_test(m))))
    assert not missing, 'modules without a mirrored test:\n' + '\n'.join(missing)
