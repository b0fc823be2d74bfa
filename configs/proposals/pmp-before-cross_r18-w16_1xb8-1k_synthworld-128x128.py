_base_ = './pmp_r18-w16_1xb8-1k_synthworld-128x128.py'
# PMP placement ablation: text-query cross-attention before cross attention in every decoder layer.
model = dict(proposal_generator=dict(head=dict(placement='before_cross')))
custom_hooks = [dict(type='VocabularyHook')]  # an ablation: no weights name
