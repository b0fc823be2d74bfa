"""SAM built from SAM's classes, loaded weights-only with key checks that name the keys."""
import pytest
import torch

from ovseg.compat import CheckpointMismatchError, UnsafeCheckpointError
from ovseg.models.proposals import (build_sam, build_sam_from_arch, list_sam_variants,
                                    load_sam_weights, read_sam_checkpoint)
from ovseg.testing import TINY_SAM_ARCH, build_tiny_sam


class _NotAWeight:  # pickled by reference: loading it would need code execution
    pass


def _equal(a, b) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def test_variants_and_unknown_name():
    assert list_sam_variants() == ['vit_b', 'vit_l', 'vit_h']
    with pytest.raises(ValueError, match='vit_x'):
        build_sam('vit_x')


def test_round_trip_through_checkpoint(tiny_sam, tiny_sam_checkpoint):
    other = build_tiny_sam(seed=1)
    assert not _equal(other, tiny_sam)
    loaded = build_sam(dict(TINY_SAM_ARCH), checkpoint=tiny_sam_checkpoint)
    assert _equal(loaded, tiny_sam)
    assert not loaded.training


@pytest.mark.parametrize('layout', ['state_dict', 'model', 'module'])
def test_wrapped_layouts(tiny_sam, tmp_path, layout):
    sd = tiny_sam.state_dict()
    obj = {'module.' + k: v for k, v in sd.items()} if layout == 'module' else {layout: sd}
    torch.save(obj, tmp_path / 'w.pth')
    assert read_sam_checkpoint(str(tmp_path / 'w.pth')).keys() == sd.keys()


def test_refuses_files_that_run_code(tiny_sam, tmp_path, monkeypatch):
    monkeypatch.delenv('OVSEG_ALLOW_UNSAFE_CHECKPOINTS', raising=False)
    torch.save({'state_dict': tiny_sam.state_dict(), 'extra': _NotAWeight()}, tmp_path / 'w.pth')
    with pytest.raises(UnsafeCheckpointError, match='w.pth'):
        read_sam_checkpoint(str(tmp_path / 'w.pth'))


def test_key_mismatch_names_the_keys(tiny_sam):
    sd = dict(tiny_sam.state_dict())
    sd.pop('mask_decoder.iou_token.weight')
    sd['mask_decoder.extra.weight'] = torch.zeros(1)
    sd['prompt_encoder.no_mask_embed.weight'] = torch.zeros(1, 7)
    with pytest.raises(CheckpointMismatchError) as err:
        load_sam_weights(build_tiny_sam(seed=1), sd, source='my.pth')
    message = str(err.value)
    assert message.startswith('my.pth does not fit this SAM (image encoder width 32, ')
    assert '1 missing key(s): mask_decoder.iou_token.weight' in message
    assert '1 unexpected key(s): mask_decoder.extra.weight' in message
    assert 'prompt_encoder.no_mask_embed.weight (checkpoint [1, 7] vs model [1, 32])' in message


def test_other_width_is_a_shape_mismatch(tiny_sam_checkpoint):
    wider = build_sam_from_arch(**dict(TINY_SAM_ARCH, encoder_embed_dim=48))
    with pytest.raises(CheckpointMismatchError, match='image_encoder.patch_embed.proj.weight'):
        load_sam_weights(wider, read_sam_checkpoint(tiny_sam_checkpoint))


def test_position_tables_fit_another_input_size(tiny_sam, tiny_sam_checkpoint):
    bigger = build_sam(dict(TINY_SAM_ARCH, image_size=128), checkpoint=tiny_sam_checkpoint)
    assert bigger.image_encoder.pos_embed.shape == (1, 16, 16, 32)
    assert torch.equal(bigger.mask_decoder.iou_token.weight, tiny_sam.mask_decoder.iou_token.weight)
    with torch.no_grad():
        assert bigger.image_encoder(torch.rand(1, 3, 128, 128)).shape == (1, 32, 16, 16)


def test_config_text_in_the_checkpoint_never_runs(tiny_sam, tmp_path):
    from ovseg.testing import add_config_text
    marker = tmp_path / 'ran'
    torch.save(add_config_text({'state_dict': tiny_sam.state_dict()}, str(marker)),
               tmp_path / 'sam.pth')
    loaded = build_sam(dict(TINY_SAM_ARCH), checkpoint=str(tmp_path / 'sam.pth'))
    assert _equal(loaded, tiny_sam) and not marker.exists()
