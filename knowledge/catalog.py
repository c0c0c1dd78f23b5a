"""The departments and topics of SPEC §2, read from `data/catalog/` and validated at start.

The codes are a public interface and fixed; everything else (names, routing, deadlines) is data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

CATALOG_DIR = Path(__file__).resolve().parents[1] / "data" / "catalog"

# Fixed vocabulary (SPEC §2): relied on by CLI output, the API and reports.
TOPIC_CODES = (
    "thue", "hai_quan", "tin_dung", "dau_tu", "dang_ky_kinh_doanh", "dat_dai", "xay_dung",
    "quy_hoach", "chuyen_doi_so", "cai_cach_hanh_chinh", "tu_phap", "y_te", "khieu_nai",
)  # fmt: skip
DEPARTMENT_CODES = (
    "SO_YT", "SO_KHDT", "SO_TTTT", "SO_NV", "SO_TP", "THANH_TRA", "SO_XD", "SO_TNMT", "SO_QHKT",
    "NHNN_HCM", "CUC_THUE", "CUC_HAI_QUAN",
)  # fmt: skip

DEFAULT_ACKNOWLEDGE_DAYS = 1
DEFAULT_RESOLVE_DAYS = 10
_PLAN_SECTION = re.compile(r"^[IV]+(\.\d+)*$")


class CatalogError(ValueError):
    """The catalogue files are not usable; the message names the file and the entry."""


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    short_name: str
    plan_section: str | None
    supervises: bool = False


@dataclass(frozen=True)
class Topic:
    code: str
    name: str
    department: str
    covers: str
    acknowledge_days: int = DEFAULT_ACKNOWLEDGE_DAYS
    resolve_days: int = DEFAULT_RESOLVE_DAYS


@dataclass(frozen=True)
class Catalog:
    departments: dict[str, Department]
    topics: dict[str, Topic]

    def department_for_topic(self, topic: str) -> Department:
        return self.departments[self.topics[topic].department]


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
            f"{path}: codes are a fixed interface; missing {sorted(missing) or 'none'}, unknown {sorted(unknown) or 'none'}"
        )


def _departments(path: Path) -> dict[str, Department]:
    entries = _read_list(path)
    departments = {}
    for entry in entries:
        unknown_keys = set(entry) - {"code", "name", "short_name", "plan_section", "supervises"}
        if unknown_keys:
            raise CatalogError(f"{path}: entry {entry.get('code')!r}: unknown key(s) {sorted(unknown_keys)}")
        section = entry.get("plan_section")
        if section is not None and not _PLAN_SECTION.match(str(section)):
            raise CatalogError(f"{path}: entry {entry.get('code')!r}: bad plan_section {section!r}")
        code = _text(path, entry, "code")
        departments[code] = Department(
            code=code,
            name=_text(path, entry, "name"),
            short_name=_text(path, entry, "short_name"),
            plan_section=section,
            supervises=bool(entry.get("supervises", False)),
        )
    _check_codes(path, [str(entry.get("code")) for entry in entries], DEPARTMENT_CODES)
    return departments


def _days(path: Path, entry: dict, key: str, default: int) -> int:
    value = entry.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 60:
        raise CatalogError(f"{path}: entry {entry.get('code')!r}: '{key}' must be a whole number of days, 1-60")
    return value


def _topics(path: Path, departments: dict[str, Department]) -> dict[str, Topic]:
    entries = _read_list(path)
    topics = {}
    for entry in entries:
        unknown_keys = set(entry) - {"code", "name", "department", "covers", "acknowledge_days", "resolve_days"}
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
