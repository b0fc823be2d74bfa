_base_ = './proposals_sam-vit-b.py'
sam_checkpoint = 'checkpoints/sam_vit_l_0b3195.pth'
proposal_generator = dict(sam='vit_l', checkpoint=sam_checkpoint)
