"""The docstring examples of every ``ovseg`` module run as tests, one test per docstring.

``make test`` and CI pass ``tests`` to pytest, so ``--doctest-modules`` (which collects doctests
from the paths it is given) would not reach ``ovseg/``; this file collects them with the standard
library's ``doctest`` finder instead, so a stale example fails the suite.
"""
import doctest
import importlib
import pkgutil

import pytest

import ovseg


def _find_doctests() -> list:
    """Every docstring with examples defined in an ``ovseg`` module, sorted by name."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    found = []
    for info in pkgutil.walk_packages(ovseg.__path__, prefix='ovseg.'):
        module = importlib.import_module(info.name)
        found += [test for test in finder.find(module) if test.examples]
    return sorted(found, key=lambda test: test.name)


DOCTESTS = _find_doctests()


def _run(test: doctest.DocTest) -> doctest.TestResults:
    """Run one doctest; on failure, fail with doctest's report of the differing example."""
    report = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    results = runner.run(test, out=report.append, clear_globs=True)
    if results.failed:
        pytest.fail(''.join(report), pytrace=False)
    return results


@pytest.mark.parametrize('test', DOCTESTS, ids=[test.name for test in DOCTESTS])
def test_docstring_examples(test):
    assert _run(test).attempted == len(test.examples)


def test_doctests_are_found_in_every_layer():
    packages = {test.name.split('.')[1] for test in DOCTESTS}
    assert {'compat', 'datasets', 'models', 'utils'} <= packages, packages


def test_a_wrong_example_fails():
    parser = doctest.DocTestParser()
    wrong = parser.get_doctest('>>> 1 + 1\n3\n', {}, 'wrong', None, 0)
    with pytest.raises(pytest.fail.Exception, match='Expected:\n    3\nGot:\n    2'):
        _run(wrong)
