"""Parquet tables beside a batch's outputs (`batch --tables parquet`) and a sweep's (`sweep --tables parquet`).

pyarrow is an optional extra (`pip install '.[analytics]'`); `check` refuses `--tables parquet` without
it before any case runs. The rows come from engine.batch.tablerows (built where the cases are
evaluated); this module only declares the schemas and writes.

The bytes depend on the inputs alone: rows are written in input order, a row group holds the rows of
GROUP_CASES cases (never what a worker happened to send), compression is zstd at a fixed level, and
nothing records a time. Each file's key-value metadata carries `isp_advisor.schema_version`
(SCHEMA_VERSION), `isp_advisor.table` and `isp_advisor.engine` (the engine and rule packs that made it).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.batch.tablerows import (
    CASE_COLUMNS,
    CASE_FACTS,
    CASE_LISTS,
    CFIR_COLUMNS,
    COUNTS,
    ITEM_COLUMNS,
    PROOF_COLUMNS,
    TAG_COLUMNS,
    TEXT_COLUMNS,
    CaseTables,
)
from engine.errors import Problem, UsageError
from engine.model.jsontext import compact

if TYPE_CHECKING:
    from engine.batch.sweep import VariantRow, Vary

SCHEMA_VERSION = 1
"""Raised when a column changes meaning or type; new columns are added at the end without raising it."""

TABLE_FORMATS: tuple[str, ...] = ("parquet",)
CASES = "cases.parquet"
ITEMS = "items.parquet"
PROOFS = "proofs.parquet"
TEXTS = "texts.parquet"
TABLE_FILES: tuple[str, ...] = (CASES, ITEMS, PROOFS, TEXTS)
VARIANTS = "variants.parquet"
"""`sweep --tables parquet`: one row per case x variant x item."""

GROUP_CASES = 1024
"""Cases whose rows make one row group of each table (the variants of GROUP_CASES // 8 cases for a sweep)."""
CONVERT_ROWS = 8192
"""Rows kept as Python tuples before they are turned into Arrow columns (a fixed count: the same bytes)."""
ZSTD_LEVEL = 3
"""zstd's level: small files at a write cost measured in bench/RESULTS.md (issue 25)."""
INSTALL = "pip install 'isp-advisor[analytics]' (from a checkout: pip install '.[analytics]')"


def available() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def check(tables: str | None, option: str = "--tables") -> bool:
    """True when tables are asked for; a usage error for an unknown format or without pyarrow."""
    if not tables:
        return False
    if tables not in TABLE_FORMATS:
        raise UsageError(
            Problem(
                field=option, code="invalid", message=f"'{tables}' is not a table format", hint="use --tables parquet"
            )
        )
    if not available():
        raise UsageError(
            Problem(
                field=option,
                code="not_installed",
                message="pyarrow is not installed",
                hint=f"install the optional extra: {INSTALL}",
            )
        )
    return True


def _pa() -> Any:
    """pyarrow, untyped (an optional extra)."""
    import importlib

    return importlib.import_module("pyarrow")


def _pq() -> Any:
    import importlib

    return importlib.import_module("pyarrow.parquet")


@functools.cache
def schemas() -> dict[str, Any]:
    """The batch tables' Arrow schemas (without metadata), by file name."""
    pa = _pa()
    text, date, strings, ids = pa.string(), pa.date32(), pa.list_(pa.string()), pa.list_(pa.int64())
    cases = [pa.field("case_id", text, nullable=False), pa.field("assessed_on", date)]
    cases += [pa.field(col, text) for col, _ in CASE_FACTS]
    cases += [pa.field(col, pa.int32()) for col in COUNTS]
    cases += [pa.field(col, strings) for col in CASE_LISTS]
    cases += [pa.field(col, pa.int8()) for col, _ in CFIR_COLUMNS]
    items = [
        pa.field("case_id", text, nullable=False),
        pa.field("assessed_on", date),
        pa.field("key", text, nullable=False),
        pa.field("rank", pa.int32()),
        pa.field("horizon", text),
        pa.field("category", text),
        pa.field("priority", text),
        pa.field("priority_rank", pa.int8()),
        pa.field("rule_id", text),
        pa.field("rule_ids", strings),
        pa.field("title", text),
        pa.field("first_action_id", pa.int64()),
        pa.field("action_ids", ids),
        pa.field("rationale_id", pa.int64()),
        *(pa.field(col, strings) for col, _ in TAG_COLUMNS),
        pa.field("addresses", strings),
        pa.field("evidence_figure", pa.float64()),
        pa.field("evidence_level", text),
        pa.field("folded_keys", strings),
        pa.field("folded_strategies", strings),
    ]
    proofs = [
        pa.field("case_id", text, nullable=False),
        pa.field("assessed_on", date),
        pa.field("key", text, nullable=False),
        pa.field("rule_id", text),
        pa.field("fact", text),
        pa.field("operator", text),
        pa.field("tested", text),
        pa.field("seen", text),
        pa.field("held", pa.bool_()),
        pa.field("source", text),
    ]
    texts = [pa.field("text_id", pa.int64(), nullable=False), pa.field("text", text, nullable=False)]
    return {CASES: pa.schema(cases), ITEMS: pa.schema(items), PROOFS: pa.schema(proofs), TEXTS: pa.schema(texts)}


COLUMNS: dict[str, tuple[str, ...]] = {
    CASES: CASE_COLUMNS,
    ITEMS: ITEM_COLUMNS,
    PROOFS: PROOF_COLUMNS,
    TEXTS: TEXT_COLUMNS,
}
"""Each table's columns in the rows' order (engine.batch.tablerows); tests check the schemas agree."""


def metadata(table: str, engine: dict[str, Any]) -> dict[bytes, bytes]:
    return {
        b"isp_advisor.schema_version": str(SCHEMA_VERSION).encode(),
        b"isp_advisor.table": table.encode(),
        b"isp_advisor.engine": compact(engine).encode("utf-8"),
    }


class RowTable:
    """One Parquet file written a row group at a time from rows (tuples in the schema's column order).

    Rows are turned into Arrow columns every CONVERT_ROWS rows (Python tuples take several times the
    memory) and the columns of a row group are written together when `flush` is called.
    """

    def __init__(self, path: Path, schema: Any, table: str, engine: dict[str, Any]) -> None:
        self.path = path
        self.schema = schema.with_metadata(metadata(table, engine))
        self.rows: list[tuple[Any, ...]] = []
        self.converted: list[Any] = []
        self.count = 0
        self._writer = _pq().ParquetWriter(
            str(path),
            self.schema,
            compression="zstd",
            compression_level=ZSTD_LEVEL,
            use_dictionary=True,
            write_statistics=True,
            version="2.6",
            store_schema=True,
        )

    def add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= CONVERT_ROWS:
            self._convert()

    def _convert(self) -> None:
        if not self.rows:
            return
        pa = _pa()
        columns = list(zip(*self.rows, strict=True))
        arrays = [pa.array(col, type=field.type) for col, field in zip(columns, self.schema, strict=True)]
        self.converted.append(pa.Table.from_arrays(arrays, schema=self.schema))
        self.rows = []

    def flush(self) -> None:
        """The rows added since the last flush as one row group (none when there are none)."""
        self._convert()
        if not self.converted:
            return
        table = _pa().concat_tables(self.converted)
        self.converted = []
        self._writer.write_table(table, row_group_size=max(1, table.num_rows))
        self.count += table.num_rows

    def close(self) -> None:
        self.flush()
        self._writer.close()

    def abort(self) -> None:
        self.rows, self.converted = [], []
        try:
            self._writer.close()
        except Exception:  # noqa: BLE001 - the file is deleted next; nothing of it is kept
            pass


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


class TableSet:
    """A batch's tables, streamed case by case in input order (`add`), closed by `close`."""

    def __init__(self, paths: dict[str, Path], engine: dict[str, Any]) -> None:
        """`paths`: where to write each table of TABLE_FILES (proofs.parquet only when it is given)."""
        self.tables: dict[str, RowTable] = {}
        try:
            for name in TABLE_FILES:
                if name in paths:
                    self.tables[name] = RowTable(paths[name], schemas()[name], name.removesuffix(".parquet"), engine)
        except BaseException:
            self.abort()
            raise
        self._seen: set[int] = set()
        self._cases = 0

    def add(self, t: CaseTables) -> None:
        dated = _date(t.assessed_on)
        head = (t.case_id, dated)
        self.tables[CASES].add([(t.case_id, dated, *t.case[2:])])
        self.tables[ITEMS].add([(*head, *row) for row in t.items])
        if PROOFS in self.tables:
            self.tables[PROOFS].add([(*head, *row) for row in t.proofs])
        fresh = [(tid, text) for tid, text in t.texts if tid not in self._seen]
        self._seen.update(tid for tid, _ in fresh)
        self.tables[TEXTS].add(fresh)
        self._cases += 1
        if self._cases % GROUP_CASES == 0:
            for table in self.tables.values():
                table.flush()

    def close(self) -> None:
        for table in self.tables.values():
            table.close()

    def abort(self) -> None:
        for table in self.tables.values():
            table.abort()

    def names(self) -> list[str]:
        return list(self.tables)


def file_digest(path: Path) -> tuple[int, str]:
    """(bytes, SHA-256) of a written file."""
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()


# ---------------------------------------------------------------- sweeps


def variant_schema(varies: Sequence[Vary]) -> Any:
    """`variants.parquet`: case_id, assessed_on, variant (its number, 0-based, the first fact varying slowest), one
    column per varied fact (its path with dots as underscores), problem (an invalid variant's, its only
    row), then per item: key, rule_id, title, category, horizon, and base_horizon (in the case's own plan)."""
    pa = _pa()
    fields = [
        pa.field("case_id", pa.string(), nullable=False),
        pa.field("assessed_on", pa.date32()),
        pa.field("variant", pa.int32(), nullable=False),
    ]
    fields += [pa.field(column_name(v.path), value_type(v.values)) for v in varies]
    fields += [
        pa.field(c, pa.string()) for c in ("problem", "key", "rule_id", "title", "category", "horizon", "base_horizon")
    ]
    return pa.schema(fields)


def column_name(path: str) -> str:
    return path.replace(".", "_")


def value_type(values: Sequence[Any]) -> Any:
    """The Arrow type of a varied fact's column: bool, int64, float64 or string (lists as compact JSON text)."""
    pa = _pa()
    stated = [v for v in values if v is not None]
    if stated and all(isinstance(v, bool) for v in stated):
        return pa.bool_()
    if stated and all(isinstance(v, int) and not isinstance(v, bool) for v in stated):
        return pa.int64()
    if stated and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in stated):
        return pa.float64()
    return pa.string()


