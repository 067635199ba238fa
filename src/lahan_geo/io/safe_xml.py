"""Parse KML and GPX text without any of XML's dangerous features.

A KML or GPX file needs no document type declaration. This parser refuses any
``<!DOCTYPE`` (and so any entity declaration: no "billion laughs" expansion, no
external entity, nothing fetched from a network or the disk) and builds a plain
:class:`xml.etree.ElementTree.Element` tree with namespace prefixes removed, so
``kml:Placemark`` and ``{http://www.opengis.net/kml/2.2}Placemark`` are both
``Placemark``. It uses the standard library's expat directly, the same protection
``defusedxml`` gives with ``forbid_dtd=True``.

Examples
--------
>>> root = parse_xml(b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark>'
...                  b'<name>A</name></Placemark></kml>', "a.kml")
>>> root.tag, root.find("Placemark/name").text
('kml', 'A')
>>> parse_xml(b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', "bad.kml")
Traceback (most recent call last):
...
lahan_geo.errors.InputError: bad.kml declares a DOCTYPE ...
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import NoReturn
from xml.parsers import expat

from lahan_geo.errors import InputError
from lahan_geo.limits import current, too_big

__all__ = ["parse_xml"]


class _RefusedError(Exception):
    pass


def _local(name: str) -> str:
    """``{ns}tag`` or ``prefix:tag`` -> ``tag``."""
    return name.rpartition("}")[2].rpartition(":")[2]


def parse_xml(data: bytes, label: str) -> ET.Element:
    """Parse XML text into an element tree, refusing DTDs and entities.

    Parameters
    ----------
    data : bytes
        The document.
    label : str
        Name of the file for messages.

    Returns
    -------
    xml.etree.ElementTree.Element
        The root element; tags and attribute names without namespaces.

    Raises
    ------
    InputError
        If the text is over the budgets ``xml_bytes``, ``xml_elements`` or ``xml_depth``
        (:mod:`lahan_geo.limits`), declares a DOCTYPE or an entity, or is not
        well-formed XML (the message gives the line).
    """
    limits = current()
    if len(data) > limits.xml_bytes:
        raise InputError(too_big(label, f"is {len(data) / 1e6:,.0f} MB", "xml_bytes",
                                 "split the file"))
    builder = ET.TreeBuilder()
    elements = depth = 0
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> NoReturn:
        raise _RefusedError

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal elements, depth
        elements += 1
        depth += 1
        if elements > limits.xml_elements:
            raise InputError(too_big(label, f"holds more than {limits.xml_elements:,} XML "
                                     "elements", "xml_elements", "split the file"))
        if depth > limits.xml_depth:
            raise InputError(too_big(label, f"nests XML elements more than {limits.xml_depth:,} "
                                     "deep", "xml_depth", "export the file again from the GPS "
                                     "or mapping app"))
        builder.start(_local(name), {_local(k): v for k, v in attrs.items()})

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(_local(name))

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except _RefusedError:
        msg = (f"{label} declares a DOCTYPE or entities, which KML and GPX never need; it is "
               "refused for safety. Fix: export the file again from the GPS or mapping app.")
        raise InputError(msg) from None
    except expat.ExpatError as err:
        msg = (f"{label} is not well-formed XML (line {err.lineno}, column {err.offset}: "
               f"{expat.ErrorString(err.code)}). Fix: export the file again; it may be cut off.")
        raise InputError(msg) from None
    return builder.close()
