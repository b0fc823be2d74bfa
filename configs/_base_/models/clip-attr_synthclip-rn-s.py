# CLIP-Attr (OvarNet's two-stage model) on the SynthWorld ResNet CLIP: object crops -> frozen
# image tower; 30 shared prompt vectors [SOT] P1..P10 <name> P11..P20 <parent> P21..P30 [EOT]
# through the trainable text tower; exp(s)*cos logits; federated BCE, lambda_unk 0.2,
# attribute weights ~ labelled count^-0.25. SynthWorld categories are shapes: parent 'shape'.
model = dict(
    type='CLIPAttr',
    model_name='synthworld-rn-s',
    pretrained='synthworld-rn-s',
    num_context_tokens=30,
    category_type='shape',
    freeze_image=True,
    freeze_text=False,
    loss=dict(type='FederatedAttributeLoss', unknown_weight=0.2),
    test_crop_scale=1.1)
