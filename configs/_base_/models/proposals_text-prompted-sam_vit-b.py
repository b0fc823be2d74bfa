# Text-prompted SAM: per queried class, SAM prompted at the peak of the dense CLIP ViT-B/16
# pixel-text score map (448 px, softmax over the K classes) plus one negative point at the
# strongest other class; one mask per class (no point grid). Same SAM weights as
# proposals_sam-vit-b.py; CLIP by open_clip name + pretrained tag.
clip_name = 'ViT-B-16-quickgelu'
sam_checkpoint = 'checkpoints/sam_vit_b_01ec64.pth'
proposal_generator = dict(
    type='TextPromptedSAM',
    clip_backbone=dict(type='CLIPViT', model_name=clip_name, pretrained='openai',
                       with_embeddings=True),
    sam='vit_b',
    checkpoint=sam_checkpoint,
    clip_image_size=448,
    num_points=1,
    num_negative_points=1,
    use_box=False,
    box_threshold=0.5,
    score_scale=100.0,
    multimask_output=True,
    classes_per_batch=16)
