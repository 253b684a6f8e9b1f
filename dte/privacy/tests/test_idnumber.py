from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from dte.privacy.idnumber import InvalidIdNumber, age_on, mask_id_number, mask_phone, validate_id_number, validate_phone

TODAY = date(2026, 11, 24)


def with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def test_valid_number_parses_birth_and_gender():
    number = with_check("14010519980307123")  # 小店区 has existed since 1997
    parsed = validate_id_number(number, today=TODAY)
    assert parsed.birth_date == date(1998, 3, 7)
    assert parsed.gender == "M"  # 17th digit 3 is odd
    assert parsed.warnings == ()


def test_wrong_check_digit_is_rejected():
    number = with_check("14010519900307123")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(InvalidIdNumber, match="校验位"):
        validate_id_number(wrong, today=TODAY)


@pytest.mark.parametrize("body, message", [
    ("14010519900230123", "不存在"),  # 30 February
    ("14010520300101123", "未来"),  # born in the future
    ("14010518900101123", "年龄"),  # 136 years old
])
def test_impossible_birth_dates_are_rejected(body, message):
    with pytest.raises(InvalidIdNumber, match=message):
        validate_id_number(with_check(body), today=TODAY)


def test_unknown_area_code_is_a_warning_not_a_rejection():
    parsed = validate_id_number(with_check("99990119900307123"), today=TODAY)
    assert parsed.warnings and "999901" in parsed.warnings[0]
    # stdnum's own validate rejects a real 小店区 number from before the district's 1997 code;
    # here it is valid with a warning.
    assert validate_id_number(with_check("14010519900307123"), today=TODAY).warnings


@pytest.mark.parametrize("area", ["810000", "820000", "830000"])
def test_hong_kong_macao_taiwan_residence_permits_are_valid(area):
    parsed = validate_id_number(with_check(f"{area}19950101001"), today=TODAY)
    assert parsed.warnings == ()


def test_lowercase_x_and_spaces_are_normalised():
    body = next(b for b in (f"1401051990030712{i}" for i in range(10)) if ric.calc_check_digit(b + "0") == "X")
    assert validate_id_number(f" {body}x ", today=TODAY).number == body + "X"


def test_fifteen_digit_numbers_get_a_clear_message():
    with pytest.raises(InvalidIdNumber, match="18"):
        validate_id_number("140105900307123", today=TODAY)


@given(st.integers(min_value=0, max_value=99), st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 1, 1)))
def test_every_generated_number_with_its_check_digit_validates(seq, birth):
    number = with_check(f"140105{birth:%Y%m%d}{seq:03d}")
    assert validate_id_number(number, today=TODAY).birth_date == birth


def test_one_age_rule_for_the_number_and_its_bounds():
    """The age the bounds check (min_age) uses is IdNumber.age_on's: whole years, the birthday counted on the day."""
    assert age_on(date(2012, 11, 24), TODAY) == 14 and age_on(date(2012, 11, 25), TODAY) == 13
    assert (age_on(date(2000, 2, 29), date(2001, 2, 28)), age_on(date(2000, 2, 29), date(2001, 3, 1))) == (0, 1)
    turned = validate_id_number(with_check("14010520121124123"), today=TODAY)  # 14 today: admitted
    assert turned.age_on(TODAY) == 14
    with pytest.raises(InvalidIdNumber, match="13"):
        validate_id_number(with_check("14010520121125123"), today=TODAY)  # 14 tomorrow


def test_masks():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert validate_phone("+86 138-1234-5678") == "13812345678"
    with pytest.raises(InvalidIdNumber) as error:
        validate_phone("12345")
    assert error.value.field_name == "phone"


def test_each_language_shows_only_its_own_message():
    """Issue 13 item 12: no bilingual "中文 / English" literals; Chinese by default, English under en."""
    from django.utils import translation

    number = with_check("14010519900307123")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(InvalidIdNumber) as chinese:
        validate_id_number(wrong, today=TODAY)
    assert str(chinese.value) == "身份证号码校验位错误"
    with translation.override("en"), pytest.raises(InvalidIdNumber) as english:
        validate_id_number(wrong, today=TODAY)
    assert str(english.value) == "The ID number's check digit (last character) is wrong: re-read the number."
    with translation.override("en"), pytest.raises(InvalidIdNumber, match="between|outside"):
        validate_id_number(with_check("14010518900101123"), today=TODAY)
