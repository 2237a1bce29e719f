"""The one compiled module: extract.compiled_record_reader (pyproject.toml holds everything else).

Optional: without a C compiler (or Python's headers) the install still succeeds, with a warning, and the
extractor reads records with the Python reader it is compiled from (extract.xml_records.RECORD_READER).
"""

import lxml
from Cython.Build import cythonize
from setuptools import Extension, setup

extensions = cythonize(
    [
        Extension(
            "extract.compiled_record_reader",
            ["extract/compiled_record_reader.pyx"],
            include_dirs=lxml.get_include(),  # lxml's public C API and the libxml2 headers it ships
        )
    ],
    language_level=3,
    quiet=True,
)
for extension in extensions:
    extension.optional = True  # a failed compile is a warning (cythonize does not carry this flag over)

setup(ext_modules=extensions)
