"""Reading tables for the empirical toolkit, one module per job.

Private helpers shared by :mod:`~corridors.empirical.datasets`,
:mod:`~corridors.empirical.survey` and :mod:`~corridors.empirical.networks`:

- :mod:`.problems`: :class:`DataProblem` (file, spreadsheet row, column, message, level)
  and the "did you mean" of a message;
- :mod:`.schema`: the Frictionless Table Schemas with corridors' ``aliases`` extension;
- :mod:`.readers`: CSV/TSV, Excel, Parquet, Stata, SPSS files and data packages into raw cells;
- :mod:`.columns`: the ``--map`` of columns and the schema's aliases;
- :mod:`.cells`: one cell as its field says (dates, numbers, yes/no), with why it is wrong;
- :mod:`.checks`: the checker the loaders share, a column at a time (:class:`RowChecks`).

The schemas are Frictionless Table Schemas, read and checked by the ``frictionless``
library, which also reads the cells of the types it knows (date, number, integer,
boolean) and reads Frictionless data packages (``datapackage.json``) whole: their schema,
types, constraints and row-numbered errors are the library's. What stays here is what the
standard does not say: the aliases of a field (``org`` for ``organization``), the ``--map``
of columns, readers of Excel, Parquet, Stata and SPSS files, and one-line messages that say
*why* a cell is wrong (``February 2004 has 29 days``), not only that it is.
"""

from corridors.empirical._io.cells import cell_text, is_missing, parse_boolean, parse_date, parse_number, read_cell
from corridors.empirical._io.checks import RowChecks, distinct_cells
from corridors.empirical._io.columns import map_columns, parse_column_map
from corridors.empirical._io.problems import MAX_LISTED_ROWS, DataProblem, Level, spreadsheet_row, suggest
from corridors.empirical._io.readers import Source, read_source, read_table
from corridors.empirical._io.schema import SchemaField, TableSchema, data_path

__all__ = [
    "MAX_LISTED_ROWS",
    "DataProblem",
    "Level",
    "RowChecks",
    "SchemaField",
    "Source",
    "TableSchema",
    "cell_text",
    "data_path",
    "distinct_cells",
    "is_missing",
    "map_columns",
    "parse_boolean",
    "parse_column_map",
    "parse_date",
    "parse_number",
    "read_cell",
    "read_source",
    "read_table",
    "spreadsheet_row",
    "suggest",
]
