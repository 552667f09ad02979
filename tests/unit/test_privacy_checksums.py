"""Check digits: a real IBAN or national id is labelled for what it is; one wrong digit and it is not."""

from __future__ import annotations

import pytest

from assistant.privacy import Redactor
from assistant.privacy.checksums import (
    bsn_valid,
    dni_valid,
    iban_valid,
    nik_valid,
    pesel_valid,
    tc_kimlik_valid,
)

VALID = [
    (iban_valid, "NL91 ABNA 0417 1643 00"), (iban_valid, "GB82 WEST 1234 5698 7654 32"),
    (iban_valid, "FR14 2004 1010 0505 0001 3M02 606"), (iban_valid, "de89370400440532013000"),
    (bsn_valid, "111222333"), (bsn_valid, "123456782"), (bsn_valid, "1112.22.333"),
    (tc_kimlik_valid, "10000000146"), (tc_kimlik_valid, "12345678950"),
    (pesel_valid, "44051401359"), (pesel_valid, "02270803624"),
    (nik_valid, "3174015203950001"), (dni_valid, "12345678Z"), (dni_valid, "X1234567L"),
]
INVALID = [
    (iban_valid, "NL91 ABNA 0417 1643 01"), (iban_valid, "NL91 ABNA 0417 1643"), (iban_valid, "XX00"),
    (bsn_valid, "123456789"), (bsn_valid, "000000000"), (bsn_valid, "12345"),
    (tc_kimlik_valid, "12345678901"), (tc_kimlik_valid, "02345678950"),
    (pesel_valid, "44051401358"), (pesel_valid, "44151401359"),
    (nik_valid, "9974015203950001"), (nik_valid, "3174019913950001"), (dni_valid, "12345678A"),
]


@pytest.mark.parametrize(("check", "value"), VALID, ids=[f"{c.__name__}-{v}" for c, v in VALID])
def test_a_well_formed_identifier_passes_its_check(check: object, value: str) -> None:
    assert check(value)  # type: ignore[operator]


@pytest.mark.parametrize(("check", "value"), INVALID, ids=[f"{c.__name__}-{v}" for c, v in INVALID])
def test_a_wrong_check_digit_fails(check: object, value: str) -> None:
    assert not check(value)  # type: ignore[operator]


def test_a_valid_iban_is_labelled_iban_and_an_invalid_one_is_still_not_left_readable() -> None:
    redactor = Redactor()
    assert redactor.redact("IBAN NL91 ABNA 0417 1643 00 please") == "IBAN [iban] please"
    assert "0417" not in redactor.redact("IBAN NL91 ABNA 0417 1643 01 please")


def test_national_ids_with_a_valid_check_are_labelled_national_id() -> None:
    redactor = Redactor()
    assert redactor.redact("BSN 111222333") == "BSN [national-id]"
    assert redactor.redact("kimlik 10000000146") == "kimlik [national-id]"
    assert redactor.redact("PESEL 44051401359") == "PESEL [national-id]"
    assert redactor.redact("NIK 3174015203950001") == "NIK [national-id]"
    assert redactor.redact("DNI 12345678Z") == "DNI [national-id]"
    assert redactor.redact("BSN 123456789") == "BSN [number]"  # fails the 11-check: still removed
