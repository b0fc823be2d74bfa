# SynthWorld CLIP: open_clip 'synthworld-rn-s' (ModifiedResNet [1,1,1,1] x width 24, 96 px,
# attention pool; text 3x128; D=128) trained with open_clip.ClipLoss.
_base_ = './synthclip_vit-s.py'
model = dict(model_name='synthworld-rn-s')
