"""The department and topic catalogues: the public codes and routing, validated at start, edited as data."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from knowledge.catalog import CATALOG_DIR, CatalogError, load_catalog

# topic -> default department, as published.
SPEC_ROUTING = {
    "thue": "CUC_THUE",
    "hai_quan": "CUC_HAI_QUAN",
    "tin_dung": "NHNN_HCM",
    "dau_tu": "SO_KHDT",
    "dang_ky_kinh_doanh": "SO_KHDT",
    "dat_dai": "SO_TNMT",
    "xay_dung": "SO_XD",
    "quy_hoach": "SO_QHKT",
    "chuyen_doi_so": "SO_TTTT",
    "cai_cach_hanh_chinh": "SO_NV",
    "tu_phap": "SO_TP",
    "y_te": "SO_YT",
    "khieu_nai": "THANH_TRA",
}
# The plan's (2022) names, now kept as the names in force before the 2025 reorganisation.
PLAN_NAMES = {
    "SO_YT": ("Sở Y tế", "III.2.2.1"),
    "SO_KHDT": ("Sở Kế hoạch và Đầu tư", "III.2.2.2"),
    "SO_TTTT": ("Sở Thông tin và Truyền thông", "III.2.2.3"),
    "SO_NV": ("Sở Nội vụ", "III.2.2.4"),
    "SO_TP": ("Sở Tư pháp", "III.2.2.5"),
    "THANH_TRA": ("Thanh tra Thành phố", "III.2.2.6"),
    "SO_XD": ("Sở Xây dựng", "III.2.2.7"),
    "SO_TNMT": ("Sở Tài nguyên và Môi trường", "III.2.2.8"),
    "SO_QHKT": ("Sở Quy hoạch – Kiến trúc", "III.2.2.9"),
    "NHNN_HCM": ("Ngân hàng Nhà nước – Chi nhánh Thành phố Hồ Chí Minh", "III.2.2.10"),
    "CUC_THUE": ("Cục Thuế Thành phố Hồ Chí Minh", "III.2.2.11"),
    "CUC_HAI_QUAN": ("Cục Hải quan Thành phố Hồ Chí Minh", "III.2.2.12"),
}
IN_2022 = date(2022, 6, 1)


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, target)
    return target


def test_shipped_catalogue_keeps_the_spec_codes_and_routing() -> None:
    catalog = load_catalog()
    assert {code: topic.department for code, topic in catalog.topics.items()} == SPEC_ROUTING
    assert set(PLAN_NAMES) <= set(catalog.departments)
    assert all(topic.resolve_days == 10 and topic.acknowledge_days == 1 for topic in catalog.topics.values())


def test_the_plans_names_are_the_names_in_force_in_2022() -> None:
    catalog = load_catalog()
    in_2022 = {
        code: (catalog.departments[code].name_on(IN_2022), catalog.departments[code].plan_section)
        for code in PLAN_NAMES
    }
    for code, (name, section) in PLAN_NAMES.items():
        assert in_2022[code][1] == section
        assert in_2022[code][0].startswith(name), (code, in_2022[code][0])


def test_the_names_in_force_today_and_their_basis() -> None:
    departments = load_catalog().departments
    today = date(2026, 12, 7)
    assert departments["SO_KHDT"].name_on(today) == "Sở Tài chính Thành phố Hồ Chí Minh"
    assert departments["CUC_THUE"].name_on(today) == "Thuế Thành phố Hồ Chí Minh"
    assert departments["CUC_THUE"].name_on(date(2025, 5, 1)) == "Chi cục Thuế khu vực II"
    assert departments["CUC_HAI_QUAN"].name_on(today) == "Chi cục Hải quan khu vực II"
    assert departments["SO_TNMT"].name_on(today) == "Sở Nông nghiệp và Môi trường Thành phố Hồ Chí Minh"
    assert departments["SO_QHKT"].name_on(date(2025, 6, 1)).startswith("Sở Xây dựng")
    assert all(d.basis and d.since and d.checks for d in departments.values()), (
        "every department names its basis and its check"
    )


def test_a_report_spanning_a_renaming_names_both() -> None:
    finance = load_catalog().departments["SO_KHDT"]
    assert (
        finance.label_during(date(2025, 1, 1), date(2025, 6, 30))
        == "Sở Tài chính Thành phố Hồ Chí Minh (trước 01/03/2025: Sở Kế hoạch và Đầu tư)"
    )
    assert finance.label_during(date(2024, 1, 1), date(2024, 12, 31)) == "Sở Kế hoạch và Đầu tư"
    assert finance.label_during(date(2026, 1, 1), date(2026, 6, 30)) == "Sở Tài chính Thành phố Hồ Chí Minh"


def test_food_safety_goes_to_the_food_safety_department() -> None:
    catalog = load_catalog()
    assert catalog.departments["SO_ATTP"].name == "Sở An toàn thực phẩm Thành phố Hồ Chí Minh"
    assert catalog.route("y_te", "Bếp ăn công ty bị ngộ độc thực phẩm, cần báo ai?") == "SO_ATTP"
    assert catalog.route("y_te", "thu tuc tu cong bo san pham banh keo") == "SO_ATTP"
    assert catalog.route("y_te", "xin giấy phép hoạt động phòng khám") == "SO_YT"
    assert catalog.route("thue", "hoàn thuế cho công ty thực phẩm") == "CUC_THUE"  # rules belong to their topic


def test_plan_sections_of_departments_exist_in_the_plan() -> None:
    from knowledge.loader import load_plan

    plan_ids = {section.id for section in load_plan().sections}
    assert {d.plan_section for d in load_catalog().departments.values() if d.plan_section} <= plan_ids


def test_a_reorganisation_is_a_data_edit(catalog_copy: Path) -> None:
    """Renaming an agency and re-routing a topic needs no code change."""
    departments = (catalog_copy / "departments.yaml").read_text(encoding="utf-8")
    (catalog_copy / "departments.yaml").write_text(
        departments.replace("name: Sở Tài chính Thành phố Hồ Chí Minh", "name: Sở Tài chính và Đầu tư"),
        encoding="utf-8",
    )
    topics = (catalog_copy / "topics.yaml").read_text(encoding="utf-8")
    (catalog_copy / "topics.yaml").write_text(
        topics.replace("department: SO_TTTT", "department: SO_KHDT"), encoding="utf-8"
    )
    catalog = load_catalog(catalog_copy)
    assert catalog.departments["SO_KHDT"].name == "Sở Tài chính và Đầu tư"
    assert catalog.department_for_topic("chuyen_doi_so").code == "SO_KHDT"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "topics.yaml",
            "department: CUC_THUE",
            "department: CUC_THUE_MOI",
            "routes to unknown department 'CUC_THUE_MOI'",
        ),
        ("topics.yaml", "code: thue\n", "code: thue_moi\n", "missing ['thue'], unknown ['thue_moi']"),
        ("departments.yaml", "code: SO_TP\n", "code: SO_YT\n", "duplicate code(s) SO_YT"),
        ("departments.yaml", "plan_section: III.2.2.5", "plan_section: muc 5", "bad plan_section 'muc 5'"),
        ("topics.yaml", "  name: Thuế\n", "  name: Thuế\n  sla: 3\n", "unknown key(s) ['sla']"),
        ("topics.yaml", "  name: Thuế\n", "  name: Thuế\n  resolve_days: 0\n", "'resolve_days' must be a whole number"),
        ("departments.yaml", "name: Sở Y tế Thành phố Hồ Chí Minh", "name: ''", "'name' must be non-empty text"),
        (
            "departments.yaml",
            "until: 2025-03-01}",
            "until: 2025-02-01}",
            "must end ('until') the day the current one starts",
        ),
        ("departments.yaml", "- code: SO_ATTP", "- code: so_attp", "codes are a fixed interface"),
        (
            "topics.yaml",
            "- department: SO_ATTP",
            "- department: SO_THUC_PHAM",
            "a route goes to unknown department 'SO_THUC_PHAM'",
        ),
        ("departments.yaml", "- code: SO_YT", "- code: [SO_YT", "cannot read"),
    ],
)
def test_a_broken_catalogue_is_refused_with_a_clear_message(
    catalog_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    path = catalog_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_copy)
    assert message in str(raised.value)
    assert file in str(raised.value)


def test_decomposed_unicode_is_refused(catalog_copy: Path) -> None:
    import unicodedata

    path = catalog_copy / "departments.yaml"
    text = path.read_text(encoding="utf-8").replace("name: Sở Y tế", unicodedata.normalize("NFD", "name: Sở Y tế"), 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match="not Unicode NFC"):
        load_catalog(catalog_copy)
