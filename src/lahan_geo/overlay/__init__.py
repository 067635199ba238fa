"""Overlay: what lies under each plot, and how far the decisive boundaries are.

:mod:`.kernel` overlays plots on one layer in one metric CRS (bit masks of the
categories under each plot, overlaps, slivers, distances); :mod:`.driver` runs it for
a whole batch: UTM zones, boundary pieces cached per layer, plots crossing an edge,
constraint layers.
"""

from lahan_geo.overlay.driver import (
    PIECES_VERSION,
    Batch,
    Overlaid,
    constraint_hits,
    forget_pieces,
    layer_pieces,
    overlay_plots,
    tree_of,
)
from lahan_geo.overlay.kernel import (
    MIN_CORE_M2,
    NODE_CAPACITY,
    PIECE_VERTICES,
    SLIVER_MAX_SHARE,
    Cover,
    Crossing,
    LayerOverlay,
    assemble,
    category_values,
    check_categories,
    cover,
    crossing_overlaps,
    cut_lines,
    decisive_boundaries,
    layer_categories,
    layer_edges,
    nearest_distance,
    overlay_layer,
)

__all__ = [
    "MIN_CORE_M2",
    "NODE_CAPACITY",
    "PIECES_VERSION",
    "PIECE_VERTICES",
    "SLIVER_MAX_SHARE",
    "Batch",
    "Cover",
    "Crossing",
    "LayerOverlay",
    "Overlaid",
    "assemble",
    "category_values",
    "check_categories",
    "constraint_hits",
    "cover",
    "crossing_overlaps",
    "cut_lines",
    "decisive_boundaries",
    "forget_pieces",
    "layer_categories",
    "layer_edges",
    "layer_pieces",
    "nearest_distance",
    "overlay_layer",
    "overlay_plots",
    "tree_of",
]
