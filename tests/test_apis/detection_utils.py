"""Detector results as mmdet dumps them, for the tests that read them as boxes."""
import torch
from mmdet.evaluation import DumpDetResults
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData


def dump_mmdet_results(path, images):
    """What mmdet's ``tools/test.py --out`` writes, through mmdet's own metric."""
    metric = DumpDetResults(out_file_path=str(path))
    for img_path, boxes, scores in images:
        sample = DetDataSample(metainfo=dict(img_path=img_path, img_id=0, ori_shape=(48, 80)))
        sample.pred_instances = InstanceData(bboxes=torch.tensor(boxes, dtype=torch.float32),
                                             scores=torch.tensor(scores),
                                             labels=torch.zeros(len(scores), dtype=torch.long))
        metric.process({}, [sample.to_dict()])
    metric.compute_metrics(metric.results)
