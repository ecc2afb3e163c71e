"""Every problem code the tool reports, declared once (issue 24): `Problem.code` is one of these or,
for a value a pydantic model refuses, pydantic's own error type (`missing`, `extra_forbidden`,
`literal_error`, ...: engine/io/validation.py passes it through).

tests/test_error_codes.py walks the sources for `code="..."` and fails on a code not listed here or
listed and never used; docs/errors.md is generated from this table (`python scripts/error_codes_doc.py`).
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    # ---- reading a file (engine/io/documents.py, inputs.py, outputs.py)
    EMPTY = "empty"
    ENCODING = "encoding"
    TOO_LARGE = "too_large"
    NOT_REGULAR = "not_regular"
    IS_DIRECTORY = "is_directory"
    UNREADABLE = "unreadable"
    SYNTAX = "syntax"
    ALIAS = "alias"
    TAG = "tag"
    DUPLICATE_KEY = "duplicate_key"
    TOO_DEEP = "too_deep"
    TOO_LONG = "too_long"
    TYPE = "type"
    INVALID = "invalid"
    MORE_PROBLEMS = "more_problems"
    NO_INPUT = "no_input"
    NO_CASES = "no_cases"
    CSV_HEADER = "csv_header"
    CSV_COLUMN = "csv_column"
    CSV_ROW = "csv_row"
    # ---- writing (engine/io/outputs.py, batch files)
    NO_NAME = "no_name"
    EMPTY_PATH = "empty_path"
    NO_FOLDER = "no_folder"
    NOT_A_FOLDER = "not_a_folder"
    UNWRITABLE = "unwritable"
    WRITE_FAILED = "write_failed"
    INSIDE_OUT = "inside_out"
    LOCKED = "locked"
    UNLOCKABLE = "unlockable"
    EXISTS = "exists"
    # ---- a case's contents and commands on it
    UNKNOWN_FACT = "unknown_fact"
    UNKNOWN_FIELD = "unknown_field"
    UNKNOWN_GROUP = "unknown_group"
    UNKNOWN_KEY = "unknown_key"
    NO_REASON = "no_reason"
    UNKNOWN_STATUS = "unknown_status"
    UNKNOWN_ID = "unknown_id"
    UNKNOWN_RULE = "unknown_rule"
    UNKNOWN = "unknown"
    BAD_DATE = "bad_date"
    BAD_NAME = "bad_name"
    DERIVED = "derived"
    RECORD_FACT = "record_fact"
    MISSING = "missing"
    NEEDS_CASE = "needs_case"
    DUPLICATE = "duplicate"
    DUPLICATE_CASE_ID = "duplicate_case_id"
    WRONG_CASE = "wrong_case"
    CHANGED = "changed"
    OTHER_SITE = "other_site"
    SAME_DATE = "same_date"
    SAME_FILE = "same_file"
    TOO_FEW = "too_few"
    NOT_FOUND = "not_found"
    NOT_FILE = "not_file"
    OUTSIDE = "outside"
    # ---- sweep and batch options
    ONE_CASE = "one_case"
    NO_FACT = "no_fact"
    NO_VALUES = "no_values"
    EMPTY_VALUE = "empty_value"
    NO_VALID_VARIANT = "no_valid_variant"
    TOO_MANY = "too_many"
    NEEDS_TABLES = "needs_tables"
    NOT_USED = "not_used"
    CLASH = "clash"
    # ---- rule packs (engine/rulepacks/)
    BAD_NUMBER = "bad_number"
    BAD_OPERATOR = "bad_operator"
    BAD_REFERENCE = "bad_reference"
    BAD_VALUE = "bad_value"
    BAD_WAITS_FOR = "bad_waits_for"
    CONTROL_CHARACTER = "control_character"
    DERIVATION_CYCLE = "derivation_cycle"
    RUNAWAY_DERIVATION = "runaway_derivation"
    DERIVED_TYPE = "derived_type"
    DISABLED = "disabled"
    DUPLICATE_ID = "duplicate_id"
    KEY_TOO_LONG = "key_too_long"
    NO_ACTIONS = "no_actions"
    NOTHING_TO_OVERRIDE = "nothing_to_override"
    SELF_REFERENCE = "self_reference"
    SOURCE_OVERRIDE = "source_override"
    SUPERSEDES_CYCLE = "supersedes_cycle"
    UNFILLABLE_PLACEHOLDER = "unfillable_placeholder"
    UNKNOWN_PLACEHOLDER = "unknown_placeholder"
    UNKNOWN_SOURCE = "unknown_source"
    UNKNOWN_TAG = "unknown_tag"
    UNKNOWN_VAR = "unknown_var"
    # ---- matching
    UNKNOWN_MATCHER = "unknown_matcher"
    DURABLE_ERROR = "durable_error"
    NOT_INSTALLED = "not_installed"
    # ---- the Dask executor and workers (engine/batch/)
    BAD_ADDRESS = "bad_address"
    UNREACHABLE = "unreachable"
    UNUSABLE = "unusable"
    NO_ANSWER = "no_answer"
    NO_WORKERS = "no_workers"
    SCHEDULER_LOST = "scheduler_lost"
    RULES_DIFFER = "rules_differ"
    WORKER_DIED = "worker_died"
    INTERNAL = "internal"


MEANING: dict[Code, str] = {
    Code.EMPTY: "the file holds nothing",
    Code.ENCODING: "the file is not UTF-8 text (or holds a lone surrogate)",
    Code.TOO_LARGE: "the file is over the size limit (1,000,000 bytes for a case or pack)",
    Code.NOT_REGULAR: "the path is a FIFO, a device or a socket, not a saved file",
    Code.IS_DIRECTORY: "a file was expected and the path is a folder",
    Code.UNREADABLE: "the file or folder cannot be read (permissions, I/O error)",
    Code.SYNTAX: "the YAML, JSON or option text cannot be parsed",
    Code.ALIAS: "YAML anchors and aliases are refused",
    Code.TAG: "a YAML tag (!!python/..., !custom) is refused",
    Code.DUPLICATE_KEY: "a mapping names the same key twice",
    Code.TOO_DEEP: "nesting beyond the limit (100 levels) in a file or of folders",
    Code.TOO_LONG: "a text or a path beyond its length limit",
    Code.TYPE: "a value of the wrong type (a list where a mapping is needed, ...)",
    Code.INVALID: "a value the contract refuses (the message says which rule it breaks)",
    Code.MORE_PROBLEMS: "the count of further problems of one file beyond the 50 shown",
    Code.NO_INPUT: "a command that needs input files was given none",
    Code.NO_CASES: "a folder given as input holds no case files",
    Code.CSV_HEADER: "a CSV portfolio without a header row",
    Code.CSV_COLUMN: "a CSV column that is empty or names no case field",
    Code.CSV_ROW: "a CSV row whose cell count differs from the header's",
    Code.NO_NAME: "an output file name that is empty",
    Code.EMPTY_PATH: "an option given an empty path ('')",
    Code.NO_FOLDER: "the folder an output would go into does not exist",
    Code.NOT_A_FOLDER: "an output folder path that exists and is not a folder",
    Code.UNWRITABLE: "an output that cannot be written (permissions, full disk)",
    Code.WRITE_FAILED: "a write that failed part-way; nothing was published",
    Code.INSIDE_OUT: "a batch --out folder inside one of its inputs",
    Code.LOCKED: "another batch run holds the output folder's lock",
    Code.UNLOCKABLE: "the output folder cannot be locked",
    Code.EXISTS: "the output exists and --force was not given",
    Code.UNKNOWN_FACT: "a fact path no case field or rule provides",
    Code.UNKNOWN_FIELD: "a case field the contract does not have",
    Code.UNKNOWN_GROUP: "a perspective group not in the vocabulary",
    Code.UNKNOWN_KEY: "an item key no item of the plan has",
    Code.NO_REASON: "an item set aside without the team's reason",
    Code.UNKNOWN_STATUS: "an item status that is not not_started, under_way or done",
    Code.UNKNOWN_ID: "a rule id or ERIC strategy id that is not loaded",
    Code.UNKNOWN_RULE: "a rule id that no loaded pack defines",
    Code.UNKNOWN: "a name the web app does not know (an example, a page)",
    Code.BAD_DATE: "a date that is not YYYY-MM-DD or does not exist",
    Code.BAD_NAME: "a case name the workspace refuses",
    Code.DERIVED: "a derived fact given as an input (the rules set it)",
    Code.RECORD_FACT: "a fact counted from the case's lists, which cannot be set directly",
    Code.MISSING: "a required value or option is missing",
    Code.NEEDS_CASE: "an option that needs a case file alongside it",
    Code.DUPLICATE: "the same entry listed twice (a decision's key, ...)",
    Code.DUPLICATE_CASE_ID: "two inputs of one batch with the same case_id and date",
    Code.WRONG_CASE: "a decisions file written for another case",
    Code.CHANGED: "the case file changed since the page was loaded (the web app refuses to overwrite)",
    Code.OTHER_SITE: "compare given assessments of different sites",
    Code.SAME_DATE: "compare given two assessments of the same date",
    Code.SAME_FILE: "compare given one file twice",
    Code.TOO_FEW: "compare given fewer than two assessments",
    Code.NOT_FOUND: "a file or folder that does not exist",
    Code.NOT_FILE: "a path that is not a regular file where one is needed",
    Code.OUTSIDE: "a path outside the web app's workspace",
    Code.ONE_CASE: "an option that works on one case given several",
    Code.NO_FACT: "a sweep --vary that names no fact",
    Code.NO_VALUES: "a sweep --vary with no values to try",
    Code.EMPTY_VALUE: "a sweep --vary with an empty value between commas",
    Code.NO_VALID_VARIANT: "no variant of a swept case is a valid case",
    Code.TOO_MANY: "more sweep variants than --max allows",
    Code.NEEDS_TABLES: "an option that needs --tables",
    Code.NOT_USED: "an option the chosen view or format does not use",
    Code.CLASH: "options that cannot be given together",
    Code.BAD_NUMBER: "a rule's number (score, priority figure) out of range",
    Code.BAD_OPERATOR: "an operator that does not apply to the fact's kind",
    Code.BAD_REFERENCE: "a fact reference that cannot be compared with the fact tested",
    Code.BAD_VALUE: "a value the fact's vocabulary or scale does not have",
    Code.BAD_WAITS_FOR: "waits_for names a fact the case is not asked about",
    Code.CONTROL_CHARACTER: "rule text holding a control character",
    Code.DERIVATION_CYCLE: "derived facts that depend on each other in a circle",
    Code.RUNAWAY_DERIVATION: "a chain of derived facts longer than the engine allows",
    Code.DERIVED_TYPE: "a derived fact set to values of different types",
    Code.DISABLED: "a rule disabled by a later pack",
    Code.DUPLICATE_ID: "a rule id defined twice without overrides: true",
    Code.KEY_TOO_LONG: "an item key longer than 64 characters",
    Code.NO_ACTIONS: "a recommending rule without actions",
    Code.NOTHING_TO_OVERRIDE: "overrides: true with no earlier rule of that id",
    Code.SELF_REFERENCE: "a rule that refers to itself (after, supersedes, conflicts_with)",
    Code.SOURCE_OVERRIDE: "a sources.yaml entry that replaces an earlier source",
    Code.SUPERSEDES_CYCLE: "supersedes that goes round in a circle",
    Code.UNFILLABLE_PLACEHOLDER: "a {placeholder} that may have no value and has no fallback",
    Code.UNKNOWN_PLACEHOLDER: "a {placeholder} the rule language does not have",
    Code.UNKNOWN_SOURCE: "a source key not in any sources.yaml",
    Code.UNKNOWN_TAG: "a tag id not in the vocabulary",
    Code.UNKNOWN_VAR: "a decision-table template variable not in 'vars'",
    Code.UNKNOWN_MATCHER: "a --matcher or $ISP_ADVISOR_MATCHER other than durable or python",
    Code.DURABLE_ERROR: "durable_rules refused a ruleset or a fact",
    Code.NOT_INSTALLED: "an optional package the option needs is not installed",
    Code.BAD_ADDRESS: "a Dask scheduler address that is empty or of an unsupported kind",
    Code.UNREACHABLE: "the Dask scheduler cannot be reached",
    Code.UNUSABLE: "the Dask scheduler cannot be used (version, security)",
    Code.NO_ANSWER: "the Dask scheduler accepted the connection and did not answer",
    Code.NO_WORKERS: "the Dask cluster has had no workers for too long",
    Code.SCHEDULER_LOST: "the connection to the Dask scheduler was lost",
    Code.RULES_DIFFER: "a Dask worker reads other rule packs than the client",
    Code.WORKER_DIED: "the worker process evaluating a case died",
    Code.INTERNAL: "an error inside the tool (a bug: please report it with the case)",
}

CODES: frozenset[str] = frozenset(c.value for c in Code)
