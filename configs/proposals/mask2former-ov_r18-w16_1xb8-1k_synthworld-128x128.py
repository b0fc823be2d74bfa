_base_ = './pmp_r18-w16_1xb8-1k_synthworld-128x128.py'
# PMP placement ablation baseline: no text attention (placement='none' is exactly the plain
# open-vocabulary Mask2Former head, OpenVocabMask2FormerHead).
model = dict(proposal_generator=dict(head=dict(placement='none')))
