# CLIP-Attr on SynthWorld as ./clip-attr_synthclip-rn-s_synthworld.py, on the SynthWorld CLIP
# that has read attribute words ('synthworld-rn-s-attributes',
# ../synthworld/synthclip_rn-s-ft_synthworld-attributes-96.py) instead of the quickstart CLIP;
# publishes its weights as 'synthworld-clip-attr-rn-s-attributes' (README, "SynthWorld: a CLIP
# that has read attribute words"):
#   python tools/train.py configs/attributes/clip-attr_synthclip-rn-s-attributes_synthworld.py
_base_ = './clip-attr_synthclip-rn-s_synthworld.py'
model = dict(pretrained='synthworld-rn-s-attributes')
custom_hooks = [dict(type='AttributeVocabularyHook'),
                dict(type='PublishWeightsHook', name='synthworld-clip-attr-rn-s-attributes')]
