"""Issue #7: crafted archives (zipped Shapefile, KMZ, XLSX) and XML (KML, GPX, XLSX parts).

Nothing may be written outside a fresh temporary folder, a zip bomb must be refused
by its size before it fills the disk, and XML must never expand entities, read a DTD
or touch the network.
"""

from __future__ import annotations

import socket
import struct
import tempfile
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

import lahan_geo as lg
from intake_corpus import formats
from test_hostile_files import assert_clean_error

POINT_KML = ("<kml><Document><Placemark><name>A</name><Point><coordinates>112.312345,"
             "-2.512345</coordinates></Point></Placemark></Document></kml>")
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">'
                    for i in range(1, 10))
          + "]>")


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Point tempfile at a folder of our own, to see what extraction leaves behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything opens a network connection."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network access during a test of hostile input")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection",
                        lambda address, *a, **k: refuse(None, address))
    return attempts


def _declare_size(path: Path, member: str, size: int) -> None:
    """Make the archive claim ``member`` unpacks to ``size`` bytes (a zip bomb's headers)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[start + offset:start + offset + 4] = struct.pack("<I", size)
            start += 4
    path.write_bytes(bytes(data))


# --------------------------------------------------------------------------------------
# Paths leaving the folder, links
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "../../escaped.csv", "/tmp/escaped.csv", "..\\..\\escaped.csv", "sub/../../escaped.csv",
    "C:/escaped.csv", "./sub\\..\\..\\escaped.csv",
])
@pytest.mark.parametrize("suffix", [".zip", ".kmz"])
def test_entries_leaving_the_folder_are_refused_and_nothing_is_written(
        tmp_path, private_tmp, name, suffix):
    path = tmp_path / "work" / f"evil{suffix}"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("doc.kml" if suffix == ".kmz" else "plots.csv", POINT_KML if suffix == ".kmz"
                    else "lintang,bujur\n-2.512345,112.312345\n")
        info = zipfile.ZipInfo("x")
        info.filename = name  # ZipInfo would normalize the name; a crafted archive does not
        zf.writestr(info, "lintang,bujur\n-2.5,112.3\n")
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    text = assert_clean_error(info, f"evil{suffix}")
    assert "leaves the archive's folder" in text
    assert not list(tmp_path.rglob("escaped.csv"))
    assert not Path("/tmp/escaped.csv").exists()
    assert list(private_tmp.iterdir()) == []  # nothing extracted, nothing left


def test_a_symlink_entry_is_extracted_as_a_plain_file_never_followed(tmp_path, private_tmp):
    secret = tmp_path / "secret.csv"
    secret.write_text("id_lahan,lintang,bujur\nSECRET,-2.512345,112.312345\n")
    path = tmp_path / "link.zip"
    link = zipfile.ZipInfo("plots.csv")
    link.create_system = 3
    link.external_attr = 0o120777 << 16  # a symbolic link, in the archive's metadata
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(link, str(secret))
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    text = assert_clean_error(info, "link.zip")
    assert "SECRET" not in text and "no coordinate columns" in text
    assert list(private_tmp.iterdir()) == []


def test_extraction_folder_is_removed_after_reading(tmp_path, private_tmp):
    plots = lg.read_plots(formats.write_zipped_shapefile(tmp_path))
    assert len(plots) == 2
    assert list(private_tmp.iterdir()) == []


# --------------------------------------------------------------------------------------
# Zip bombs
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:
    """600 MB of zeros in a 3 MB archive, with honest headers."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            zf.open("plots.csv", "w", force_zip64=True) as member:
        member.write(b"id_lahan,lintang,bujur\n")
        chunk = b"0" * (1 << 20)
        for _ in range(600):
            member.write(chunk)
    return path


