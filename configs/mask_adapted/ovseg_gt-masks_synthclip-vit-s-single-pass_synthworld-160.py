_base_ = './ovseg_gt-masks_synthclip-vit-s_synthworld-160.py'
# Single-pass mode (ours): one dense CLIP pass per image, every mask pools the L2-normalised
# patch embeddings under it; the image is upsampled x2 first (10x10 -> 20x20 patches at 160 px).
model = dict(mask_classifier=dict(mode='single_pass', dense_scale=2.0))
