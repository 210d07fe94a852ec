"""Operators' YAML and TOML files: read by suffix, check against a pydantic model, and say what is wrong in one
line per problem (`rules.yaml: channel[2].tag: …`). It only reads; saving is the caller's, after every check."""

from __future__ import annotations

import tomllib
import typing
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

SUFFIXES = (".yaml", ".yml", ".toml")
MAX_PROBLEMS = 5
M = TypeVar("M", bound=BaseModel)
_EXPECTED = {
    "string_type": "expected text",
    "list_type": "expected a list",
    "model_type": "expected a mapping (key: value)",
    "dict_type": "expected a mapping (key: value)",
}


class FileError(ValueError):
    """What is wrong with a file: the first few problems, one a line, each starting with the file's name."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        lines = [f"{path.name}: {p}" for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"{path.name}: … and {len(problems) - MAX_PROBLEMS} more")
        super().__init__("\n".join(lines))


def refuse(path: Path, problems: list[str]) -> None:
    """FileError when there is any problem (the caller checks everything first, then saves)."""
    if problems:
        raise FileError(path, problems)


def entry(section: str, index: int) -> str:
    """How a message names an entry: `channel[2]` is the second one of `channel:` (counted from 1, as people do)."""
    return f"{section}[{index + 1}]"


def repeated(keyed: Iterable[tuple[str, Hashable]], what: str) -> list[str]:
    """`keyword[3]: the same rule as keyword[1]`, for each (entry, key) whose key an earlier entry has."""
    first: dict[Hashable, str] = {}
    problems = [
        f"{where}: the same {what} as {first[key]}" for where, key in keyed if first.setdefault(key, where) != where
    ]
    return problems


def load(path: Path, model: type[M]) -> M:
    """The file read and checked against `model` (an empty file is an empty mapping); FileError otherwise."""
    data = read(path)
    try:
        return model.model_validate({} if data is None else data)
    except ValidationError as error:
        raise FileError(path, problems(error, model)) from None


def read(path: Path) -> object:
    """YAML (.yaml, .yml) or TOML (.toml), in UTF-8 (a BOM is fine); FileError with one line when it is neither."""
    if path.suffix.lower() not in SUFFIXES:
        raise FileError(path, [f"unknown file type {path.suffix or '(none)'!r}: use {', '.join(SUFFIXES)}"])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(
            path,
            [
                f"not UTF-8 text (byte {error.object[error.start]:#04x} at offset {error.start}; "
                "saved as GBK?): save it as UTF-8"
            ],
        ) from None
    if path.suffix.lower() == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise FileError(path, [f"not valid TOML: {error}"]) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader that refuses a key given twice
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise FileError(path, [f"not valid YAML{where}: {problem}"]) from None


def problems(error: ValidationError, model: type[BaseModel] | None = None) -> list[str]:
    """One line per problem, naming where it is: `channel[2].tag: …`, `channel[2]: unknown key "tags" (…)`."""
    lines = []
    for problem in error.errors():
        loc, kind = problem["loc"], problem["type"]
        if kind in ("extra_forbidden", "missing"):
            known = _fields_at(model, loc[:-1])
            hint = f" (known: {', '.join(known)})" if kind == "extra_forbidden" and known else ""
            what = f'unknown key "{loc[-1]}"{hint}' if kind == "extra_forbidden" else f'needs "{loc[-1]}"'
            loc = loc[:-1]
        elif kind == "value_error":
            what = str(problem["ctx"]["error"])
        elif kind in _EXPECTED:
            given = problem["input"]
            what = _EXPECTED[kind] + ("" if isinstance(given, dict | list) else f", got {given!r}"[:60])
        else:
            what = problem["msg"]
        lines.append(f"{_path(loc)}: {what}" if loc else what)
    return lines


def _path(loc: tuple) -> str:
    path = ""
    for part in loc:
        path = entry(path, part) if isinstance(part, int) else f"{path}.{part}" if path else str(part)
    return path


def _fields_at(model: type[BaseModel] | None, loc: tuple) -> list[str]:
    """The keys the model accepts at `loc` (for the hint after an unknown key)."""
    for part in loc:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = (
            next((t for t in _types(field.annotation) if isinstance(t, type) and issubclass(t, BaseModel)), None)
            if field
            else None
        )
    return [] if model is None else list(model.model_fields)


def _types(annotation: object) -> list[object]:
    args = typing.get_args(annotation)
    return [annotation] if not args else [t for a in args for t in _types(a)]


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys without a word; a second `channel:` would hide the first."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, typing.Hashable):
                continue  # PyYAML refuses it itself
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f'the key "{key}" appears twice', key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)
