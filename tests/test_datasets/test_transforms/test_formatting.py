"""ovseg.datasets.transforms.formatting: PackCaptionInputs' tensors and data sample fields."""
import numpy as np
import torch

from ovseg.datasets.transforms import PackCaptionInputs


def _results() -> dict:
    return dict(img=np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3), img_path='a.png',
                img_id=3, text='a red star', negative_text='a red cross',
                captions=['a red star.', 'one shape.'],
                crops=np.zeros((2, 8, 8, 3), np.uint8), crop_labels=[1, 4])


def test_image_text_and_crops_are_packed_channel_first():
    packed = PackCaptionInputs()(_results())
    assert torch.equal(packed['inputs'], torch.from_numpy(_results()['img']).permute(2, 0, 1))
    sample = packed['data_samples']
    assert sample.text == 'a red star' and sample.negative_text == 'a red cross'
    assert 'captions' not in sample
    assert tuple(sample.crop_inputs.shape) == (2, 3, 8, 8)
    assert sample.gt_crop_labels.dtype == torch.long and sample.gt_crop_labels.tolist() == [1, 4]
    assert sample.metainfo == dict(img_path='a.png', img_id=3)


def test_evaluation_keeps_every_caption_and_only_the_asked_meta_keys():
    results = _results()
    del results['crops'], results['text']
    packed = PackCaptionInputs(pack_captions=True, meta_keys=('img_id',))(results)
    sample = packed['data_samples']
    assert sample.captions == ['a red star.', 'one shape.'] and sample.metainfo == dict(img_id=3)
    assert 'text' not in sample and 'crop_inputs' not in sample
