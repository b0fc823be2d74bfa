_base_ = './mask2former-ov_r18-w16_synthclip-rn-s-ft_1xb8-300_synthworld-128x128.py'
# PMP (text-query cross-attention after the masked cross-attention of every decoder layer, the
# recipe of pmp_r18-w16_1xb8-1k_synthworld-128x128.py) trained as the open-vocabulary
# Mask2Former of the base config: 300 iterations of batch 8 against the text tower of the RN
# CLIP 'synthworld-rn-s-ft-regions' (issue 17). Stage 1 of
# configs/mask_adapted/ovseg_pmp-r18_synthclip-rn-s_synthworld-160.py.
model = dict(proposal_generator=dict(head=dict(placement='after_cross')))
custom_hooks = [dict(type='VocabularyHook'),
                dict(type='PublishWeightsHook', name='synthworld-pmp-r18-rn-s')]
