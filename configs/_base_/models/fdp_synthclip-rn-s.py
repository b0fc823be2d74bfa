# FDP (Focus, Distinguish, and Prompt; https://arxiv.org/abs/2408.00441) on the SynthWorld CLIP
# 'synthworld-rn-s' (ModifiedResNet [1,1,1,1] x width 24: C5 = 768 channels, attention pool,
# D=128; text 3x128), pretrained by `make quickstart`. CLIP is frozen; the score head, the
# pool's positional embedding (5x5 grid at 160 px), the probe and the prompts train.
model = dict(
    type='FDPRetriever',
    model_name='synthworld-rn-s',
    pretrained='synthworld-rn-s',
    image_size=160,
    cluster_words='synthworld',
    dictionary='synthworld',
    anchor='the',
    probe_heads=8)
