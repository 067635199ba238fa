"""Intake: turn plot lists as field teams send them into plots in EPSG:4326."""

from lahan_geo.intake.plots import read_plots

__all__ = ["read_plots"]
