"""XLSForm features the platform refuses, each with a plain-language reason.

Refusing is deliberate: silently dropping a calculation, a repeat or a default value would
publish a questionnaire that behaves differently from what its author tested elsewhere.
Every message names the feature exactly as written in the spreadsheet (``{feature}``).
"""

from __future__ import annotations

from instruments.logic import FUNCTIONS
from instruments.messages import gettext_noop

REPEAT = gettext_noop(
    "Repeat groups ('{feature}') are not supported: each question is asked once per "
    "respondent. Ask for a count, or list the questions separately"
)
CALCULATE = gettext_noop(
    "Calculated fields ('{feature}') are not supported: derived values are computed in "
    "analysis, not in the questionnaire"
)
LOCATION = gettext_noop(
    "Location questions ('{feature}') are not supported: the survey is anonymous and "
    "does not record where respondents are"
)
MEDIA_UPLOAD = gettext_noop(
    "File, photo and recording questions ('{feature}') are not supported: respondents "
    "answer in a web form and uploads could identify them"
)
BARCODE = gettext_noop("Barcode questions ('{feature}') are not supported in a web survey")
TIME = gettext_noop(
    "Time and date-time questions ('{feature}') are not supported; use a date question"
)
RANGE = gettext_noop(
    "Range sliders ('{feature}') are not supported; use an integer question with "
    "min_value and max_value"
)
TRIGGER = gettext_noop("Acknowledge/trigger questions ('{feature}') are not supported")
FROM_FILE = gettext_noop(
    "Choices loaded from an external file ('{feature}') are not supported; put the choices "
    "on the choices sheet"
)
METADATA = gettext_noop(
    "Metadata fields ('{feature}') are not supported: the platform records start and end "
    "times itself and never collects device, phone or user identifiers. Delete this row"
)
UNKNOWN_TYPE = gettext_noop("Unknown question type '{feature}'")
COLUMN = gettext_noop(
    "The column '{feature}' is not supported ({reason}); leave it empty or delete the column"
)
REQUIRED_EXPRESSION = gettext_noop(
    "Conditional 'required' ('{feature}') is not supported: required must be yes or no. "
    "Use relevant to ask the question only when it applies"
)
FUNCTION = gettext_noop(
    "The function '{feature}' is not supported in this questionnaire's logic; available "
    "functions: {available}"
)
LOOKUP = gettext_noop(
    "Lookups and XPath paths ('{feature}') are not supported; refer to answers as ${{code}}"
)
EXTERNAL_APP = gettext_noop(
    "Launching an external app (appearance '{feature}') is not possible in a web survey"
)
PARAMETER = gettext_noop("The parameter '{feature}' is not supported (known: randomize)")
SETTING = gettext_noop("The setting '{feature}' is not supported ({reason})")
SHEET = gettext_noop("The sheet '{feature}' is not supported ({reason}); delete its rows")

METADATA_TYPES = frozenset(
    {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
     "username", "email", "audit", "uri:deviceid", "uri:subscriberid", "uri:simserial",
     "uri:phonenumber", "uri:username", "uri:email", "start-geopoint", "background-geopoint"}
)  # fmt: skip
TYPE_FEATURES: dict[str, str] = {
    "calculate": CALCULATE, "hidden": CALCULATE,
    "geopoint": LOCATION, "geotrace": LOCATION, "geoshape": LOCATION,
    "image": MEDIA_UPLOAD, "audio": MEDIA_UPLOAD, "video": MEDIA_UPLOAD,
    "background-audio": MEDIA_UPLOAD, "file": MEDIA_UPLOAD,
    "barcode": BARCODE, "time": TIME, "datetime": TIME, "range": RANGE,
    "acknowledge": TRIGGER, "trigger": TRIGGER,
    "select_one_from_file": FROM_FILE, "select_multiple_from_file": FROM_FILE,
    "xml-external": FROM_FILE, "csv-external": FROM_FILE,
    **dict.fromkeys(METADATA_TYPES, METADATA),
}  # fmt: skip

# Survey columns that change behaviour; a value in any of them is refused, with the reason.
REFUSED_COLUMNS: dict[str, str] = {
    "calculation": gettext_noop("calculations belong in analysis"),
    "default": gettext_noop("pre-filled answers would bias responses"),
    "read_only": gettext_noop("every question is answered by the respondent"),
    "repeat_count": gettext_noop("repeat groups are not supported"),
    "trigger": gettext_noop("recalculation triggers are not supported"),
    "image": gettext_noop("media in questions is not supported"),
    "audio": gettext_noop("media in questions is not supported"),
    "video": gettext_noop("media in questions is not supported"),
    "big-image": gettext_noop("media in questions is not supported"),
    "guidance_hint": gettext_noop("hidden guidance is not shown in a self-completed survey"),
    "required_message": gettext_noop("the platform shows its own translated message"),
}
REFUSED_SETTINGS: dict[str, str] = {
    "public_key": gettext_noop("responses are protected by the server, not by form encryption"),
    "submission_url": gettext_noop("responses always go to this platform"),
}
KNOWN_FUNCTIONS = frozenset(FUNCTIONS)
