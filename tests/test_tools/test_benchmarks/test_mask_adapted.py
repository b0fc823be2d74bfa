"""``tools/benchmark.py mask-adapted synthworld``: its options are checked before any run."""
import argparse

import pytest

from ovseg.testing import import_tool

load_benchmarks = import_tool('benchmarks.common').load_benchmarks


def test_mining_with_proposals_needs_their_checkpoint(tmp_path):
    parser = argparse.ArgumentParser()
    run = load_benchmarks()['mask-adapted'].setup(parser)
    options = parser.parse_args(['synthworld', '--mine-with-proposals',
                                 '--work-dir', str(tmp_path)])
    with pytest.raises(ValueError, match='--proposals-checkpoint'):
        run(options)
