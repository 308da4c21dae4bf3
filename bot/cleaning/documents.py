"""Documents: PDF (pypdf) and Office Open XML (.docx with python-docx, .xlsx with openpyxl, .pptx with python-pptx).

What identifies the sender in a document is its properties: the author and who saved it last, the company,
the software and its version, the times, and XMP packets (PDF) holding the same. Those are removed; the content
is kept as it is. Left as a known limit: photos embedded inside a document keep their own EXIF, and the
original is kept encrypted for the police to ask for, as with every file.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

from bot.cleaning.result import Cleaned, Content, Verdict

# A .docx of a few megabytes can unpack to gigabytes (a zip bomb): refuse to unpack more than this.
MAX_UNPACKED = 200 * 1024 * 1024
NEUTRAL_TIME = datetime(2000, 1, 1)

OOXML = {
    # the part that tells the kind, the mime type and the extension of the cleaned copy
    "word/document.xml": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/workbook.xml": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
}
# Package relationships to drop: app.xml (company, manager, software, template, editing time) and custom.xml.
DROPPED_RELS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties",
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
)
TEXT_PROPERTIES = (
    "author",
    "category",
    "comments",
    "content_status",
    "identifier",
    "keywords",
    "language",
    "last_modified_by",
    "subject",
    "title",
    "version",
)


# PDF ------------------------------------------------------------------------------------------------------
def is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]  # where readers look for the header


def clean_pdf(data: bytes) -> Cleaned | None:
    if not is_pdf(data):
        return None
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return Cleaned(
                Verdict.NOT_CLEANABLE, Content.PDF
            )  # locked: we cannot rewrite what we cannot read
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None  # the /Info dictionary: Author, Creator, Producer, dates
        writer.xmp_metadata = None  # the catalog's XMP packet, which repeats them
        for page in writer.pages:
            for key in ("/Metadata", "/PieceInfo", "/Thumb"):
                if key in page:
                    del page[NameObject(key)]
        # XMP may also hang off images, fonts and forms (pypdf lists a writer's objects only in `_objects`).
        for obj in writer._objects:
            if isinstance(obj, DictionaryObject) and "/Metadata" in obj:
                del obj[NameObject("/Metadata")]
        # Unreferenced objects (the XMP stream just detached) would still be written out otherwise.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except Exception:  # noqa: BLE001 — a parser on hostile input: any failure means "not cleanable"
        return Cleaned(Verdict.NOT_CLEANABLE, Content.PDF)
    return Cleaned(Verdict.CLEANED, Content.PDF, out.getvalue(), "application/pdf", "pdf")


# Office Open XML ------------------------------------------------------------------------------------------
def ooxml_kind(data: bytes) -> tuple[str, str, str] | None:
    """(the part that told, mime, extension) for an Office document; None for other zips and non-zips."""
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        return None
    try:
        with zipfile.ZipFile(buffer) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    for part, (mime, ext) in OOXML.items():
        if part in names and "[Content_Types].xml" in names:
            return part, mime, ext
    return None


def unpacked_size(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def clean_office(data: bytes) -> Cleaned | None:
    found = ooxml_kind(data)
    if found is None:
        return None
    part, mime, ext = found
    try:
        if unpacked_size(data) > MAX_UNPACKED:
            return Cleaned(Verdict.NOT_CLEANABLE, Content.DOCUMENT)
        cleaner = {"docx": _clean_docx, "xlsx": _clean_xlsx, "pptx": _clean_pptx}[ext]
        clean = cleaner(data)
    except Exception:  # noqa: BLE001 — three libraries' parsers on hostile input: any failure means "not cleanable"
        return Cleaned(Verdict.NOT_CLEANABLE, Content.DOCUMENT)
    return Cleaned(Verdict.CLEANED, Content.DOCUMENT, clean, mime, ext)


def _reset_core(properties: Any) -> None:
    """python-docx and python-pptx share the core-properties API."""
    for name in TEXT_PROPERTIES:
        setattr(properties, name, "")
    properties.revision = 1
    properties.created = properties.modified = properties.last_printed = NEUTRAL_TIME


def _clean_docx(data: bytes) -> bytes:
    import docx

    document = docx.Document(io.BytesIO(data))
    _reset_core(document.core_properties)
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype in DROPPED_RELS:
            del package.rels[rel_id]
    # Comments and tracked changes are signed with their author's name and initials.
    for part in package.iter_parts():
        element = getattr(part, "element", None)  # XML parts only; others are kept as they are
        if element is None or not hasattr(element, "iter"):
            continue
        for node in element.iter():
            for attribute in list(node.attrib):
                local = attribute.rsplit("}", 1)[-1]
                if local in ("author", "initials") or local.startswith("rsid"):
                    del node.attrib[attribute]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _clean_xlsx(data: bytes) -> bytes:
    from openpyxl import load_workbook
    from openpyxl.packaging.core import DocumentProperties
    from openpyxl.packaging.custom import CustomPropertyList

    workbook = load_workbook(io.BytesIO(data), rich_text=True)
    # A fresh set: openpyxl writes its own neutral app.xml; the creator would default to "openpyxl".
    workbook.properties = DocumentProperties(
        creator="", lastModifiedBy="", created=NEUTRAL_TIME, modified=NEUTRAL_TIME
    )
    workbook.custom_doc_props = CustomPropertyList()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.comment is not None:
                    cell.comment.author = ""
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _clean_pptx(data: bytes) -> bytes:
    from pptx import Presentation

    presentation = Presentation(io.BytesIO(data))
    _reset_core(presentation.core_properties)
    package = presentation.part.package
    # python-pptx lists package relationships only on its private mapping; drop_rel is its public remover.
    for rel_id, rel in list(package._rels.items()):
        if rel.reltype in DROPPED_RELS:
            package.drop_rel(rel_id)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()
