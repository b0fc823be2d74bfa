_base_ = './ovseg_gt-masks_synthclip-vit-s_synthworld-160.py'
# Single-pass mode (ours): one dense CLIP pass per image, every mask pools the L2-normalised dense
# embeddings under it. Dense embeddings from the last block's value path (MaskCLIP): on SynthWorld
# they beat the last-layer patch tokens by ~10 mIoU (tools/benchmark.py mask-adapted synthworld).
model = dict(mask_classifier=dict(mode='single_pass', value_path=True))
