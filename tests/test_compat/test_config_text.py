"""ovseg.compat.config_text: values from stored config source, parsed and never executed."""
from ovseg.compat import read_config_value
from ovseg.testing import config_text_writing


def test_reads_literals_and_dict_calls_without_running(tmp_path):
    marker = tmp_path / 'ran'
    text = config_text_writing(str(marker), extra=(
        "gpu_ids = [0, 1]\nmodel = dict(type='X', model_name='tiny', size=(32, -1), "
        "head=dict(width=8), extra={'a': 1})\n"))
    assert read_config_value(text, 'gpu_ids') == [0, 1]
    assert read_config_value(text, 'model.model_name') == 'tiny'
    assert read_config_value(text, 'model.size') == (32, -1)
    assert read_config_value(text, 'model.head.width') == 8
    assert read_config_value(text, 'model.extra.a') == 1
    assert read_config_value(text, 'model.missing', default='d') == 'd'
    assert not marker.exists()


def test_expressions_are_not_evaluated(tmp_path):
    marker = tmp_path / 'ran'
    code = f"__import__('pathlib').Path({str(marker)!r}).write_text('x')"
    assert read_config_value(f'gpu_ids = {code}', 'gpu_ids') is None
    assert read_config_value(f'model = dict(model_name={code})', 'model.model_name') is None
    assert read_config_value('model = dict(**other)', 'model') is None
    assert read_config_value('gpu_ids = [0, (', 'gpu_ids') is None  # not Python
    assert not marker.exists()
