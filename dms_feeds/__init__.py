"""The one writer of each DMS export format, shared by the sample data, the tests and the benchmark.

    vin.py              VINs: the ISO 3779 check digit, valid VINs from their parts
    xml_text.py         escaping and CDATA (`escape=False`: the benchmark's XML-safe values); the indented layout
    format.py           DmsFormat: a format's record writer and the document around its records
    dms_a.py            DMS_A            <Ads><Ad>
    gestionaleauto.py   GESTIONALEAUTO   <export_gestionaleauto><car id="...">
    multigestionale.py  MULTIGESTIONALE  <root><element>
    mobilede.py         MOBILEDE         <search:search-result>...<ad:ad key="...">
    export.py           export files: plain, zip or gzip, whole (write_export) or record by record (StreamedExport)

A writer takes one record's values, named as the format names them (each module's TypedDict), and
returns the record's XML text on one line; it invents nothing (a format's constants aside), so each
caller keeps its own data: the sample's hand-written listings (indented for people to read), a test's
`Ad`, the benchmark's million invented cars (streamed into zips). The
reading side of each format is its track file, tracks/<dms>.sql (docs/track_files.md); the extractor
never imports this package. Standard library only: `python3 sample_data/make_vehicle_samples.py` runs
without the project's environment.
"""

from __future__ import annotations

from dms_feeds import dms_a, gestionaleauto, mobilede, multigestionale
from dms_feeds.format import DmsFormat

FORMATS: dict[str, DmsFormat] = {
    module.FORMAT.dms: module.FORMAT for module in (dms_a, gestionaleauto, multigestionale, mobilede)
}