def test_a_zip_bomb_is_refused_by_its_size_before_anything_is_written(zip_bomb, private_tmp):
    assert zip_bomb.stat().st_size < 5_000_000
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(zip_bomb)
    text = assert_clean_error(info, "bomb.zip")
    assert "unpacks to 629 MB, more than the budget archive_unpacked_bytes=524,288,000" in text
    assert list(private_tmp.iterdir()) == []


def test_too_many_entries_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("LAHAN_GEO_LIMITS", "archive_members=50")
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(51):
            zf.writestr(f"f{i}.txt", "x")
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    assert "holds 51 entries, more than the budget archive_members=50" in assert_clean_error(
        info, "many.zip")


def test_a_kmz_whose_document_claims_gigabytes_is_refused_unread(tmp_path):
    path = tmp_path / "bomb.kmz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", POINT_KML)
    _declare_size(path, "doc.kml", 3_000_000_000)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    assert "unpacks to 3,000 MB" in assert_clean_error(info, "bomb.kmz")


def test_a_kmz_document_larger_than_kml_is_read_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.kmz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("doc.kml", POINT_KML)
    _declare_size(path, "doc.kml", 300_000_000)  # under the archive limit, over the KML one
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    assert "doc.kml unpacks to 300 MB, more than the budget xml_bytes=" in assert_clean_error(
        info, "big.kmz")


def test_an_xlsx_bomb_is_refused_before_openpyxl_opens_it(tmp_path):
    book = Workbook()
    book.active.append(["id_lahan", "lintang", "bujur"])
    path = tmp_path / "bomb.xlsx"
    book.save(path)
    _declare_size(path, "xl/worksheets/sheet1.xml", 3_000_000_000)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    assert "unpacks to 3,000 MB, more than" in assert_clean_error(info, "bomb.xlsx")


def test_an_archive_in_an_archive_is_not_opened(tmp_path):
    inner = formats.zip_files(tmp_path / "inner.zip", [formats.write_kml(tmp_path / "a.kml")])
    outer = formats.zip_files(tmp_path / "outer.zip", [inner])
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(outer)
    assert "holds only another archive (inner.zip)" in assert_clean_error(info, "outer.zip")


