_base_ = './mask-adapted-clip-ft_vit-b16_4xb128-5e_coco-captions-224.py'
# OVSeg's mask prompt tuning on COCO caption pairs: prompts only, AdamW lr 2e-2 (paper; 0.05 in
# the released script), no weight decay, batch 4 x 32, 5 epochs. OVSeg starts it from the fully
# fine-tuned CLIP (FT -> MPT): set pretrained to that run's mask_adapted_clip.pt; OVSeg's
# replace script picked epoch 2 of this run, hence a checkpoint every epoch.
model = dict(trainable='prompt')
train_dataloader = dict(batch_size=32)
optim_wrapper = dict(_delete_=True, type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=2e-2, betas=(0.9, 0.98), eps=1e-6,
                                    weight_decay=0.0))
auto_scale_lr = dict(enable=False, base_batch_size=128)
