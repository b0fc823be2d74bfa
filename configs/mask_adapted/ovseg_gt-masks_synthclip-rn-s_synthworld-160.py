_base_ = './ovseg_gt-masks_synthclip-vit-s_synthworld-160.py'
# OVSeg stage 2 alone (ground-truth masks) with the quickstart RN CLIP 'synthworld-rn-s'
# (`make quickstart`; ModifiedResNet [1,1,1,1] x width 24, 96 px, D=128) in crop mode: crop
# mode needs only a global embedding, not a ViT's patch tokens (issue 17). Mean-filled tight
# crops at 96 px, `synthworld` prompts. Calibrated stacking (Chao et al. 2016): the seen
# classes' scores are divided by exp(seen_penalty); 0 is the original method, tune it on a
# held-out slice of train with tools/calibrate.py (configs/mask_adapted/README.md). The seen
# classes are the dataset's `seen` flags (model.test_cfg.seen_classes overrides them).
clip_name = 'synthworld-rn-s'
clip_weights = 'synthworld-rn-s'
model = dict(
    mask_classifier=dict(
        clip=dict(
            _delete_=True,
            type='CLIPResNet',
            model_name=clip_name,
            pretrained=clip_weights,
            with_embeddings=True)),
    text_classifier=dict(text_encoder=dict(model_name=clip_name, pretrained=clip_weights)),
    test_cfg=dict(seen_penalty=0.0))
