import pytest

from antt.core.text import fold, normalize_name


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Phường Hoàn Kiếm", "phuong hoan kiem"),
        ("HOÀN KIẾM", "hoan kiem"),
        ("Đống Đa", "dong da"),
        ("Xã  Bắc   Đông Quan ", "xa bac dong quan"),
        ("Xã B’Lao", "xa b'lao"),
    ],
)
def test_fold_removes_case_diacritics_and_extra_spaces(raw, folded):
    assert fold(raw) == folded


def test_normalize_name_composes_unicode_and_collapses_spaces():
    decomposed = "Phu\u031bo\u031b\u0300ng  Ho\u00e0n Kie\u0302\u0301m"
    assert normalize_name(decomposed) == "Phường Hoàn Kiếm"