def column_value(value: Any, kind: Any) -> Any:
    """A varied value as its column holds it (see value_type)."""
    pa = _pa()
    if value is None or kind != pa.string():
        return float(value) if kind == pa.float64() and value is not None else value
    return value if isinstance(value, str) else compact(value)


class VariantTable:
    """A sweep's `DIR/variants.parquet`, written case by case into a temp file renamed by `commit`.

    The folder is checked when this is made (before any case is swept): a file where the folder
    should be, or a variants.parquet already there without `force`, is a usage error.
    """

    def __init__(self, folder: str | Path, varies: Sequence[Vary], engine: dict[str, Any], force: bool = False) -> None:
        self.folder = Path(folder)
        self.path = self.folder / VARIANTS
        if self.folder.exists() and not self.folder.is_dir():
            raise UsageError(
                Problem(
                    file=str(self.folder),
                    field="--out",
                    code="not_a_folder",
                    message="exists and is not a folder",
                    hint="give a folder for the tables",
                )
            )
        self._check_regular()
        if os.path.lexists(self.path) and not force:
            raise UsageError(
                Problem(
                    file=str(self.path),
                    field="--out",
                    code="exists",
                    message="already exists",
                    hint="add --force to replace it, or choose another --out folder",
                )
            )
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(
                Problem(
                    file=str(self.folder),
                    field="--out",
                    code="unwritable",
                    message=f"cannot create the folder: {exc.strerror}",
                )
            ) from None
        self.tmp = self.folder / f".{VARIANTS}.{os.getpid()}-{os.urandom(4).hex()}.partial"
        try:  # claimed as a new regular file: never written through a link or pipe placed there
            os.close(os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666))
        except OSError as exc:
            raise UsageError(
                Problem(
                    file=str(self.folder),
                    field="--out",
                    code="unwritable",
                    message=f"cannot write in the folder: {exc.strerror}",
                )
            ) from None
        self.varies = tuple(varies)
        schema = variant_schema(self.varies)
        self.kinds = [schema.field(column_name(v.path)).type for v in self.varies]
        self.table = RowTable(self.tmp, schema, "variants", engine)
        self._cases = 0

    def add(self, case_id: str, assessed_on: str | None, rows: Iterable[VariantRow]) -> None:
        """`rows`: (variant, values, problem, key, rule_id, title, category, horizon, base_horizon)."""
        dated = _date(assessed_on)
        out = []
        for variant, values, *rest in rows:
            out.append(
                (case_id, dated, variant, *(column_value(v, k) for v, k in zip(values, self.kinds, strict=True)), *rest)
            )
        self.table.add(out)
        self._cases += 1
        if self._cases % max(1, GROUP_CASES // 8) == 0:
            self.table.flush()

    def _check_regular(self) -> None:
        """A variants.parquet that is a link, pipe or folder is never replaced (a usage error)."""
        try:
            mode = os.lstat(self.path).st_mode
        except OSError:
            return
        if not stat.S_ISREG(mode):
            raise UsageError(
                Problem(
                    file=str(self.path),
                    field="--out",
                    code="not_regular",
                    message="is not a regular file (a link, pipe or folder)",
                    hint="it is never replaced: move it away, or choose another --out folder",
                )
            )

    def commit(self) -> Path:
        """Finish the file and put it in place; returns its path."""
        self.table.close()
        try:
            self._check_regular()  # again: it may have been put there while the sweep ran
        except UsageError:
            self.abort()
            raise
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        self.table.abort()
        self.tmp.unlink(missing_ok=True)


__all__ = [
    "CASES",
    "COLUMNS",
    "GROUP_CASES",
    "INSTALL",
    "ITEMS",
    "PROOFS",
    "SCHEMA_VERSION",
    "TABLE_FILES",
    "TABLE_FORMATS",
    "TEXTS",
    "VARIANTS",
    "RowTable",
    "TableSet",
    "VariantTable",
    "available",
    "check",
    "file_digest",
    "metadata",
    "schemas",
    "variant_schema",
]
