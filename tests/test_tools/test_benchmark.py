"""``tools/benchmark.py``: the entry point lists and parses every benchmark of
``tools/benchmarks/``, and the library (``ovseg/``) neither holds nor runs any tool."""
import ast
import glob
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

from ovseg.testing import load_script

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
NAMES = ['attributes', 'demo-memory', 'denseclip', 'inferencer', 'mask-adapted',
         'mask-classification', 'pmp-synthworld', 'sam-proposals', 'synthclip-probe',
         'text-retrieval', 'text-retrieval-encode']
# every (sub)command, as typed after `tools/benchmark.py`
COMMANDS = [['attributes'], ['demo-memory'], ['denseclip', 'speed'], ['denseclip', 'synthworld'],
            ['inferencer'], ['mask-adapted', 'synthworld'], ['mask-classification'],
            ['pmp-synthworld'], ['sam-proposals'], ['synthclip-probe'], ['text-retrieval'],
            ['text-retrieval-encode']]
TOOL_SCRIPT = re.compile(r'(^|[\s/])(tools|demo)/[\w/]+\.py')


def test_list_names_every_benchmark():
    proc = subprocess.run([sys.executable, 'tools/benchmark.py', '--list'], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [line.split(':')[0] for line in proc.stdout.splitlines()] == NAMES


@pytest.mark.parametrize('command', COMMANDS, ids=' '.join)
def test_every_benchmark_has_its_help(command, capsys):
    main = load_script('tools/benchmark.py').main
    with pytest.raises(SystemExit) as exit_:
        main([*command, '--help'])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith('usage: ')


def _code_strings(path: str):
    """String constants of a module, docstrings left out."""
    tree = ast.parse(open(path).read())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings]


def test_library_neither_holds_nor_runs_tools():
    """No ``ovseg/`` module is a benchmark or names a script of ``tools/`` or ``demo/`` in its
    code (docstrings may point to them; ``ovseg/testing/scripts.py`` loads them for tests; the
    weights registry ``ovseg/utils/weights.py`` and the model zoo ``ovseg/apis/zoo.py`` name the
    training or conversion command that produces each weight, and never run it)."""
    offenders = []
    for path in sorted(glob.glob(osp.join(REPO, 'ovseg', '**', '*.py'), recursive=True)):
        rel = osp.relpath(path, REPO)
        if rel in (osp.join('ovseg', 'testing', 'scripts.py'),
                   osp.join('ovseg', 'utils', 'weights.py'), osp.join('ovseg', 'apis', 'zoo.py')):
            continue
        if osp.basename(path).startswith('benchmark'):
            offenders.append(rel)
        offenders += [f'{rel}: {s!r}' for s in _code_strings(path) if TOOL_SCRIPT.search(s)]
    assert not offenders


@pytest.mark.slow
def test_benchmark_training_never_replaces_the_users_weights(tmp_path, weights_cache,
                                                             monkeypatch):
    """A benchmark that trains a config whose ExportCLIPHook publishes a weights name (as the
    mask-adapted benchmark does) reads the user's weights by name, keeps what it trains in its
    work dir, and leaves the user's cache as it was."""
    from ovseg.datasets.synthworld import SceneConfig, generate
    from ovseg.testing import TINY_RUN_CONFIG, import_tool, tiny_run_options
    from ovseg.utils.weights import CACHE_ENV, resolve_weights, weights_path
    common = import_tool('benchmarks.common')
    name = 'synthworld-rn-s-captions'  # TINY_RUN_CONFIG's ExportCLIPHook publishes it
    user_file = weights_path(name)
    with open(user_file, 'wb') as f:
        f.write(b'the user weights')
    world, work_dir = str(tmp_path / 'world'), str(tmp_path / 'work')
    generate(world, num_train=16, num_val=6, seed=0, config=SceneConfig(image_size=64),
             workers=1, log=lambda *a: None)
    seen = {}

    def setup(parser):
        def run(args):
            with open(resolve_weights(name), 'rb') as f:
                seen['read'] = f.read()
            common.run_tool(['tools/train.py', TINY_RUN_CONFIG, '--work-dir', work_dir,
                             '--cfg-options', *tiny_run_options(world)],
                            str(tmp_path / 'train.log'))
            seen['cache'] = resolve_weights(name)
        return run

    monkeypatch.setitem(common._BENCHMARKS, 'cache-check',
                        common.Benchmark('cache-check', 'trains a tiny named CLIP', setup))
    load_script('tools/benchmark.py').main(['cache-check'])
    assert seen['read'] == b'the user weights'
    with open(user_file, 'rb') as f:
        assert f.read() == b'the user weights'
    trained = osp.join(work_dir, 'synthclip-rn-s-captions.pt')
    assert osp.isfile(trained) and osp.getsize(trained) > 1000
    assert not osp.exists(osp.dirname(seen['cache']))  # the temporary cache is gone
    assert os.environ[CACHE_ENV] == weights_cache
