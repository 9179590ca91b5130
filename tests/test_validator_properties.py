"""Property-based tests (hypothesis) for the input rules shared by the backend and the chat."""
from datetime import date, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from certpolicy.validators import (
    PIN_BIRTH_DATE, PIN_REPEATED, PIN_SEQUENTIAL, digits_only, mask_mobile, normalize_mobile,
    parse_birth_date, pin_problem,
)

TODAY = date(2026, 11, 25)
pins = st.text(alphabet="0123456789", min_size=6, max_size=6)
birth_dates = st.dates(min_value=TODAY - timedelta(days=365 * 99), max_value=TODAY - timedelta(days=1))
separators = st.sampled_from(["", "-", " ", ".", " - "])


@given(st.sampled_from("016789"), st.text(alphabet="0123456789", min_size=7, max_size=8), separators)
def test_any_written_form_of_a_mobile_number_normalizes_to_its_digits(kind, rest, sep):
    digits = "01" + kind + rest
    written = sep.join([digits[:3], digits[3:-4], digits[-4:]])
    assert normalize_mobile(written) == digits
    assert mask_mobile(digits).endswith(digits[-4:]) and digits[3:-4] not in mask_mobile(digits)[4:-5]


@given(st.text(alphabet="0123456789 -+()", max_size=16) | st.text(max_size=16))
def test_normalized_mobile_numbers_are_always_valid_shapes(text):
    result = normalize_mobile(text)
    assert result is None or (result.isascii() and result.isdigit() and result.startswith("01")
                              and len(result) in (10, 11))


@given(birth_dates)
def test_every_supported_birth_date_format_parses_to_the_same_day(born):
    forms = [born.strftime("%Y%m%d"), born.isoformat(), f"{born.year}.{born.month}.{born.day}",
             f"{born.year}년 {born.month}월 {born.day}일", born.strftime("%Y/%m/%d")]
    if born.year > TODAY.year - 100:  # two-digit years mean the last hundred years
        forms.append(born.strftime("%y%m%d"))
    for form in forms:
        assert parse_birth_date(form, TODAY) == born, form


@given(st.text(max_size=16))
def test_parsed_birth_dates_are_never_in_the_future(text):
    born = parse_birth_date(text, TODAY)
    assert born is None or born <= TODAY


@given(st.integers(0, 9))
def test_repeated_digits_are_refused(digit):
    assert pin_problem(str(digit) * 6, 6) == PIN_REPEATED


@given(st.integers(0, 4), st.booleans())
def test_straight_runs_are_refused(start, descending):
    run = "".join(str(start + i) for i in range(6))
    assert pin_problem(run[::-1] if descending else run, 6) == PIN_SEQUENTIAL


@given(birth_dates, st.text(alphabet="0123456789", min_size=2, max_size=2), st.integers(0, 2))
def test_pins_holding_the_birth_date_are_refused(born, filler, position):
    mmdd = born.strftime("%m%d")
    pin = filler[:position] + mmdd + filler[position:]
    assume(pin_problem(pin, 6) is None)  # shape rules come first
    assert pin_problem(pin, 6, born) == PIN_BIRTH_DATE
    yymmdd = born.strftime("%y%m%d")
    assume(pin_problem(yymmdd, 6) is None)
    assert pin_problem(yymmdd, 6, born) == PIN_BIRTH_DATE


@settings(max_examples=300)
@given(pins, birth_dates)
def test_an_accepted_pin_breaks_no_rule(pin, born):
    if pin_problem(pin, 6, born) is None:
        assert len(set(pin)) > 1
        steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
        assert steps not in ({1}, {-1})
        assert born.strftime("%m%d") not in pin and pin != born.strftime("%y%m%d")


@given(pins, st.lists(st.sampled_from([" ", "-"]), min_size=5, max_size=5))
def test_codes_typed_with_spaces_or_dashes_read_as_digits(code, seps):
    written = "".join(d + s for d, s in zip(code, seps + [""]))
    assert digits_only(written, 6) == code
    assert digits_only(written + "1", 6) is None
