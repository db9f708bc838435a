"""`convert-classic`: classic SDS synchronization profiles → Industry Data desired state.

Pure: classic profiles (as the loader checked them) in, documents and a report out. The command
(`reconciler/commands/convert_cmd.py`) reads and writes the files. The output's shapes — the
contract with the Industry Data kinds — live in `shapes.py` alone.
"""

from reconciler.convert.classic import ClassicProfile
from reconciler.convert.convert import Conversion, Output, convert
from reconciler.convert.report import Entry, Status

__all__ = ["ClassicProfile", "Conversion", "Entry", "Output", "Status", "convert"]
