import pytest
import torch
from mmseg.structures import SegDataSample

from mask_adapted_utils import VOCAB, FixedProposals, build_seg, label_batch, seg_cfg
from ovseg.models.utils import compose_semantic


def test_predict_with_gt_proposals_padding_and_original_size():
    model = build_seg()
    inputs, samples = label_batch(size=(40, 48), pad_to=(64, 64))
    for s in samples:
        s.set_metainfo(dict(ori_shape=(80, 96)))
    with torch.no_grad():
        out = model.predict(inputs, samples)
    assert out[0].pred_sem_seg.shape == (80, 96)
    assert out[0].seg_logits.data.shape == (len(VOCAB), 80, 96)
    pred = out[0].pred_sem_seg.data
    assert pred.dtype == torch.long and int(pred[pred != 255].max()) < len(VOCAB)
    # the GT proposals cover the labelled pixels; the ignore band (3 rows) is uncovered
    assert torch.all(pred[0, :4] == 255) and torch.all(pred[0, 8:] < len(VOCAB))
    with torch.no_grad():
        tensor = model(inputs, samples, mode='tensor')
    assert tensor.shape == (2, len(VOCAB), 64, 64)


def test_soft_composition_argmax_follows_proposals():
    model = build_seg(vocab=('a', 'b', 'c'))
    masks = torch.zeros(2, 16, 16)
    masks[0, :, :8] = 0.9
    masks[1, :, 8:] = 0.9
    logits = torch.tensor([[5., 0., 0., 0.], [0., 0., 5., 0.]])
    model.proposal_generator = FixedProposals(masks, logits)
    model.classify_with = 'proposal'
    with torch.no_grad():
        out = model.predict(torch.rand(1, 3, 16, 16) * 255)
    pred = out[0].pred_sem_seg.data[0]
    assert torch.all(pred[:, :8] == 0) and torch.all(pred[:, 8:] == 2)
    model.classify_with = 'ensemble'  # runs CLIP on the crops too
    with torch.no_grad():
        out = model.predict(torch.rand(1, 3, 16, 16) * 255)
    assert out[0].seg_logits.data.shape == (3, 16, 16)


@pytest.mark.parametrize('mode', ['crop', 'single_pass'])
@pytest.mark.parametrize('masks', [torch.zeros(0, 16, 16), torch.full((3, 16, 16), 0.1)])
def test_no_surviving_proposal_gives_ignore_map(masks, mode):
    model = build_seg()
    model.mask_classifier.mode = mode
    model.proposal_generator = FixedProposals(masks)  # none, or all below the threshold
    with torch.no_grad():
        out = model.predict(torch.rand(2, 3, 16, 16) * 255)
    assert out[1].pred_sem_seg.shape == (16, 16)
    assert torch.all(out[1].pred_sem_seg.data == 255)


def test_one_class_vocabulary():
    model = build_seg(vocab=['cat'])
    masks = torch.zeros(1, 16, 16)
    masks[0, 2:10, 2:10] = 1
    model.proposal_generator = FixedProposals(masks)
    with torch.no_grad():
        out = model.predict(torch.rand(1, 3, 16, 16) * 255)
    pred = out[0].pred_sem_seg.data[0]
    assert out[0].seg_logits.data.shape == (1, 16, 16)
    assert torch.all(pred[2:10, 2:10] == 0) and torch.all(pred[12:] == 255)


def test_thousand_class_vocabulary():
    names = [f'thing number {i}' for i in range(1000)]
    model = build_seg(vocab=names, class_chunk_size=300)
    masks = torch.rand(3, 12, 12)
    model.proposal_generator = FixedProposals(masks)
    model.mask_classifier.mask_threshold = 0.0
    with torch.no_grad():
        out = model.predict(torch.rand(1, 3, 12, 12) * 255)
        (masks_out,), (probs,) = model.classify(
            torch.rand(1, 3, 12, 12), [SegDataSample(metainfo=dict(img_shape=(12, 12)))])
        full = compose_semantic(probs, masks_out)
    assert out[0].seg_logits.data.shape == (1000, 12, 12)
    # chunked running argmax equals the argmax of the whole stack
    torch.testing.assert_close(out[0].pred_sem_seg.data[0], out[0].seg_logits.data.argmax(0))
    assert full.shape == (1000, 12, 12)
    model.test_cfg = dict(return_logits=False)
    with torch.no_grad():
        out = model.predict(torch.rand(1, 3, 12, 12) * 255)
    assert 'seg_logits' not in out[0] and out[0].pred_sem_seg.shape == (12, 12)


def test_flip_is_undone():
    model = build_seg(vocab=('a', 'b'))
    masks = torch.zeros(1, 8, 8)
    masks[0, :, :3] = 1
    model.proposal_generator = FixedProposals(masks)
    sample = SegDataSample(metainfo=dict(img_shape=(8, 8), ori_shape=(8, 8), flip=True,
                                         flip_direction='horizontal'))
    with torch.no_grad():
        pred = model.predict(torch.rand(1, 3, 8, 8) * 255, [sample])[0].pred_sem_seg.data[0]
    assert torch.all(pred[:, 5:] < 2) and torch.all(pred[:, :5] == 255)


