"""Compile every antt/locale/*/LC_MESSAGES/django.po to .mo with Babel (no GNU gettext needed)."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

root = Path(__file__).resolve().parent.parent / "antt" / "locale"
for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    with po_path.with_suffix(".mo").open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    print(f"compiled {po_path.relative_to(root.parent.parent)} ({len(catalog)} messages)")
