"""lahan_geo: screen proposed land plots against the forest estate and the spatial plan."""

__version__ = "0.1.0"
