"""`donghanh demo seed` and `donghanh report` as a session organiser runs them, as real processes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from openpyxl import load_workbook

from tests.integration.test_cli import run


def test_demo_data_then_a_quarter_report_as_pdf_and_workbook(model_dir: Path, tmp_path: Path) -> None:
    # SQLite only: the commands are the same on both databases, whose queries the other tests cover twice
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "DONGHANH_VAR_DIR": str(tmp_path / "var"),
        "EMBEDDING_MODEL": str(model_dir),
    }
    assert run("db", "upgrade", env=env).returncode == 0
    seeded = run("demo", "seed", "--months", "2", env=env)
    assert seeded.returncode == 0, seeded.stderr
    assert "Đã tạo dữ liệu mẫu 2 tháng" in seeded.stdout and "Đã tính vectơ cho" in seeded.stdout
    again = run("demo", "seed", "--months", "2", env=env)
    assert again.returncode == 1 and "dữ liệu mẫu" in again.stderr  # refused: the database is not empty

    pdf = tmp_path / "bao-cao.pdf"
    written = run("report", "--from", "2026-09-01", "--to", "2026-11-30", "--out", str(pdf), env=env)
    assert written.returncode == 0, written.stderr
    assert "Đã ghi báo cáo kỳ 2026-09-01..2026-11-30" in written.stdout
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "từ 01/09/2026 đến 30/11/2026" in text and "Thuế Thành phố Hồ Chí Minh" in text and "Trang 1/" in text

    xlsx = tmp_path / "bao-cao.xlsx"
    assert run("report", "--period", "2026-Q4", "--format", "xlsx", "--out", str(xlsx), env=env).returncode == 0
    book = load_workbook(xlsx)
    assert "Bảng xếp hạng" in book.sheetnames and book["Theo đơn vị"].max_row > 5


def test_a_wrong_period_or_an_old_database_is_explained(tmp_path: Path) -> None:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    wrong = run("report", "--period", "2026-H3", "--out", str(tmp_path / "x.pdf"), env=env)
    assert wrong.returncode == 2 and "Kỳ báo cáo không hợp lệ" in wrong.stderr and "Traceback" not in wrong.stderr
    both = run(
        "report",
        "--period",
        "2026",
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-01",
        "--out",
        str(tmp_path / "x.pdf"),
        env=env,
    )
    assert both.returncode == 2 and "Dùng --period, hoặc cả --from lẫn --to" in both.stderr
    unmigrated = run("report", "--period", "2026", "--out", str(tmp_path / "x.pdf"), env=env)
    assert (
        unmigrated.returncode == 1
        and "chạy `donghanh db upgrade` trước" in unmigrated.stderr
        and "Traceback" not in unmigrated.stderr
    )
