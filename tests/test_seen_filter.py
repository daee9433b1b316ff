"""The "maybe seen" filter never forgets a key and rarely claims an unseen one."""

from __future__ import annotations

import pytest

from rippledesk.channels.imports.seen import SeenFilter


def test_added_keys_are_always_found_and_unseen_ones_rarely() -> None:
    seen = SeenFilter(bits=1 << 16)
    added = [("united", f"row:{n:024x}") for n in range(2000)]
    for key in added:
        seen.add(key)
    assert all(key in seen for key in added)
    false_hits = sum(("united", f"other:{n}") in seen for n in range(10_000))
    assert false_hits < 600  # about 2,000 / 65,536 of the slots are set


def test_size_must_be_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        SeenFilter(bits=1000)


def test_batch_methods_agree_with_the_single_ones() -> None:
    one, many = SeenFilter(bits=1 << 12), SeenFilter(bits=1 << 12)
    added = [("chan", f"id-{i}") for i in range(0, 600, 3)]
    for key in added:
        one.add(key)
    many.add_all(added)
    probe = [("chan", f"id-{i}") for i in range(600)]
    assert many.flags(probe) == [key in one for key in probe]
    assert all(many.flags(added))
    assert many.flags([]) == []
