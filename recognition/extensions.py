"""Extensions, created once and initialised in create_app()."""

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import CheckConstraint, ColumnElement, CursorResult, MetaData, Result, Table, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, QueryableAttribute, mapped_column

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))

if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel
    from sqlalchemy.orm import DeclarativeBase

    class Model(_FlaskModel, DeclarativeBase):
        """`db.Model` as a class mypy can subclass (it cannot see through an attribute of `db`):
        Flask-SQLAlchemy's model (`query`) on a declarative base (`__init__(**columns)`), each model
        mapped to a table of its own."""

        __table__: ClassVar[Table]

else:
    Model = db.Model


class SurrogateKey:
    """The integer primary key `id` of most tables, their first column as if each declared it; a table
    keyed by what it holds (a day, a rate-limit window, a member and a criterion) does without."""

    # First: before a mixin's column that follows it (-1) and the model's own columns (0).
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)


migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()


def enum_check(column: str, enum_class: type[enum.Enum], name: str | None = None) -> CheckConstraint:
    """`column IN (...)` over the enum's members (named `known_<column>` unless told), so the database
    refuses a state or status the code does not know (a raw UPDATE, a bad migration), and a new member
    widens the constraint (its migration drops and re-creates it). Names are listed because SQLAlchemy's
    Enum stores the member's name; the models keep names equal to values. NULL passes, as for any CHECK:
    nullability is the column's own rule."""
    members = ", ".join(f"'{member.name}'" for member in enum_class)
    return CheckConstraint(f"{column} IN ({members})", name=name or f"known_{column}")


def contains_pattern(text: str) -> str:
    """A LIKE pattern for `text` anywhere in a column, its own `%`, `_` and backslash matched literally
    (pass `escape="\\"` to `like`/`ilike`): what someone types in a search box is never a wildcard."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_condition(
    text: str, like: Sequence[QueryableAttribute[Any]] = (), ilike: Sequence[QueryableAttribute[Any]] = ()
) -> ColumnElement[bool]:
    """`text` anywhere in any of the columns (contains_pattern: never a wildcard): `like` for columns
    kept in the form the search is given in (folded, lower-case, digits), `ilike` for the others."""
    pattern = contains_pattern(text)
    return or_(
        *(column.like(pattern, escape="\\") for column in like),
        *(column.ilike(pattern, escape="\\") for column in ilike),
    )


def rows_affected(result: Result) -> int:
    """How many rows an UPDATE or DELETE touched. `Session.execute()` is typed to return a `Result`;
    for a DML statement it is a `CursorResult`, the kind that counts rows."""
    return cast(CursorResult, result).rowcount


def is_unique_violation(error: IntegrityError) -> bool:
    """Did a unique constraint refuse the write (a concurrent insert of the same key), rather than a
    foreign key or check constraint (a bug)? PostgreSQL says so by SQLSTATE, SQLite in its message."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate == "23505"
    return "UNIQUE constraint failed" in str(error.orig)
