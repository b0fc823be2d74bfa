# VAW attributes + COCO categories, federated as in OvarNet / CLIP-Attr step I
# (https://arxiv.org/abs/2301.09506): each crop supervises only the label space its dataset
# annotates (VAW: the 541 base attributes; COCO: the 48 base categories of the 48/17 split).
# Crops: the ground-truth box enlarged by 1 + U(0, 0.2) in training and by the fixed 1.1 at test
# (deterministic), resized keeping aspect and centre-padded with the CLIP mean to 224 px.
# Layout (configs/attributes/README.md, "Real data"):
#   data/vaw/data/{train_part1,train_part2,val,test}.json, attribute_index.json,
#       attribute_types.json, attribute_parent_types.json, head_tail.json, base2novel_att2id.json
#   data/vaw/images/<image_id>.jpg   (Visual Genome VG_100K and VG_100K_2 in one folder)
#   data/coco/annotations/instances_{train,val}2017.json, data/coco/{train,val}2017/
vaw_root = 'data/vaw/'
coco_root = 'data/coco/'
crop_size = 224
num_attributes = 620
# COCO's open-vocabulary split (OVR-CNN, 48 base / 17 novel), COCO label order, and each
# category's COCO super-category (the parent type of category prompts; CocoCategoryDataset reads
# them from the COCO file, and ConcatDataset checks that the two agree).
coco_classes = (
    'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat',
    'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra',
    'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee', 'skis',
    'snowboard', 'kite', 'skateboard', 'surfboard', 'bottle', 'cup', 'fork', 'knife', 'spoon',
    'bowl', 'banana', 'apple', 'sandwich', 'orange', 'broccoli', 'carrot', 'pizza', 'donut',
    'cake', 'chair', 'couch', 'bed', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard',
    'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors',
    'toothbrush')
coco_parents = (
    'person', 'vehicle', 'vehicle', 'vehicle', 'vehicle', 'vehicle', 'vehicle', 'vehicle',
    'vehicle', 'outdoor', 'animal', 'animal', 'animal', 'animal', 'animal', 'animal', 'animal',
    'animal', 'animal', 'animal', 'accessory', 'accessory', 'accessory', 'accessory',
    'accessory', 'sports', 'sports', 'sports', 'sports', 'sports', 'sports', 'kitchen',
    'kitchen', 'kitchen', 'kitchen', 'kitchen', 'kitchen', 'food', 'food', 'food', 'food',
    'food', 'food', 'food', 'food', 'food', 'furniture', 'furniture', 'furniture', 'furniture',
    'electronic', 'electronic', 'electronic', 'electronic', 'electronic', 'appliance',
    'appliance', 'appliance', 'appliance', 'appliance', 'indoor', 'indoor', 'indoor', 'indoor',
    'indoor')
coco_novel = ('airplane', 'bus', 'cat', 'dog', 'cow', 'elephant', 'umbrella', 'tie', 'snowboard',
              'skateboard', 'cup', 'knife', 'cake', 'couch', 'keyboard', 'sink', 'scissors')
category_metainfo = dict(classes=coco_classes, class_parents=coco_parents,
                         novel_classes=coco_novel)

vaw_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropBoxRegion', size=crop_size, scale=(1.0, 1.2)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackAttributeInputs', label_spaces=('attribute', )),
]
coco_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropBoxRegion', size=crop_size, scale=(1.0, 1.2)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackAttributeInputs', label_spaces=('category', ),
         num_attributes=num_attributes),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropBoxRegion', size=crop_size, scale=1.1),
    dict(type='PackAttributeInputs', label_spaces=('attribute', )),
]
vaw_files = dict(
    attribute_index='data/attribute_index.json',
    attribute_types='data/attribute_types.json',
    attribute_parent_types='data/attribute_parent_types.json',
    head_tail='data/head_tail.json',
    base_novel='data/base2novel_att2id.json')
train_dataloader = dict(
    batch_size=256,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='ConcatDataset',
        # attribute keys come from VAW (the first dataset: its metainfo is the whole set's),
        # the palette from COCO; the category keys must agree
        ignore_keys=['attributes', 'attribute_types', 'attribute_groups', 'attribute_frequency',
                     'attribute_seen', 'palette'],
        datasets=[
            dict(type='VAWDataset', data_root=vaw_root, ann_file='data/train_part1.json',
                 extra_ann_files=['data/train_part2.json'], **vaw_files,
                 data_prefix=dict(img_path='images/'), metainfo=category_metainfo,
                 pipeline=vaw_train_pipeline),
            dict(type='CocoCategoryDataset', per_instance=True, skip_novel_instances=True,
                 data_root=coco_root, ann_file='annotations/instances_train2017.json',
                 data_prefix=dict(img='train2017/'), metainfo=category_metainfo,
                 filter_cfg=dict(filter_empty_gt=True), pipeline=coco_train_pipeline),
        ]))
val_dataloader = dict(
    batch_size=256,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='VAWDataset', data_root=vaw_root, ann_file='data/val.json', **vaw_files,
        data_prefix=dict(img_path='images/'), metainfo=category_metainfo, test_mode=True,
        pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], ann_file='data/test.json'))
# attribute mAP overall, base / novel, head / medium / tail, per type and per VAW group
val_evaluator = dict(type='AttributeMAPMetric')
test_evaluator = val_evaluator
