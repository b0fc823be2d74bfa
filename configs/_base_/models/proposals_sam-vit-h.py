_base_ = './proposals_sam-vit-b.py'
sam_checkpoint = 'checkpoints/sam_vit_h_4b8939.pth'
proposal_generator = dict(sam='vit_h', checkpoint=sam_checkpoint)
