_base_ = './ovseg_mask2former-ov-r18_synthclip-vit-s_synthworld-160.py'
# Stage 1 = PMP (text-query cross-attention after the masked cross-attention of every decoder
# layer), configs/proposals/pmp_r18-w16_1xb8-1k_synthworld-128x128.py; init_weights loads the
# weights it publishes (no checkpoint needed: python tools/test.py THIS_CONFIG).
proposal_weights = 'synthworld-pmp-r18'
model = dict(proposal_generator=dict(head=dict(placement='after_cross'),
                                     init_cfg=dict(checkpoint=proposal_weights)))
