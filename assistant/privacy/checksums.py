"""Check digits of identifiers: a match that passes its checksum is labelled for what it is.

Each function takes the identifier with separators already removed and returns True when it is
well-formed. They never raise on odd input; a failed check only changes the label (the redactor still
removes long digit runs as ``[number]``).
"""

from __future__ import annotations

import string

_IBAN_LENGTHS = {  # the countries a family is likely to write from, plus the Netherlands
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BY": 28,
    "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FR": 27,
    "GB": 22, "GE": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LT": 20, "LU": 20, "LV": 21, "MA": 28, "MD": 24, "ME": 22,
    "MK": 19, "MT": 31, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24,
    "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "XK": 20,
}
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def compact(value: str) -> str:
    """The identifier without spaces, dots, dashes and slashes, upper-cased."""
    return "".join(ch for ch in value if ch.isalnum()).upper()


def iban_valid(value: str) -> bool:
    """ISO 13616: the country's length and the mod-97 check (rearranged number mod 97 == 1)."""
    iban = compact(value)
    if len(iban) < 15 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    expected = _IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    if not all(ch in string.ascii_uppercase + string.digits for ch in iban):
        return False
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def bsn_valid(value: str) -> bool:
    """Dutch citizen service number: 9 digits (8 with a leading zero), the 11-check with -1 on the last."""
    digits = compact(value).zfill(9)
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def tc_kimlik_valid(value: str) -> bool:
    """Turkish identity number: 11 digits, no leading zero, two check digits."""
    digits = compact(value)
    if len(digits) != 11 or not digits.isdigit() or digits[0] == "0":
        return False
    d = [int(c) for c in digits]
    tenth = ((d[0] + d[2] + d[4] + d[6] + d[8]) * 7 - (d[1] + d[3] + d[5] + d[7])) % 10
    return d[9] == tenth and d[10] == sum(d[:10]) % 10


def pesel_valid(value: str) -> bool:
    """Polish PESEL: 11 digits, weights 1-3-7-9, and a plausible month (century encoded in +20/+40/+60/+80)."""
    digits = compact(value)
    if len(digits) != 11 or not digits.isdigit():
        return False
    month = int(digits[2:4]) % 20
    if not 1 <= month <= 12 or not 1 <= int(digits[4:6]) <= 31:
        return False
    total = sum(int(c) * w for c, w in zip(digits[:10], (1, 3, 7, 9) * 3, strict=False))
    return (10 - total % 10) % 10 == int(digits[10])


def nik_valid(value: str) -> bool:
    """Indonesian NIK: 16 digits, a province code 11–94, then DDMMYY of birth (women: day + 40)."""
    digits = compact(value)
    if len(digits) != 16 or not digits.isdigit():
        return False
    province, day, month = int(digits[:2]), int(digits[6:8]), int(digits[8:10])
    day = day - 40 if day > 40 else day
    return 11 <= province <= 94 and 1 <= day <= 31 and 1 <= month <= 12


def dni_valid(value: str) -> bool:
    """Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter): the mod-23 letter."""
    code = compact(value)
    if len(code) != 9 or not code[-1].isalpha():
        return False
    body = code[:-1]
    if body[0] in "XYZ":
        body = str("XYZ".index(body[0])) + body[1:]
    return body.isdigit() and _DNI_LETTERS[int(body) % 23] == code[-1]


NATIONAL_IDS = (bsn_valid, tc_kimlik_valid, pesel_valid, nik_valid, dni_valid)


def national_id_valid(value: str) -> bool:
    """True when ``value`` passes the check of any national id we know."""
    return any(check(value) for check in NATIONAL_IDS)
