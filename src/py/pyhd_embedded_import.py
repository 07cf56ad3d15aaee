"""pyhd_embedded_import: the import finder for the modules compiled into pyhd-debug.

src/embedded_import.c runs this module's code (marshalled at build time, as
every module of src/py is) once, before any other of them is imported. The
finder is importlib's protocol (find_spec, create_module, exec_module) over
_pyhd_embedded's table: it runs only code compiled into the binary, never
anything from a dump or from the file system.
"""
import marshal
import sys

import _pyhd_embedded
from importlib.machinery import ModuleSpec


class EmbeddedImporter:
    @staticmethod
    def find_spec(name, path=None, target=None):
        entry = _pyhd_embedded.code(name)
        if entry is None:
            return None
        return ModuleSpec(name, EmbeddedImporter, origin=entry[0], is_package=entry[2])

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        filename, code, _ = _pyhd_embedded.code(module.__spec__.name)
        module.__file__ = filename
        exec(marshal.loads(code), module.__dict__)


sys.meta_path.insert(0, EmbeddedImporter)
