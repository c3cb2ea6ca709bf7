"""Settings defaults that other modules rely on."""

from __future__ import annotations

import pytest

from sitroom.config import BACKEND_ENV, EmbeddingConfig


class TestEmbeddingConfig:
    def test_int8_is_the_default_backend(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv(BACKEND_ENV, raising=False)
        assert EmbeddingConfig().backend == "onnx-int8"

    def test_the_environment_selects_fp32(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(BACKEND_ENV, "torch")
        assert EmbeddingConfig().backend == "torch"
