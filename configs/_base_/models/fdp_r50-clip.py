# FDP (Focus, Distinguish, and Prompt; https://arxiv.org/abs/2408.00441) as released: OpenAI CLIP
# RN50 (open_clip 'RN50-quickgelu' + pretrained='openai'; C5 = 2048 channels, D = 1024) at 640 px
# (C5 grid 20x20; the pool's 7x7 positional embedding interpolated to it and learnable). CLIP is
# frozen; the score head (v / c projections converted in code from the attention pool), the
# probe (8 heads) and the prompt contexts train.
# FDP clusters the 500 frequent words of its dict/queries.txt and draws distracted candidates
# from its 91,926-word dict/dictionary.txt; neither list ships with ovseg, so the named
# 'synthworld' lists stand in (content words + function words, with 'the'). Give the real lists
# as word sequences (model.cluster_words=[...], model.dictionary=[...]) when you have them.
model = dict(
    type='FDPRetriever',
    model_name='RN50-quickgelu',
    pretrained='openai',
    image_size=640,
    cluster_words='synthworld',
    dictionary='synthworld',
    anchor='the',
    probe_heads=8,
    max_candidates=5)
