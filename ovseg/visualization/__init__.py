"""Drawing of segmentation results: mmseg's ``SegLocalVisualizer`` overlay plus a legend, and the
per-class score and per-proposal views of open-vocabulary models."""
from .legend import add_legend, palette
from .overlay import MAX_PIXELS, draw_overlay, drawing_size
from .views import proposal_grid, score_grid

__all__ = ['MAX_PIXELS', 'add_legend', 'draw_overlay', 'drawing_size', 'palette', 'proposal_grid', 'score_grid']
