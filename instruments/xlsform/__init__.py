"""XLSForm import and export (openpyxl), for questionnaires authored in a spreadsheet.

``read_xlsform(path_or_bytes) -> (Instrument | None, issues)`` and
``write_xlsform(instrument, path=None) -> bytes``; export then import gives an equal
definition (``to_dict()`` identical). Every problem comes back as a ValidationIssue with
sheet, row, column (header text) and cell, plus the character position inside an
expression; nothing raises on a bad workbook.

Sheets: ``survey`` (required), ``choices``, ``settings``. Sheet and column names are
trimmed and case-insensitive, spaces count as ``_``. Help sheets and unknown sheets are
ignored; ``external_choices``, ``entities`` and ``osm`` with data are refused.

Languages: ``label::Chinese (zh)`` → ``zh-hans``, ``label::English (en)`` → ``en``, any
``Name (code)`` → ``code``; bare names (``label::english``) are mapped for common languages.
Unsuffixed columns (plain ``label``) belong to ``settings.default_language``, else to the
first declared language, else to the reader's ``default_language`` (``zh-hans``). Every
declared language must have every label (choices too); hints, constraint messages and
units must be complete once given in any language. The title is ``form_title`` (or
``form_title::<lang>``); without a settings sheet the file name is the id.

survey ``type`` → item type:

=========================================  ==========================================
``select_one L``                           single choice (``likert`` appearance: likert)
``select_multiple L``                      multiple choice
``... L or_other``                         adds option ``other`` and answer ``<code>_other``
``rank L``                                 ranking
``integer`` / ``decimal``                  integer / decimal (``year`` appearance: year)
``text``                                   text (``multiline`` appearance: long text)
``date`` / ``note``                        date / display-only note
``begin group`` … ``end group``            group; ``field-list`` appearance: one page
``begin group`` with ``table-list``        matrix, when its rows are plain ``select_one``
                                           on one list with the same required/constraint
                                           (row names are the row codes, e.g. ``D5_r1``)
=========================================  ==========================================

``begin_group``/``end_group`` spellings and legacy ``select one from L`` are accepted.
Columns: ``name``, ``label``, ``hint``, ``required`` (yes/true/1/TRUE), ``relevant``,
``constraint``, ``constraint_message``, ``appearance`` (other presentation tokens such as
``minimal`` are ignored), ``choice_filter`` (bare names are columns of the choices sheet,
``${x}`` are answers; evaluated when answers are validated), ``parameters``
(``randomize=true``; ``seed`` is ignored).

Platform extensions, in extra survey columns: ``min_choices``/``max_choices`` (multiple
choice; for ranking ``max_choices`` is k of "top k"), ``exclusive`` (option codes that
cannot be combined, e.g. 「无」), ``other_choice`` (an option in the list that asks "please
specify", e.g. ``G00``), ``min_value``/``max_value`` (integer, decimal, year),
``max_length`` (text) and ``unit::<language>`` (integer, decimal).

Refused, each with sheet/row/column and a reason naming the feature: repeats, calculate
and hidden, geo types, media/file/barcode, time/dateTime, range, acknowledge/trigger,
``*_from_file``, metadata (start, end, today, deviceid, …), conditional ``required``, the
columns calculation, default, read_only, repeat_count, trigger, media, guidance_hint and
required_message, ``ex:`` app appearances, unknown parameters, the settings public_key and
submission_url, and expression functions the logic language lacks (``regex()``,
``today()``, ``instance()`` lookups, ``jr:`` functions, …).
"""

from .reader import read_xlsform
from .writer import write_xlsform

__all__ = ["read_xlsform", "write_xlsform"]
