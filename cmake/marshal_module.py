"""marshal_module.py SRC OUT FILENAME: compile SRC and write its code object, marshalled, to OUT.

Run at build time by the python pyhd is built against (pyhd_embed_modules in
EmbedFile.cmake), so pyhd-debug loads its own modules without compiling them:
marshal's format is that of the libpython it embeds.
"""
import marshal
import sys

src, out, filename = sys.argv[1:4]
with open(src, "rb") as f:
    code = compile(f.read(), filename, "exec", dont_inherit=True)
with open(out, "wb") as f:
    marshal.dump(code, f)
