# Zero-shot CLIP baseline of CLIP-Attr on SynthWorld: the quickstart CLIP scores the same test
# crops against hand-written prompts (ZeroShotCLIPAttr, templates averaged per name), no training:
#   python tools/test.py configs/attributes/clip-zero-shot_synthclip-rn-s_synthworld.py
# templates: 'synthworld_attribute' (the SynthWorld noun phrases 'a red', 'a red shape',
# 'a red color'); 'attribute' has the photo templates of a web CLIP.
_base_ = './clip-attr_synthclip-rn-s_synthworld.py'
model = dict(type='ZeroShotCLIPAttr', num_context_tokens=0, templates='synthworld_attribute')
custom_hooks = [dict(type='AttributeVocabularyHook')]
