"""A tiny Segment Anything model for tests, built from SAM's own classes (nothing downloaded)."""
import torch
from segment_anything.modeling import Sam

TINY_SAM_ARCH = dict(
    image_size=64, patch_size=8, encoder_embed_dim=32, encoder_depth=1, encoder_num_heads=2,
    encoder_global_attn_indexes=(0,), window_size=4, prompt_embed_dim=32, decoder_depth=1,
    decoder_mlp_dim=64, decoder_num_heads=2, iou_head_hidden_dim=32, mask_in_chans=4)


def build_tiny_sam(seed: int = 0) -> Sam:
    """A randomly initialised SAM at embedding size 32, depth 1, 64 px input, in eval mode.

    ``ImageEncoderViT`` (patch 8, one global-attention block), ``PromptEncoder``,
    ``MaskDecoder`` with a one-block ``TwoWayTransformer``; 8x8 image embedding, 32x32
    low-resolution masks. The relative position tables (zero-initialised by SAM) are
    randomised too, so loading bugs cannot hide behind zeros. The global RNG is untouched.

    Args:
        seed (int): weights seed. Defaults to 0.
    """
    from ovseg.models.proposals.sam_loading import build_sam_from_arch
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        sam = build_sam_from_arch(**TINY_SAM_ARCH)
        for name, param in sam.named_parameters():
            if '.rel_pos_' in name:
                param.data.normal_(0, 0.02)
    return sam.eval()
