# CLIP-Attr step I on VAW + COCO with OpenAI CLIP ViT-B/16 (the tower OvarNet distils from).
#   python tools/train.py configs/attributes/clip-attr_vit-b16-clip_vaw-coco.py
_base_ = './clip-attr_r50-clip_vaw-coco.py'
model = dict(model_name='ViT-B-16-quickgelu')
