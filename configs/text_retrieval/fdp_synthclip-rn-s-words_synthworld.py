# FDP on the SynthWorld CLIP that reads, 'synthworld-rn-s-words'
# (configs/synthworld/synthclip_rn-s_synthworld-words-96.py), queried in its pretraining words
# ('the word "cart"'); mAP also per word group: content / function words of the dictionary, and
# words the CLIP's word pretraining cropped / held out (configs/text_retrieval/README.md).
_base_ = './fdp_synthclip-rn-s_synthworld.py'
model = dict(pretrained='synthworld-rn-s-words', query_template='the word "{}"')
val_evaluator = dict(groups=dict(content='synthworld-content', function='synthworld-function',
                                 pretrained='synthworld-pretrained', heldout='synthworld-heldout'))
test_evaluator = val_evaluator
