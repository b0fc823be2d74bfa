_base_ = './ovseg_mask2former-ov-r18_synthclip-rn-s_synthworld-160.py'
# Stage 1 = PMP (text-query cross-attention after the masked cross-attention of every decoder
# layer), configs/proposals/pmp_r18-w16_synthclip-rn-s-ft_1xb8-300_synthworld-128x128.py
# (trained against this RN text tower); stage 2, ensemble and calibration as in the base
# config. init_weights loads the weights it publishes (python tools/test.py THIS_CONFIG).
proposal_weights = 'synthworld-pmp-r18-rn-s'
model = dict(proposal_generator=dict(head=dict(placement='after_cross'),
                                     init_cfg=dict(checkpoint=proposal_weights)))
