"""ovseg.testing.runs: losses read back from the work dir of a (resumed) run."""
import json

from ovseg.testing.runs import logged_losses


def _write_run(work_dir, name: str, records: list) -> None:
    folder = work_dir / name / 'vis_data'
    folder.mkdir(parents=True)
    (folder / 'scalars.json').write_text(''.join(json.dumps(r) + '\n' for r in records))


def test_a_resumed_run_overrides_the_iterations_it_repeats(tmp_path):
    _write_run(tmp_path, '20260101_000000', [dict(iter=1, loss=3.0), dict(iter=2, loss=2.0),
                                            dict(iter=2, acc=0.5)])
    _write_run(tmp_path, '20260101_000100', [dict(iter=2, loss=1.5), dict(iter=3, loss=1.0)])
    (tmp_path / '20260101_000200').mkdir()  # a run that logged nothing yet
    assert logged_losses(str(tmp_path)) == {1: 3.0, 2: 1.5, 3: 1.0}
