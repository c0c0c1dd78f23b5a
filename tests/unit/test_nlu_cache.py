"""The trained NLU artefact is cached, reused, and rebuilt when the data changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nlu import pipeline as nlu_pipeline
from nlu.dataset import DATA_DIR
from tests.fakes.fake_encoder import FakeEncoder

DEPARTMENTS = {"thue": "CUC_THUE", "hai_quan": "CUC_HAI_QUAN"}


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    target = tmp_path / "nlu"
    (target / "topics").mkdir(parents=True)
    for topic in DEPARTMENTS:
        shutil.copy(DATA_DIR / "topics" / f"{topic}.yaml", target / "topics")
    shutil.copy(DATA_DIR / "intents.yaml", target)
    shutil.copy(DATA_DIR / "out_of_scope.yaml", target)
    return target


def build(data_dir: Path, cache_dir: Path) -> nlu_pipeline.NluPipeline:
    return nlu_pipeline.build_pipeline(
        encoder=FakeEncoder(), departments=DEPARTMENTS, cache_dir=cache_dir, data_dir=data_dir
    )


def test_trained_once_then_loaded_from_the_cache(
    small_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build(small_data, tmp_path / "cache")
    artefacts = list((tmp_path / "cache").glob("nlu-*.joblib"))
    assert len(artefacts) == 1
    assert first.parse("hoàn thuế gtgt cho cty").topic == "thue"

    def no_training(*_args, **_kwargs):
        raise AssertionError("retrained although nothing changed")

    monkeypatch.setattr(nlu_pipeline, "train_model", no_training)
    again = build(small_data, tmp_path / "cache")
    assert again.parse("lô hàng chưa thông quan ở cảng").topic == "hai_quan"


def test_a_data_change_retrains_and_replaces_the_artefact(small_data: Path, tmp_path: Path) -> None:
    build(small_data, tmp_path / "cache")
    (old,) = (tmp_path / "cache").glob("nlu-*.joblib")
    with (small_data / "topics" / "thue.yaml").open("a", encoding="utf-8") as file:
        file.write('  - "quyết toán thuế thu nhập cá nhân cho người lao động nghỉ việc giữa năm"\n')
    build(small_data, tmp_path / "cache")
    (new,) = (tmp_path / "cache").glob("nlu-*.joblib")
    assert new != old


def test_training_is_deterministic(small_data: Path, tmp_path: Path) -> None:
    first = nlu_pipeline.train_model(FakeEncoder(), data_dir=small_data, topics=tuple(DEPARTMENTS))
    second = nlu_pipeline.train_model(FakeEncoder(), data_dir=small_data, topics=tuple(DEPARTMENTS))
    texts = ["hoàn thuế", "thong quan", "xin chao", "giá vàng"]
    from nlu.normalize import normalize

    a = first.probabilities([normalize(t) for t in texts], FakeEncoder())
    b = second.probabilities([normalize(t) for t in texts], FakeEncoder())
    assert all((x == y).all() for x, y in zip(a, b, strict=True))