@pytest.mark.parametrize('value_path', [False, True])
def test_single_pass_mode(value_path):
    cfg = seg_cfg()
    cfg['mask_classifier'].update(mode='single_pass', value_path=value_path)
    model = build_seg(mask_classifier=cfg['mask_classifier'])
    inputs, samples = label_batch(size=(40, 44), pad_to=(48, 48))
    with torch.no_grad():
        out = model.predict(inputs, samples)
        regions = model.mask_classifier.embed_regions(inputs, [torch.rand(4, 48, 48)] * 2,
                                                      [(40, 44)] * 2)
    assert out[0].pred_sem_seg.shape == (40, 44)
    assert regions[0][0].shape == (4, 32)
    torch.testing.assert_close(regions[0][0].norm(dim=-1), torch.ones(4))


class _TrainableProposals(FixedProposals):
    def __init__(self):
        super().__init__(torch.rand(2, 16, 16))
        self.weight = torch.nn.Parameter(torch.ones(1))

    def loss(self, inputs, batch_data_samples, class_embeddings):
        return dict(loss_mask=self.weight.sum() * class_embeddings.shape[0])


def test_loss_delegates_to_the_trainable_generator():
    model = build_seg().train()
    model.proposal_generator = _TrainableProposals()
    inputs, samples = label_batch()
    losses = model.loss(inputs, samples)
    assert set(losses) == {'proposal.loss_mask'} and losses['proposal.loss_mask'] == len(VOCAB)


def test_loss_needs_a_trainable_generator():
    model = build_seg()
    inputs, samples = label_batch()
    with pytest.raises(RuntimeError, match='nothing to train'):
        model.loss(inputs, samples)


def test_predict_before_vocabulary_raises():
    model = build_seg(vocab=None)
    inputs, samples = label_batch()
    with pytest.raises(RuntimeError, match='set_vocabulary'):
        model.predict(inputs, samples)


def test_whole_model_pretrained_must_stay_none():
    # mmseg.apis.init_model sets model.pretrained=None on every segmentor it builds
    assert build_seg(pretrained=None).vocabulary is not None
    with pytest.raises(ValueError, match=r"model.pretrained='w.pth'.*mask_classifier.clip"):
        build_seg(pretrained='w.pth')


def test_seen_penalty_calibrates_the_proposal_scores():
    vocab = ('a', 'b', 'c')  # c unseen
    masks = torch.zeros(2, 16, 16)
    masks[0, :, :8] = 1
    masks[1, :, 8:] = 1
    # proposal 0: 'a' (seen) beats 'c' by log(2) = 0.69 in log-probability; proposal 1: by 3
    logits = torch.tensor([[1.0, -9., 1.0 - 0.6931, -9.], [3., -9., 0., -9.]])
    inputs = torch.rand(1, 3, 16, 16) * 255

    def predict(**test_cfg):
        model = build_seg(vocab=vocab, classify_with='proposal', test_cfg=test_cfg)
        model.proposal_generator = FixedProposals(masks, logits)
        with torch.no_grad():
            return model.predict(inputs)[0].pred_sem_seg.data[0]

    original = predict()
    assert torch.all(original == 0)
    assert torch.equal(predict(seen_penalty=0.0, seen_classes=['a', 'b']), original)
    calibrated = predict(seen_penalty=1.0, seen_classes=['a', 'b'])
    assert torch.all(calibrated[:, :8] == 2) and torch.all(calibrated[:, 8:] == 0)
    assert torch.all(predict(seen_penalty=5.0, seen_classes=['a', 'b']) == 2)


def test_seen_penalty_reads_the_seen_flags_of_the_vocabulary():
    from ovseg.models.clip import Vocabulary
    masks = torch.zeros(1, 16, 16)
    masks[0, :, :8] = 1
    logits = torch.tensor([[1.0, -9., 1.0 - 0.6931, -9.]])  # 'a' (seen) beats 'c' by log 2
    inputs = torch.rand(1, 3, 16, 16) * 255

    def predict(vocab):
        model = build_seg(vocab=vocab, classify_with='proposal', test_cfg=dict(seen_penalty=1.0))
        model.proposal_generator = FixedProposals(masks, logits)
        with torch.no_grad():
            return model.predict(inputs)[0].pred_sem_seg.data[0]

    assert torch.all(predict(Vocabulary(['a', 'b', 'c'], seen=[True, True, False]))[:, :8] == 2)
    with pytest.raises(ValueError, match="test_cfg.seen_classes.*'seen' flags"):
        predict(('a', 'b', 'c'))
    with pytest.raises(ValueError, match='seen_penalty'):
        build_seg(test_cfg=dict(seen_penalty=-1.0, seen_classes=['a']))
