# CLIP-Attr (OvarNet's two-stage model, step I) on OpenAI's CLIP RN50: object crops -> frozen
# image tower; 30 shared prompt vectors [SOT] P1..P10 <name> P11..P20 <parent> P21..P30 [EOT]
# through the trainable text tower (lr x0.1 in the schedule); exp(s)*cos logits; federated BCE,
# lambda_unk 0.2, attribute weights ~ labelled count^-0.25. Categories take their parent types
# from the dataset (COCO super-categories, metainfo 'class_parents').
model = dict(
    type='CLIPAttr',
    model_name='RN50-quickgelu',
    pretrained='openai',
    num_context_tokens=30,
    freeze_image=True,
    freeze_text=False,
    loss=dict(type='FederatedAttributeLoss', unknown_weight=0.2),
    test_crop_scale=1.1)
