"""Personal data in messages is found, and only personal data."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rippledesk.analysis.pii import find_pii, luhn_valid, redact
from rippledesk.analysis.types import PiiSpan


def found(text: str) -> list[tuple[str, str]]:
    return [(span.kind, text[span.start : span.end]) for span in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to john.doe+desk@example.co.uk now", "john.doe+desk@example.co.uk"),
        ("@united please email? jennifer.cascino@gmail.com", "jennifer.cascino@gmail.com"),
        ("Mail: A_B-c@sub.domain-x.travel.", "A_B-c@sub.domain-x.travel"),
    ],
)
def test_emails(text: str, expected: str) -> None:
    assert found(text) == [("email", expected)]


@pytest.mark.parametrize(
    "text", ["@united thanks", "me @ home", "user@localhost", "a@b", "@JetBlue's crew"]
)
def test_not_emails(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call +44 20 7946 0958 today", "+44 20 7946 0958"),
        ("+1 (555) 123-4567", "+1 (555) 123-4567"),
        ("+4915112345678", "+4915112345678"),
        ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
        ("my number is (631)891-5722", "(631)891-5722"),
        ("on hold with 800-428-4322.", "800-428-4322"),
        ("1-800-433-7300 keeps calling", "1-800-433-7300"),
        ("reach me 917 703 1472", "917 703 1472"),
        ("555.123.4567", "555.123.4567"),
        ("UK mobile 07700 900123", "07700 900123"),
        ("landline 020 7946 0958", "020 7946 0958"),
        ("Paris 01 23 45 67 89", "01 23 45 67 89"),
        ("local 555-1234 only", "555-1234"),
        ("please give me a call 9148445695", "9148445695"),
        ("tel:555-123-4567", "555-123-4567"),
    ],
)
def test_phones(text: str, expected: str) -> None:
    assert found(text) == [("phone", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "flight UA 1234 to Denver",
        "flight UA1234567 to Denver",
        "on 2015-02-16 at 10:30",
        "on 16.02.2015 and 02/16/2015",
        "back in 1999 2004 2015",
        "from 10.30 to 11.45 12.00",
        "it cost $1,234,567.89",
        "paid $ 123 456 789",
        "paid 123 456 789 USD",
        "our 3 kids, 2 bags and 4 hours",
        "mail from 153.69.214.203 bounced",
        "ref 2792125083854 9",
        "order number 5551234567",
        "1234567",
    ],
)
def test_not_phones(text: str) -> None:
    assert [kind for kind, _ in found(text) if kind == "phone"] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111 1111 1111 1111 charged", "4111 1111 1111 1111"),
        ("card 4111-1111-1111-1111", "4111-1111-1111-1111"),
        ("5500005555555559", "5500005555555559"),
        ("amex 3782 822463 10005", "3782 822463 10005"),
    ],
)
def test_cards(text: str, expected: str) -> None:
    assert found(text) == [("card", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112",  # fails Luhn
        "0000 0000 0000 0000",  # Luhn-valid but one repeated digit
        "4111 1111 111",  # too short
        "41111111111111111111111",  # too long
    ],
)
def test_not_cards(text: str) -> None:
    assert [kind for kind, _ in found(text) if kind == "card"] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("order #12345 never came", "#12345"),
        ("order no. AB-1234-XY is late", "AB-1234-XY"),
        ("Order No: 98765", "98765"),
        ("confirmation code ABC123", "ABC123"),
        ("Confirmation number: NJV4BP - thanks", "NJV4BP"),
        ("record locator BSUXLU", "BSUXLU"),
        ("conf #F8NEQM. My flight", "#F8NEQM"),
        ("case id 8473573", "8473573"),
        ("bag claim #3526665682. Thanks!", "#3526665682"),
        ("e-ticket # 0162389030167, thanks", "# 0162389030167"),
        ("reservation number F3KxB8", "F3KxB8"),
    ],
)
def test_order_ids(text: str, expected: str) -> None:
    assert found(text) == [("order_id", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "my reservation FAILED again",
        "booking for 2 people",
        "ticket 2 days ago",
        "my reservation #1lesscustomer",
        "baggage claim #welldone",
        "have a ticket # changed after check in",
        "the order was wrong",
        "confirmation Please",
    ],
)
def test_not_order_ids(text: str) -> None:
    assert found(text) == []


def test_several_kinds_sorted_and_redacted() -> None:
    text = (
        "Email a@b.co or call 555-123-4567 about order #A1B2C3, card 4111 1111 1111 1111. "
        "Conf: QWERTY"
    )
    spans = find_pii(text)
    assert [span.kind for span in spans] == ["email", "phone", "order_id", "card", "order_id"]
    assert redact(text) == (
        "Email [email] or call [phone] about order [order id], card [card]. Conf: [order id]"
    )
    assert redact(text, spans) == redact(text)


def test_order_id_wins_over_phone_and_card() -> None:
    assert found("ticket number 0016 9640 1234") == [("order_id", "0016 9640 1234")]
    assert found("ticket number 4111111111111111") == [("order_id", "4111111111111111")]
    assert found("case number 5551234567") == [("order_id", "5551234567")]


def test_redact_tolerates_odd_spans() -> None:
    text = "abc def ghi"
    spans = (
        PiiSpan("phone", 8, 50),
        PiiSpan("email", 0, 3),
        PiiSpan("card", 2, 5),  # overlaps the first, skipped
        PiiSpan("order_id", 20, 25),  # outside, skipped
        PiiSpan("email", 6, 6),  # empty, skipped
    )
    assert redact(text, spans) == "[email] def [phone]"
    assert redact("nothing here") == "nothing here"
    assert redact("", ()) == ""


def test_luhn() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


@settings(database=None, max_examples=300)
@given(
    st.lists(
        st.sampled_from(
            [
                "a@b.co",
                "555-123-4567",
                "+44 20 7946 0958",
                "4111 1111 1111 1111",
                "order #123456",
                "Conf: QWERTY",
                "2015-02-16",
                " ",
                "-",
                ".",
                "#",
                "x",
                "7",
                "@",
                "(",
            ]
        )
        | st.text(max_size=8)
    ).map("".join)
)
def test_spans_are_sorted_disjoint_and_inside(text: str) -> None:
    spans = find_pii(text)
    previous_end = 0
    for span in spans:
        assert previous_end <= span.start < span.end <= len(text)
        previous_end = span.end
    redacted = redact(text, spans)
    assert len(spans) == 0 or redacted != text
