"""Zero-shot evaluation of a CLIP: object-crop classification (seen / unseen) and retrieval."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.registry import METRICS
from torch import Tensor


def recall_at_k(similarity: Tensor, positives: Tensor, ks: Sequence[int]) -> Dict[int, float]:
    """Percentage of queries with a positive among their k most similar items.

    Args:
        similarity (Tensor): (Q, M) scores, higher is closer.
        positives (Tensor): (Q, M) bool, True where item m matches query q.
        ks (Sequence[int]): the k values.

    Returns:
        dict[int, float]: k -> recall@k in percent (queries without a positive count as misses).

    Examples:
        >>> recall_at_k(torch.eye(3), torch.eye(3, dtype=torch.bool), [1])
        {1: 100.0}
    """
    order = similarity.argsort(dim=1, descending=True)  # (Q, M)
    hits = positives.gather(1, order)  # (Q, M), column r: is the r-th best a positive
    first = torch.where(hits.any(1), hits.float().argmax(1), hits.shape[1])  # (Q,) rank of best hit
    return {k: 100.0 * (first < k).float().mean().item() for k in ks}


@METRICS.register_module()
class ZeroShotClassificationMetric(BaseMetric):
    """Zero-shot top-1 accuracy of object crops, by seen / unseen class, plus retrieval.

    CLIP's zero-shot transfer protocol (https://arxiv.org/abs/2103.00020, Sec. 3.1.4) on
    ground-truth object crops, as ViLD's "CLIP on cropped regions" baseline
    (https://arxiv.org/abs/2104.13921, Sec. 3.1), over the whole vocabulary (generalised
    zero-shot: unseen crops compete with seen classes too). Image-text retrieval recall
    follows the COCO 5k protocol (an image matches each of its own captions).

    Reads from each prediction (see ``ContrastiveCLIP.predict``): ``crop_scores`` (N_b, K)
    and ``gt_crop_labels`` (N_b,); ``img_embed`` (D,) and ``caption_embeds`` (T_b, D),
    L2-normalised. Either part is skipped when absent.

    Returns, in percent: ``top1`` (all crops), ``top1_seen``, ``top1_unseen``, ``chance``
    (100 / K), ``unseen_vs_chance`` (``top1_unseen / chance``), ``i2t_recall@k`` and
    ``t2i_recall@k``; as a diagnostic, ``top1_seen_within`` / ``top1_unseen_within``: the
    accuracy when a crop competes with the classes of its own group only (conventional,
    non-generalised zero-shot; chance 100 / K_group), which separates "the CLIP does not know
    the unseen shapes" from "it prefers seen names"; for each k > 1 of ``crop_ks``,
    ``top{k}``, ``top{k}_seen``, ``top{k}_unseen`` (the label among the k best). The split
    comes from the dataset metainfo key ``seen_key`` (one bool per class, as SynthWorld
    gives) or ``unseen_classes``; without either, every class counts as seen.

    Args:
        seen_key (str): metainfo key of the per-class seen flags. Defaults to ``'seen'``.
        unseen_classes (Sequence[str], optional): unseen class names (first synonym);
            overrides the metainfo. Defaults to None.
        recall_ks (Sequence[int]): k of the retrieval recalls. Defaults to (1, 5).
        crop_ks (Sequence[int]): k of the crop top-k accuracies besides top-1 (reading 217
            dictionary words asks for top-5 too). Defaults to ().
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): metric name prefix. Defaults to ``'zero_shot'``.

    Examples:
        In a config: ``val_evaluator = dict(type='ZeroShotClassificationMetric')``.
    """

    default_prefix = 'zero_shot'

    def __init__(self, *, seen_key: str = 'seen', unseen_classes: Optional[Sequence[str]] = None,
                 recall_ks: Sequence[int] = (1, 5), crop_ks: Sequence[int] = (),
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.seen_key = seen_key
        self.unseen_classes = None if unseen_classes is None else tuple(unseen_classes)
        self.recall_ks = tuple(recall_ks)
        self.crop_ks = tuple(k for k in crop_ks if k > 1)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep the scores, labels and embeddings of one batch (on CPU)."""
        for sample in data_samples:
            result = {}
            for key in ('crop_scores', 'gt_crop_labels', 'img_embed', 'caption_embeds'):
                if key in sample:
                    result[key] = torch.as_tensor(sample[key]).detach().cpu()
            self.results.append(result)

    def _seen_mask(self, num_classes: int) -> Tensor:
        """(K,) bool, True for seen classes."""
        meta = self.dataset_meta or {}
        if self.unseen_classes is not None:
            from ovseg.models.clip.vocabulary import display_name  # models import heads
            names = [display_name(c) for c in meta.get('classes', [])]
            unknown = set(self.unseen_classes) - set(names)
            if unknown:
                raise ValueError(f'unseen_classes {sorted(unknown)} are not among the dataset '
                                 f'classes {names}')
            return torch.tensor([name not in self.unseen_classes for name in names])
        if self.seen_key in meta:
            return torch.as_tensor(meta[self.seen_key], dtype=torch.bool)
        return torch.ones(num_classes, dtype=torch.bool)

    def _classification(self, results: List[dict]) -> Dict[str, float]:
        scores = [r['crop_scores'] for r in results if r.get('crop_scores') is not None
                  and r['crop_scores'].numel()]
        if not scores:
            return {}
        scores = torch.cat(scores)  # (N, K)
        labels = torch.cat([r['gt_crop_labels'] for r in results
                            if r.get('crop_scores') is not None and r['crop_scores'].numel()])
        num_classes = scores.shape[1]
        seen = self._seen_mask(num_classes)
        if seen.numel() != num_classes:
            raise ValueError(f'{seen.numel()} seen flags for a vocabulary of {num_classes} classes')
        correct = (scores.argmax(dim=1) == labels).float()  # (N,)
        chance = 100.0 / num_classes
        metrics = dict(top1=100.0 * correct.mean().item(), chance=chance)
        for name, group in (('seen', seen), ('unseen', ~seen)):
            mask = group[labels]  # (N,) crops of this group
            if not mask.any():
                metrics[f'top1_{name}'] = metrics[f'top1_{name}_within'] = float('nan')
                continue
            metrics[f'top1_{name}'] = 100.0 * correct[mask].mean().item()
            # conventional zero-shot diagnostic: the crop competes with its own group only
            within = group.nonzero().flatten()[scores[mask][:, group].argmax(dim=1)]  # (N_g,)
            metrics[f'top1_{name}_within'] = 100.0 * (within == labels[mask]).float().mean().item()
        for k in self.crop_ks:
            in_top_k = (scores.topk(min(k, num_classes), dim=1).indices
                        == labels[:, None]).any(dim=1).float()  # (N,)
            metrics[f'top{k}'] = 100.0 * in_top_k.mean().item()
            for name, group in (('seen', seen), ('unseen', ~seen)):
                mask = group[labels]
                metrics[f'top{k}_{name}'] = (100.0 * in_top_k[mask].mean().item() if mask.any()
                                             else float('nan'))
        metrics['unseen_vs_chance'] = metrics['top1_unseen'] / chance
        return metrics

    def _retrieval(self, results: List[dict]) -> Dict[str, float]:
        results = [r for r in results if 'img_embed' in r and 'caption_embeds' in r]
        if not results or not sum(len(r['caption_embeds']) for r in results):
            return {}
        images = torch.stack([r['img_embed'] for r in results]).float()  # (M, D)
        captions = torch.cat([r['caption_embeds'] for r in results]).float()  # (T, D)
        owner = torch.cat([torch.full((len(r['caption_embeds']),), i)
                           for i, r in enumerate(results)])  # (T,) image of each caption
        positives = owner[None, :] == torch.arange(len(results))[:, None]  # (M, T)
        similarity = images @ captions.t()  # (M, T)
        metrics = {}
        for k, value in recall_at_k(similarity, positives, self.recall_ks).items():
            metrics[f'i2t_recall@{k}'] = value
        for k, value in recall_at_k(similarity.t(), positives.t(), self.recall_ks).items():
            metrics[f't2i_recall@{k}'] = value
        return metrics

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Accuracy (percent) over all crops, seen and unseen classes, and retrieval recall."""
        metrics = {**self._classification(results), **self._retrieval(results)}
        if not metrics:
            print_log('ZeroShotClassificationMetric: the predictions hold neither crop scores '
                      'nor image/caption embeddings.', logger='current', level=30)
        return metrics
