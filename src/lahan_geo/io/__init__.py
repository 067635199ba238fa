"""Untrusted files on the way in: what a file is, archives, XML, and the one GDAL gate.

Below both :mod:`lahan_geo.intake` (plot lists) and :mod:`lahan_geo.layers` (legal
layers): every file either reads is sniffed by its content (:mod:`.sniff`), unpacked
within budgets (:mod:`.archives`), parsed as XML without entities (:mod:`.safe_xml`)
and handed to GDAL only through :func:`lahan_geo.io.gdal_files.open_vector`, with the
one driver its content earned.
"""