def test_a_zipped_shapefile_without_its_index_names_the_missing_part(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    shp = formats.write_gdal(folder / "plots.shp", "ESRI Shapefile")
    parts = [p for p in folder.glob("plots.*") if p.suffix != ".shx"]
    path = formats.zip_files(tmp_path / "noshx.zip", parts)
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    text = assert_clean_error(info, "noshx.zip")
    assert f"{shp.name} comes without its .shx (index)" in text
    assert "SHAPE_RESTORE_SHX" not in text and "lahan_geo_" not in text  # no temp paths


# --------------------------------------------------------------------------------------
# XML: entities, DTDs, the network, nesting
# --------------------------------------------------------------------------------------


XML_ATTACKS = {
    "laughs.kml": LAUGHS + "<kml><Placemark><name>&lol9;</name></Placemark></kml>",
    "file_entity.kml": ('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM '
                        '"file:///etc/passwd">]><kml><Placemark><name>&x;</name>'
                        "</Placemark></kml>"),
    "remote_dtd.kml": ('<?xml version="1.0"?><!DOCTYPE kml SYSTEM "http://192.0.2.1/kml.dtd">'
                       + POINT_KML),
    "parameter_entity.kml": ('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY % p SYSTEM '
                             '"http://192.0.2.1/p.dtd"> %p;]>' + POINT_KML),
    "laughs.gpx": (LAUGHS.replace("kml", "gpx") + '<gpx><wpt lat="-2.5" lon="112.3">'
                   "<name>&lol9;</name></wpt></gpx>"),
}


@pytest.mark.parametrize("name", list(XML_ATTACKS))
def test_xml_with_a_dtd_or_entities_is_refused_without_expansion_or_network(
        tmp_path, no_network, name):
    path = tmp_path / name
    path.write_text(XML_ATTACKS[name])
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    text = assert_clean_error(info, name)
    assert "declares a DOCTYPE or entities" in text
    assert "root:" not in text and "lollol" not in text
    assert no_network == []


def test_kmz_with_entities_is_refused(tmp_path, no_network):
    path = tmp_path / "laughs.kmz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("doc.kml", XML_ATTACKS["laughs.kml"])
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    assert "declares a DOCTYPE" in assert_clean_error(info, "laughs.kmz")


def test_network_links_and_xinclude_are_never_fetched(tmp_path, no_network):
    path = tmp_path / "links.kml"
    path.write_text(
        '<kml xmlns:xi="http://www.w3.org/2001/XInclude"><Document>'
        "<NetworkLink><Link><href>http://192.0.2.1/more.kml</href></Link></NetworkLink>"
        '<Placemark><name>A</name><description><xi:include href="/etc/passwd" parse="text"/>'
        "</description><Style><IconStyle><Icon><href>http://192.0.2.1/i.png</href></Icon>"
        "</IconStyle></Style><Point><coordinates>112.312345,-2.512345</coordinates></Point>"
        "</Placemark></Document></kml>")
    plots = lg.read_plots(path)
    assert plots["plot_id"].tolist() == ["A"] and plots["input_problem"].iloc[0] is None
    assert "root:" not in str(plots["description"].iloc[0])
    assert no_network == []


@pytest.mark.parametrize(("part", "inject"), [
    ("xl/worksheets/sheet1.xml", LAUGHS.replace("kml", "worksheet")),
    ("xl/sharedStrings.xml", '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM '
                             '"file:///etc/passwd">]>'),
    ("[Content_Types].xml", '<?xml version="1.0"?><!DOCTYPE Types SYSTEM '
                            '"http://192.0.2.1/t.dtd">'),
])
def test_xlsx_parts_with_a_dtd_are_refused(tmp_path, no_network, part, inject):
    book = Workbook()
    book.active.append(["id_lahan", "lintang", "bujur"])
    book.active.append(["A", "-2.512345", "112.312345"])
    source = tmp_path / "base.xlsx"
    book.save(source)
    path = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as out:
        names = src.namelist()
        for name in names:
            data = src.read(name)
            if name == part:
                data = inject.encode() + data.split(b"?>", 1)[-1]
            out.writestr(name, data)
        if part not in names:
            out.writestr(part, inject + "<sst/>")
    with pytest.raises(lg.InputError) as info:
        lg.read_plots(path)
    text = assert_clean_error(info, "entities.xlsx")
    assert f"part {part!r} declares a DTD or entities" in text
    assert "root:" not in text and no_network == []


def test_a_hundred_thousand_nested_folders_do_not_overflow_the_stack(tmp_path):
    path = tmp_path / "deep.kml"
    depth = 100_000
    path.write_text("<kml>" + "<Folder>" * depth + "<Placemark><name>A</name><Point>"
                    "<coordinates>112.312345,-2.512345</coordinates></Point></Placemark>"
                    + "</Folder>" * depth + "</kml>")
    plots = lg.read_plots(path)
    assert plots["plot_id"].tolist() == ["A"] and plots["input_problem"].iloc[0] is None


def test_deeply_nested_multigeometry_is_a_row_problem(tmp_path):
    path = tmp_path / "nested.kml"
    depth = 5_000
    point = "<Point><coordinates>112.312345,-2.512345</coordinates></Point>"
    path.write_text("<kml><Document><Placemark><name>A</name>" + "<MultiGeometry>" * depth
                    + point + "</MultiGeometry>" * depth + "</Placemark><Placemark><name>B"
                    "</name>" + point + "</Placemark></Document></kml>")
    plots = lg.read_plots(path)
    assert plots["plot_id"].tolist() == ["A", "B"]
    assert "nested more than 32 levels deep" in plots["input_problem"].iloc[0]
    assert plots["input_problem"].iloc[1] is None
