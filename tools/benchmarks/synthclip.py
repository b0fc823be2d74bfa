"""SynthWorld CLIP diagnosis: is the contrastive objective or the image tower the bottleneck?

    python tools/benchmark.py synthclip-probe [--config C] [--steps 150] [--lr 2e-3] \\
        [--objectives ce clip] [--cfg-options KEY=VALUE ...]

Trains the config's image tower from the same initialisation (same seed) on the same views once
per objective, side by side. The views are object crops of labelled train objects with their bare
class name (``RandomCaptionView(object_prob=1, name_prob=1)``, the config's window scales), so
only the shape tells the pairs apart; images with no such object (e.g. the close-ups) are paired
with the list of their captions' head nouns when the config's view sets ``noun_list_prob`` (a
close-up of a heart: ``'a heart'``):

- ``ce``: a linear head on the L2-normalised image embedding (logits x 10), cross-entropy over the
  K classes: what direct supervision gets out of the tower in this many steps;
- ``clip``: the config's ``ContrastiveCLIP`` loss (``open_clip.ClipLoss``) on the same pairs.

Shapes: a batch of B views (B, 3, S, S) -> L2-normalised embeddings (B, D) -> head logits (B, K)
(``ce``) or the (B, B) CLIP similarities (``clip``); N val crops -> (N, D) -> scores (N, K).

Both use AdamW (the config's betas, eps and weight decay; ``--lr`` peak) with a one-cycle
schedule (10 % warm-up) and gradient clipping at 1. Reported, by the head (``ce``) or by the
bare names' text embeddings (``clip``), with :class:`ZeroShotClassificationMetric` on the val
object crops (the config's val pipeline): top-1 among the seen classes only (the headline;
chance 100 / K_seen) and among the unseen ones only (``top1_{seen,unseen}_within``), and over
all classes (``top1_{seen,unseen}``). open_clip has no probe; mmengine's
Runner would need a model class per objective for a 150-step diagnosis, so this loop is ours.
"""
import argparse
import os
import os.path as osp
import time
from typing import Dict, List

import numpy as np
import torch
import torch.nn.functional as F

from ovseg.evaluation import ZeroShotClassificationMetric

from .common import ROOT, load_config_with_options, register_benchmark, write_report

OBJECTIVES = ('ce', 'clip')
CE_SCALE = 10.0  # logit scale of the cosine head, CLIP's initial temperature is ~14


def _probe_views(cfg) -> None:
    """Replace the train pipeline's caption view by bare-name object views (in place)."""
    pipeline = cfg.train_dataloader.dataset.get('pipeline')
    if pipeline is None:
        raise ValueError(f'synthclip-probe needs one train dataset with a RandomCaptionView '
                         f'pipeline; {cfg.filename} trains on a '
                         f'{cfg.train_dataloader.dataset.type}')
    index = next(i for i, t in enumerate(pipeline) if t['type'] == 'RandomCaptionView')
    view = pipeline[index]
    pipeline[index] = dict(type='RandomCaptionView', object_prob=1.0, name_prob=1.0,
                           scale_range=view.get('scale_range', (1.1, 1.6)),
                           max_shift=view.get('max_shift', 0.1),
                           noun_list_prob=view.get('noun_list_prob', 0.0))


def _class_targets(texts: List[str], names: List[str]) -> torch.Tensor:
    """(B,) class index of each bare-name text ('a star' -> 'star'), -100 for other texts
    (an image whose captions name no labelled object falls back to a whole-image view)."""
    targets = [names.index(t.split(' ')[-1]) if t.split(' ')[-1] in names else -100
               for t in texts]
    return torch.tensor(targets)


def _val_crops(model, loader):
    """(N, D) L2-normalised embeddings of every val object crop and (N,) labels."""
    embeds, labels = [], []
    with torch.no_grad():
        for data in loader:
            data = model.data_preprocessor(data, False)
            for sample in data['data_samples']:
                if len(sample.crop_inputs):
                    embeds.append(model._encode_crops(sample.crop_inputs))
                    labels.append(torch.as_tensor(sample.gt_crop_labels))
    return torch.cat(embeds), torch.cat(labels)


