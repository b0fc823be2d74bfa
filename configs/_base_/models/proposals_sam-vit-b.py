# SAM automatic mask generator as a class-agnostic stage 1 (the SAM + OVSeg demo, ov-seg #25):
# a 32x32 point grid, IoU / stability filters and box NMS; no class logits (classify the masks in
# stage 2). SAM's weights are read weights-only at init_weights(); 'vit_l' / 'vit_h' in the
# proposals_sam-vit-{l,h}.py overrides. The demo ran SAM's defaults with points_per_batch=16.
sam_checkpoint = 'checkpoints/sam_vit_b_01ec64.pth'
proposal_generator = dict(
    type='SAMProposalGenerator',
    sam='vit_b',
    checkpoint=sam_checkpoint,
    points_per_side=32,
    points_per_batch=16,
    pred_iou_thresh=0.88,
    stability_score_thresh=0.95,
    stability_score_offset=1.0,
    box_nms_thresh=0.7,
    crop_n_layers=0,
    crop_n_points_downscale_factor=1,
    min_mask_region_area=0,
    max_proposals=None)
