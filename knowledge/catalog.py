"""The departments and topics, read from `data/catalog/` and validated at start.

The codes are a public interface and fixed; everything else (names, routing, deadlines) is data. A
department keeps its code through reorganisations: its current official name carries the legal basis and
the day it took effect, and its former names stay, so that a report of an earlier period shows the name in
force then. A topic routes to its default department unless one of its rules matches the text (food
safety within `y_te` goes to the food-safety department).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from knowledge.legal import Check, RegisterError, parse_checks, read_date
from nlu.normalize import strip_diacritics

CATALOG_DIR = Path(__file__).resolve().parents[1] / "data" / "catalog"


def _published(kind: str) -> tuple[str, ...]:
    """The codes of `kind` ("topics" or "departments") published in data/catalog/published.yaml."""
    with (CATALOG_DIR / "published.yaml").open(encoding="utf-8") as handle:
        return tuple(yaml.safe_load(handle)[kind])


# The fixed vocabulary that CLI output, the API and reports rely on; departments may be added with new codes.
TOPIC_CODES = _published("topics")
DEPARTMENT_CODES = _published("departments")

DEFAULT_ACKNOWLEDGE_DAYS = 1
DEFAULT_RESOLVE_DAYS = 10
_PLAN_SECTION = re.compile(r"^[IV]+(\.\d+)*$")
_NEW_CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
DEPARTMENT_KEYS = {
    "code",
    "name",
    "short_name",
    "plan_section",
    "supervises",
    "since",
    "basis",
    "former",
    "checked",
    "note",
}
FORMER_KEYS = {"name", "short_name", "until", "basis"}
TOPIC_KEYS = {"code", "name", "department", "covers", "acknowledge_days", "resolve_days", "routes"}


class CatalogError(ValueError):
    """The catalogue files are not usable; the message names the file and the entry."""


@dataclass(frozen=True)
class FormerName:
    """A name a department had until a reorganisation (`until` is the first day of the next name)."""

    name: str
    short_name: str
    until: date
    basis: str = ""


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    short_name: str
    plan_section: str | None
    supervises: bool = False
    since: date | None = None  # the day the current name took effect
    basis: str = ""  # the legal basis of the current name
    former: tuple[FormerName, ...] = ()  # oldest first
    checks: tuple[Check, ...] = ()

    def name_on(self, day: date) -> str:
        return self._on(day).name

    def _on(self, day: date) -> Department | FormerName:
        return next((former for former in self.former if day < former.until), self)

    def label_during(self, first: date, last: date) -> str:
        """The name for a report of [first, last]: the name in force at its end, and the earlier one when the
        department was renamed within the period ("Sở Tài chính (trước 01/03/2025: Sở Kế hoạch và Đầu tư)")."""
        current = self._on(last)
        earlier = [former for former in self.former if first < former.until <= last]
        if not earlier:
            return current.name
        before = "; ".join(f"trước {f.until:%d/%m/%Y}: {f.name}" for f in earlier)
        return f"{current.name} ({before})"


@dataclass(frozen=True)
class Route:
    """Send a topic's ticket to `department` when the folded text holds one of `keywords` (folded too)."""

    department: str
    keywords: tuple[str, ...]

    def matches(self, folded: str) -> bool:
        return any(re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", folded) for keyword in self.keywords)


@dataclass(frozen=True)
class Topic:
    code: str
    name: str
    department: str
    covers: str
    acknowledge_days: int = DEFAULT_ACKNOWLEDGE_DAYS
    resolve_days: int = DEFAULT_RESOLVE_DAYS
    routes: tuple[Route, ...] = ()


@dataclass(frozen=True)
class Catalog:
    departments: dict[str, Department]
    topics: dict[str, Topic]

    def department_for_topic(self, topic: str) -> Department:
        return self.departments[self.topics[topic].department]

    @property
    def plan_monitor(self) -> str:
        """The code of the department that monitors the whole plan (`supervises: true` in departments.yaml)."""
        return next(code for code, department in self.departments.items() if department.supervises)

    def route(self, topic: str, text: str = "") -> str:
        """The department code for a ticket or question on `topic` that says `text`: the first matching rule
        of the topic, else its default department."""
        folded = " ".join(strip_diacritics(text).lower().split())
        chosen = next((route for route in self.topics[topic].routes if route.matches(folded)), None)
        return chosen.department if chosen else self.topics[topic].department


def _read_list(path: Path) -> list[dict]:
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CatalogError(f"{path}: cannot read: {error}") from None
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise CatalogError(f"{path}: expected a list of mappings")
    return entries


def _text(path: Path, entry: dict, key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{path}: entry {entry.get('code', '?')!r}: '{key}' must be non-empty text")
    if unicodedata.normalize("NFC", value) != value:
        raise CatalogError(f"{path}: entry {entry.get('code', '?')!r}: '{key}' is not Unicode NFC")
    return value.strip()


def _check_codes(path: Path, found: list[str], expected: tuple[str, ...]) -> None:
    duplicates = sorted({code for code in found if found.count(code) > 1})
    if duplicates:
        raise CatalogError(f"{path}: duplicate code(s) {', '.join(duplicates)}")
    missing, unknown = set(expected) - set(found), set(found) - set(expected)
    if missing or unknown:
        raise CatalogError(
            f"{path}: codes are a fixed interface; missing {sorted(missing) or 'none'}, unknown "
            f"{sorted(unknown) or 'none'}"
        )


def _date(path: Path, entry: dict, key: str, *, required: bool = False) -> date | None:
    try:
        return read_date(entry, key, f"{path}: entry {entry.get('code', entry.get('name', '?'))!r}", required=required)
    except RegisterError as error:
        raise CatalogError(str(error)) from None


def _former_names(path: Path, entry: dict) -> tuple[FormerName, ...]:
    raw = entry.get("former") or []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise CatalogError(f"{path}: entry {entry.get('code')!r}: 'former' must be a list of names")
    names = []
    for item in raw:
        if set(item) - FORMER_KEYS:
            raise CatalogError(
                f"{path}: entry {entry.get('code')!r}: unknown key(s) {sorted(set(item) - FORMER_KEYS)} in 'former'"
            )
        names.append(
            FormerName(
                name=_text(path, item, "name"),
                short_name=_text(path, item, "short_name"),
                until=_date(path, item, "until", required=True) or date.min,
                basis=_text(path, item, "basis") if "basis" in item else "",
            )
        )
    if [n.until for n in names] != sorted({n.until for n in names}):
        raise CatalogError(
            f"{path}: entry {entry.get('code')!r}: former names must be oldest first, each with its own 'until'"
        )
    since = _date(path, entry, "since")
    if names and (since is None or names[-1].until != since):
        raise CatalogError(
            f"{path}: entry {entry.get('code')!r}: the last former name must end ('until') the day "
            "the current one starts ('since')"
        )
    return tuple(names)


def _department(path: Path, entry: dict) -> Department:
    unknown_keys = set(entry) - DEPARTMENT_KEYS
    if unknown_keys:
        raise CatalogError(f"{path}: entry {entry.get('code')!r}: unknown key(s) {sorted(unknown_keys)}")
    section = entry.get("plan_section")
    if section is not None and not _PLAN_SECTION.match(str(section)):
        raise CatalogError(f"{path}: entry {entry.get('code')!r}: bad plan_section {section!r}")
    try:
        checks = parse_checks(entry.get("checked"), f"{path}: entry {entry.get('code')!r}")
    except RegisterError as error:
        raise CatalogError(str(error)) from None
    return Department(
        code=_text(path, entry, "code"),
        name=_text(path, entry, "name"),
        short_name=_text(path, entry, "short_name"),
        plan_section=section,
        supervises=bool(entry.get("supervises", False)),
        since=_date(path, entry, "since"),
        basis=_text(path, entry, "basis") if "basis" in entry else "",
        former=_former_names(path, entry),
        checks=checks,
    )


def _departments(path: Path) -> dict[str, Department]:
    entries = _read_list(path)
    departments = {}
    for entry in entries:
        department = _department(path, entry)
        departments[department.code] = department
    found = [str(entry.get("code")) for entry in entries]
    _check_codes(
        path, [code for code in found if code in DEPARTMENT_CODES or not _NEW_CODE.match(code)], DEPARTMENT_CODES
    )
    duplicates = sorted({code for code in found if found.count(code) > 1})
    if duplicates:
        raise CatalogError(f"{path}: duplicate code(s) {', '.join(duplicates)}")
    if sum(department.supervises for department in departments.values()) != 1:
        raise CatalogError(f"{path}: exactly one department has 'supervises: true' (it monitors the whole plan)")
    return departments


def _days(path: Path, entry: dict, key: str, default: int) -> int:
    value = entry.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 60:
        raise CatalogError(f"{path}: entry {entry.get('code')!r}: '{key}' must be a whole number of days, 1-60")
    return value


def _routes(path: Path, entry: dict, departments: dict[str, Department]) -> tuple[Route, ...]:
    raw = entry.get("routes") or []
    where = f"{path}: topic {entry.get('code')!r}"
    if not isinstance(raw, list) or not all(
        isinstance(item, dict) and set(item) == {"department", "keywords"} for item in raw
    ):
        raise CatalogError(f"{where}: 'routes' must be a list of {{department, keywords}}")
    routes = []
    for item in raw:
        if item["department"] not in departments:
            raise CatalogError(f"{where}: a route goes to unknown department {item['department']!r}")
        keywords = item["keywords"]
        if (
            not isinstance(keywords, list)
            or not keywords
            or not all(isinstance(k, str) and k.strip() for k in keywords)
        ):
            raise CatalogError(f"{where}: a route needs a non-empty list of keywords")
        folded = tuple(dict.fromkeys(" ".join(strip_diacritics(k).lower().split()) for k in keywords))
        routes.append(Route(department=item["department"], keywords=folded))
    return tuple(routes)


def _topics(path: Path, departments: dict[str, Department]) -> dict[str, Topic]:
    entries = _read_list(path)
    topics = {}
    for entry in entries:
        unknown_keys = set(entry) - TOPIC_KEYS
        if unknown_keys:
            raise CatalogError(f"{path}: entry {entry.get('code')!r}: unknown key(s) {sorted(unknown_keys)}")
        code = _text(path, entry, "code")
        department = _text(path, entry, "department")
        if department not in departments:
            raise CatalogError(f"{path}: topic {code!r} routes to unknown department {department!r}")
        acknowledge = _days(path, entry, "acknowledge_days", DEFAULT_ACKNOWLEDGE_DAYS)
        resolve = _days(path, entry, "resolve_days", DEFAULT_RESOLVE_DAYS)
        if acknowledge > resolve:
            raise CatalogError(f"{path}: topic {code!r}: acknowledge_days exceeds resolve_days")
        topics[code] = Topic(
            code=code,
            name=_text(path, entry, "name"),
            department=department,
            covers=_text(path, entry, "covers"),
            acknowledge_days=acknowledge,
            resolve_days=resolve,
            routes=_routes(path, entry, departments),
        )
    _check_codes(path, [str(entry.get("code")) for entry in entries], TOPIC_CODES)
    return topics


def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    """Read and validate `departments.yaml` and `topics.yaml` from `directory`.

    Raises:
        CatalogError: on any problem, naming the file and the entry.
    """
    departments = _departments(directory / "departments.yaml")
    return Catalog(departments=departments, topics=_topics(directory / "topics.yaml", departments))
