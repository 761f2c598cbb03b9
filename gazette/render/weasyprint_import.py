"""Import WeasyPrint without the 0.4 s its library loading spends asking the system for Windows names.

WeasyPrint opens each C library (GLib, Pango, HarfBuzz, fontconfig…) by trying a list of names in turn:
the Windows and macOS names first, then the Linux sonames. cffi answers each name that fails to load by
calling ctypes.util.find_library, which on Linux runs `ldconfig -p` and gcc in a subprocess: 22 runs, about
0.4 s of every process that renders a PDF, for names that never exist on Linux. Here find_library says "not
found" at once while WeasyPrint is imported, so the sonames further down its list load directly. Should a
system have a library only find_library can locate, the import is retried the ordinary way.

Import this module before anything imports weasyprint (gazette/render/pdf.py does).
"""

from __future__ import annotations

import contextlib
import ctypes.util
import io
import sys


def _import() -> None:
    if sys.platform.startswith("linux") and "weasyprint" not in sys.modules:
        original = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        try:
            # WeasyPrint prints installation advice before it raises: not for this attempt
            with contextlib.redirect_stdout(io.StringIO()):
                import weasyprint  # noqa: F401
            return
        except OSError:
            for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = original
    import weasyprint  # noqa: F401, F811


_import()
