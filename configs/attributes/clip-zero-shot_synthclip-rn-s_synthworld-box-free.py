# Zero-shot CLIP on SynthWorld, box-free: the zero-shot baseline's model
# (clip-zero-shot_synthclip-rn-s_synthworld.py: hand-written templates, no training) on
# another detector's boxes, with CLIP-Attr's box-free data and metrics:
#   python tools/test.py configs/attributes/clip-zero-shot_synthclip-rn-s_synthworld-box-free.py \
#       --cfg-options test_dataloader.dataset.proposal_file=dets.pkl
_base_ = './clip-attr_synthclip-rn-s_synthworld-box-free.py'
model = dict(type='ZeroShotCLIPAttr', num_context_tokens=0, templates='synthworld_attribute')
