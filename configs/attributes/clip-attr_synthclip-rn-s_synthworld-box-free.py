# CLIP-Attr on SynthWorld, box-free: CLIP-Attr scores another detector's boxes (per image, the
# proposals of a dumped results file) instead of the ground-truth boxes, and is scored exactly
# as OvarNet's box-free config (same matching, same metainfo). Test only:
#   python tools/test.py DET_CONFIG DET_CKPT --out dets.pkl     # e.g. OvarNet's box-free one
#   python tools/test.py configs/attributes/clip-attr_synthclip-rn-s_synthworld-box-free.py \
#       <CLIP-Attr checkpoint> --cfg-options test_dataloader.dataset.proposal_file=dets.pkl
# - proposals: the dataset's `proposal_file` (mmdet's dumped results or {img_path: {bboxes,
#   scores}}, read without running code from it), boxes scored below `proposal_score_thr`
#   dropped; matched to the images by folder and file name, as mmdet does;
# - attribute mAP: AttributeMAPMetric(box_free=True) (one-to-one matching at IoU >= 0.5,
#   unmatched ground truth scored 0);
# - category AP50 seen / unseen (mmdet's OVCocoMetric): a box's label and score are its best
#   category and that category's probability (the proposal's own score is not used).
# No Resize: the proposals are in original pixels, and the crops come from the loaded image.
_base_ = './clip-attr_synthclip-rn-s_synthworld.py'
test_dataloader = dict(
    batch_size=8,
    dataset=dict(
        per_image=True,
        proposal_file=None,  # required: --cfg-options test_dataloader.dataset.proposal_file=
        proposal_score_thr=0.0,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAttributeAnnotations'),
            dict(type='mmdet.LoadProposals'),
            dict(type='PackDetAttributeInputs', label_spaces=('attribute', 'category'),
                 meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor',
                            'instances')),
        ]))
test_evaluator = [
    dict(type='AttributeMAPMetric', box_free=True, iou_threshold=0.5),
    dict(type='mmdet.OVCocoMetric', metric='bbox'),
]
custom_hooks = [dict(type='AttributeVocabularyHook')]
