"""`donghanh chat` (docs/interfaces.md): the same dialogue engine in a terminal, buttons as numbered options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DONGHANH = str(Path(sys.executable).parent / "donghanh")


def test_a_terminal_conversation_answers_files_and_cancels(
    model_dir: Path, nlu_var_dir: Path, knowledge_base, tmp_path: Path
) -> None:
    environment = os.environ | {
        "DONGHANH_VAR_DIR": str(nlu_var_dir),
        "EMBEDDING_MODEL": str(model_dir),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
    }
    upgraded = subprocess.run(
        [DONGHANH, "db", "upgrade"], env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert upgraded.returncode == 0, upgraded.stderr
    said = "xin chào\nhoa don dien tu lap sai thi xu ly the nao\n3\n/huy\n/thoat\n"
    result = subprocess.run(
        [DONGHANH, "chat", "--user", "tester"],
        input=said,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Đồng hành: Xin chào!" in out
    assert "254/2026/NĐ-CP" in out and "\n\n1. Hữu ích\n2. Chưa đúng\n3. Gửi phản ánh" in out
    assert "Nội dung phản ánh:\n«hoa don dien tu lap sai thi xu ly the nao»" in out  # option 3 chosen by its number
    assert out.rstrip().endswith("Đồng hành: Đã hủy. Quý doanh nghiệp có thể đặt câu hỏi khác bất cứ lúc nào.\nBạn:")