def _train_and_score(cfg, objective: str, *, steps: int, lr: float, seed: int) -> Dict:
    from mmengine.registry import MODELS
    from mmengine.runner import Runner
    torch.manual_seed(seed)
    np.random.seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=seed)
    val_loader = Runner.build_dataloader(cfg.val_dataloader)
    meta = val_loader.dataset.metainfo
    from ovseg.models.clip.vocabulary import display_name
    names = [display_name(c) for c in meta['classes']]
    seen = torch.as_tensor(meta['seen'], dtype=torch.bool)
    head = torch.nn.Linear(model.text_encoder.embed_dim, len(names))
    params = list(model.parameters()) + list(head.parameters())
    optimizer_cfg = cfg.optim_wrapper.optimizer
    optimizer = torch.optim.AdamW(params, lr=lr,
                                  betas=tuple(optimizer_cfg.get('betas', (0.9, 0.999))),
                                  eps=optimizer_cfg.get('eps', 1e-8),
                                  weight_decay=optimizer_cfg.get('weight_decay', 0.01))
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps,
                                                   pct_start=0.1)
    model.train()
    batches = iter(loader)
    losses = []
    for _ in range(steps):
        data = model.data_preprocessor(next(batches), True)
        if objective == 'ce':
            targets = _class_targets([s.text for s in data['data_samples']], names)
            logits = CE_SCALE * head(model._encode_images(data['inputs']))  # (B, K)
            loss = F.cross_entropy(logits, targets, ignore_index=-100)
        else:
            loss = model.loss(data['inputs'], data['data_samples'])['loss_contrastive']
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    model.eval()
    embeds, labels = _val_crops(model, val_loader)
    with torch.no_grad():
        if objective == 'ce':
            scores = head(embeds)  # (N, K)
        else:
            texts = [f'a {name}' for name in names]  # the training texts, no template
            scores = embeds @ model._encode_text(texts).t()  # (N, K)
    metric = ZeroShotClassificationMetric()
    metric.dataset_meta = meta
    accuracy = metric.compute_metrics([dict(crop_scores=scores, gt_crop_labels=labels)])
    window = max(1, steps // 10)
    return dict(objective=objective, steps=steps, lr=lr,
                first_loss=float(np.mean(losses[:window])),
                final_loss=float(np.mean(losses[-window:])),
                **{k: accuracy[k] for k in ('top1_seen_within', 'top1_unseen_within',
                                            'top1_seen', 'top1_unseen')},
                chance_seen=100.0 / int(seen.sum()), crops=int(seen[labels].sum()))


@register_benchmark('synthclip-probe',
                    help='SynthWorld CLIP tower: cross-entropy probe vs CLIP loss, same views')
def setup(parser: argparse.ArgumentParser):
    parser.add_argument('--config',
                        default='configs/synthworld/synthclip_rn-s_synthworld-captions-96.py')
    parser.add_argument('--steps', type=int, default=150, help='training steps per objective')
    parser.add_argument('--lr', type=float, default=2e-3, help='peak learning rate')
    parser.add_argument('--objectives', nargs='+', default=list(OBJECTIVES), choices=OBJECTIVES)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--work-dir', default='work_dirs/benchmark_synthclip_probe')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='KEY=VALUE overrides of the config (e.g. a data_root)')

    def run(args: argparse.Namespace) -> Dict:
        from mmengine.registry import init_default_scope
        init_default_scope('mmseg')
        work = osp.join(ROOT, args.work_dir)
        os.makedirs(work, exist_ok=True)
        start = time.perf_counter()
        results = {}
        for objective in args.objectives:
            cfg = load_config_with_options(args.config, args.cfg_options)
            _probe_views(cfg)
            results[objective] = _train_and_score(cfg, objective, steps=args.steps,
                                                  lr=args.lr, seed=args.seed)
            print(f'[synthclip-probe] {objective}: {results[objective]}', flush=True)
        lines = [f'SynthWorld CLIP tower probe ({args.config}, {args.steps} steps, '
                 f'peak lr {args.lr:g}, seed {args.seed}): top-1 of the val object crops',
                 '', '| objective | final loss | within seen (chance) | within unseen | '
                 'seen / unseen (all classes) |', '|---|---|---|---|---|']
        for objective, r in results.items():
            lines.append(f"| {objective} | {r['final_loss']:.3f} | {r['top1_seen_within']:.1f} "
                         f"({r['chance_seen']:.1f}) | {r['top1_unseen_within']:.1f} | "
                         f"{r['top1_seen']:.1f} / {r['top1_unseen']:.1f} |")
        lines.append(f'\n(total {(time.perf_counter() - start) / 60:.1f} min)')
        write_report(work, '\n'.join(lines), results)
        return results
    return run
