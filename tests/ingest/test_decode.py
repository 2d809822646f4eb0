import codecs

import pytest

from reindustry_kb.errors import SourceError
from reindustry_kb.ingest.decode import decode_bytes
from tests.conftest import DATA, SEEDS

SEED_TEXT = {path.name: path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}
BIG5_SAFE = ["000_21b4db651bf1e798.txt", "002_9b5cc4107c7e76fc.txt", "003_b57e486be7a8c038.txt"]


@pytest.mark.parametrize("name", BIG5_SAFE)
@pytest.mark.parametrize("encoding", ["cp950", "big5hkscs"])
def test_big5_copy_of_a_seed_decodes_to_the_same_text(name: str, encoding: str) -> None:
    text = SEED_TEXT[name]
    assert decode_bytes(text.encode(encoding), name) == text


@pytest.mark.parametrize("name", sorted(SEED_TEXT))
def test_gb18030_copy_of_a_seed_decodes_to_the_same_text(name: str) -> None:
    text = SEED_TEXT[name]
    assert decode_bytes(text.encode("gb18030"), name) == text


def test_gb18030_simplified_text() -> None:
    text = (DATA / "docs" / "policy_hans.txt").read_text(encoding="utf-8")
    assert decode_bytes(text.encode("gb18030"), "x") == text


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + "美國關稅 tariff".encode(),
        codecs.BOM_UTF16_LE + "美國關稅 tariff".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "美國關稅 tariff".encode("utf-16-be"),
        "美國關稅 tariff".encode("utf-16-le"),
        "US tariff revenue".encode("utf-16-be"),
    ],
)
def test_unicode_encodings(data: bytes) -> None:
    assert decode_bytes(data, "x").endswith("tariff") or decode_bytes(data, "x").endswith("revenue")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"  \n\r\n ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x02", "binary"),
        (bytes(range(128, 256)) * 3, "not valid"),
    ],
)
def test_bad_bytes_are_refused_with_a_fix(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message) as info:
        decode_bytes(data, "bad.txt")
    assert "bad.txt" in str(info.value)
    assert "\n" not in str(info.value)
