"""Checks the committed translation catalogues (run by `make lint`).

* every compiled .mo matches its .po, so the catalogue in use is the one reviewed;
* the zh-hans catalogue has no untranslated or fuzzy entries, so no Chinese page falls
  back to English by accident.
Run `make messages` to regenerate after changing UI strings.
"""

from __future__ import annotations

import gettext
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
COMPLETE = {"zh_Hans"}


def check(po_path: Path) -> list[str]:
    problems = []
    po = polib.pofile(str(po_path))
    mo_path = po_path.with_suffix(".mo")
    locale = po_path.parent.parent.name
    if not mo_path.exists():
        return [f"{mo_path} is missing: run `make messages`."]
    with mo_path.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    for entry in po.translated_entries():
        key = entry.msgid if not entry.msgctxt else f"{entry.msgctxt}\x04{entry.msgid}"
        got = compiled.get(key if not entry.msgid_plural else (key, 0))
        want = entry.msgstr if not entry.msgid_plural else entry.msgstr_plural[0]
        if got != want:
            problems.append(f"{mo_path} is stale for {entry.msgid!r}: run `make messages`.")
            break
    if locale in COMPLETE:
        for entry in po.untranslated_entries() + po.fuzzy_entries():
            problems.append(f"{po_path}:{entry.linenum}: untranslated or fuzzy: {entry.msgid!r}")
    return problems


def main() -> int:
    problems = []
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        problems.extend(check(po_path))
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
