"""The saved queries: ``queries/*.rq`` files read into typed records.

A query file is plain SPARQL 1.1 with grlc's metadata form: comment lines
starting with ``#+ `` at the top are read together as YAML (``summary``,
``description``, ``tags``, ``defaults``, ``enumerate``).  We add
``summary_fr``/``description_fr`` for French speakers and ``params``, which
gives each parameter its class (to resolve a label to an IRI) and a
bilingual help text; grlc ignores keys it does not know, so the folder still
works under grlc.  Parameters follow BASIL: ``?_name`` is required,
``?__name`` optional, and a suffix types the value (``_iri``, ``_integer``,
``_number``, ``_literal``, a language such as ``_en``, or a datatype
``_prefix_type``).  Names contain no ``_``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.core import resources
from kg.core.errors import InputError, UsageError

TYPE_CHECKING = False  # not typing's: importing typing costs every `kg query` some 3 ms
if TYPE_CHECKING:
    from typing import Any

_VARIABLE = re.compile(r"[?$](__?[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


class Parameter:
    """One BASIL parameter of a saved query (immutable; equal when every field is).

    Plain classes here, not dataclasses: ``kg query`` must not pay for
    importing dataclasses (and inspect with it) at every start.
    """

    __slots__ = ("choices", "cls", "datatype", "default", "help_en", "help_fr", "kind", "language", "name", "required", "variable")

    def __init__(self, name: str, variable: str, required: bool, kind: str, language: str | None = None, datatype: str | None = None,
                 cls: str | None = None, default: str | None = None, help_en: str = "", help_fr: str = "", choices: tuple[str, ...] = ()) -> None:
        set_ = object.__setattr__
        set_(self, "name", name)  # what the user types: --param NAME=value
        set_(self, "variable", variable)  # the SPARQL variable without '?', e.g. "_mechanism_iri"
        set_(self, "required", required)
        set_(self, "kind", kind)  # "iri", "integer", "number", "literal", "lang" (tagged literal) or "datatype"
        set_(self, "language", language)
        set_(self, "datatype", datatype)  # CURIE of the datatype for kind "datatype"
        set_(self, "cls", cls)  # class IRI whose members a label may name
        set_(self, "default", default)
        set_(self, "help_en", help_en)
        set_(self, "help_fr", help_fr)
        set_(self, "choices", choices)

    name: str
    variable: str
    required: bool
    kind: str
    language: str | None
    datatype: str | None
    cls: str | None
    default: str | None
    help_en: str
    help_fr: str
    choices: tuple[str, ...]

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Parameter is immutable: cannot set {name}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Parameter) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Parameter(name={self.name!r}, variable={self.variable!r}, required={self.required!r}, kind={self.kind!r})"


class SavedQuery:
    """One saved query: its file, text, summaries and parameters (immutable; equal when every field is)."""

    __slots__ = ("description", "description_fr", "metadata", "name", "parameters", "path", "summary", "summary_fr", "tags", "text")

    def __init__(self, name: str, path: Path, text: str, summary: str, summary_fr: str, description: str = "", description_fr: str = "",
                 tags: tuple[str, ...] = (), parameters: tuple[Parameter, ...] = (), metadata: dict[str, Any] | None = None) -> None:
        set_ = object.__setattr__
        set_(self, "name", name)
        set_(self, "path", path)
        set_(self, "text", text)
        set_(self, "summary", summary)
        set_(self, "summary_fr", summary_fr)
        set_(self, "description", description)
        set_(self, "description_fr", description_fr)
        set_(self, "tags", tags)
        set_(self, "parameters", parameters)
        set_(self, "metadata", metadata if metadata is not None else {})

    name: str
    path: Path
    text: str
    summary: str
    summary_fr: str
    description: str
    description_fr: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    metadata: dict[str, Any]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"SavedQuery is immutable: cannot set {name}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SavedQuery) and all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self) -> int:
        return hash((self.name, self.path, self.text))

    def __repr__(self) -> str:
        return f"SavedQuery(name={self.name!r}, path={self.path!r})"

    def summary_in(self, lang: str) -> str:
        return self.summary_fr if lang == "fr" and self.summary_fr else self.summary

    def description_in(self, lang: str) -> str:
        return self.description_fr if lang == "fr" and self.description_fr else self.description

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def parse_variable(variable: str) -> tuple[str, bool, str, str | None, str | None]:
    """(name, required, kind, language, datatype) of a BASIL variable like ``_mechanism_iri``."""
    required = not variable.startswith("__")
    parts = variable.lstrip("_").split("_")
    name, suffix = parts[0], parts[1:]
    if not suffix:
        return name, required, "literal", None, None
    if len(suffix) == 2:
        return name, required, "datatype", None, f"{suffix[0]}:{suffix[1]}"
    tag = suffix[0]
    if tag in ("iri", "integer", "number", "literal"):
        return name, required, tag, None, None
    if re.fullmatch(r"[a-z]{2,3}", tag):
        return name, required, "lang", tag, None
    raise ValueError(f"unknown parameter type suffix '_{tag}'")


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and not line.startswith("#"):
            break
    return "\n".join(lines)


def _metadata(path: Path, header: str) -> Any:
    """The header read as YAML; kept in the cache with its text, so that a start of ``kg query`` need not import PyYAML.

    The cached entry holds the header's text beside what it parsed to, and
    serves only that very text: nothing can meet a stale parse.
    """
    from kg.reasoning import cache

    name = f"header-{path.stem}.json"
    found = cache.load_json(name)
    if isinstance(found, dict) and found.get("header") == header and "meta" in found:
        return found["meta"]
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
        meta = yaml.load(header, Loader=loader) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(f"{path}{where}: bad '#+' metadata header: {getattr(error, 'problem', error)}") from None
    import json

    try:
        faithful = json.loads(json.dumps(meta)) == meta  # no date, no number as a key: JSON gives it back as it was
    except (TypeError, ValueError):
        faithful = False
    if faithful:
        cache.save_json(name, {"header": header, "meta": meta})
    return meta


def load(path: Path) -> SavedQuery:
    """Read one ``.rq`` file; a broken header is an InputError naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: unreadable: {error}") from None
    meta = _metadata(path, _header(text))
    if not isinstance(meta, dict):
        raise InputError(f"{path}:1: the '#+' metadata header must be a YAML mapping")
    defaults: dict[str, str] = {}
    for item in meta.get("defaults") or []:
        if isinstance(item, dict):
            defaults.update({str(k): str(v) for k, v in item.items()})
    enumerate_: dict[str, list[str]] = {}
    for item in meta.get("enumerate") or []:
        if isinstance(item, dict):
            enumerate_.update({str(k): [str(x) for x in v] for k, v in item.items()})
    docs: dict[str, dict[str, str]] = meta.get("params") or {}
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    parameters: dict[str, Parameter] = {}
    for variable in _VARIABLE.findall(body):
        try:
            name, required, kind, language, datatype = parse_variable(variable)
        except ValueError as error:
            raise InputError(f"{path}: parameter ?{variable}: {error}") from None
        if name in parameters:
            continue
        doc = docs.get(name) or {}
        parameters[name] = Parameter(
            name=name,
            variable=variable,
            required=required and name not in defaults,
            kind=kind,
            language=language,
            datatype=datatype,
            cls=doc.get("class"),
            default=defaults.get(name),
            help_en=str(doc.get("en", "")),
            help_fr=str(doc.get("fr", "")),
            choices=tuple(enumerate_.get(name, ())),
        )
    return SavedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(meta.get("summary", "")).strip(),
        summary_fr=str(meta.get("summary_fr", "")).strip(),
        description=str(meta.get("description", "")).strip(),
        description_fr=str(meta.get("description_fr", "")).strip(),
        tags=tuple(str(t) for t in meta.get("tags") or ()),
        parameters=tuple(parameters.values()),
        metadata=meta,
    )


class Catalogue:
    """The saved queries of one folder, by name, each read when first asked for.

    Reading a file parses its YAML header; ``kg query NAME`` reads only NAME's.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._paths = {p.stem: p for p in sorted(self.folder.glob("*.rq"))}
        self._loaded: dict[str, SavedQuery] = {}

    @classmethod
    def from_folder(cls, folder: Path) -> Catalogue:
        return cls(folder)

    @classmethod
    def bundled(cls) -> Catalogue:
        return cls(resources.queries_dir())

    @property
    def names(self) -> list[str]:
        return list(self._paths)

    def get(self, name: str) -> SavedQuery:
        if not _NAME.match(name) or name not in self._paths:
            import difflib

            close = difflib.get_close_matches(name, self.names, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; `kg queries` lists them"
            raise UsageError(f"unknown query '{name}'{hint}")
        if name not in self._loaded:
            self._loaded[name] = load(self._paths[name])
        return self._loaded[name]

    def __iter__(self) -> Iterator[SavedQuery]:
        return (self.get(name) for name in self._paths)

    def __len__(self) -> int:
        return len(self._paths)
