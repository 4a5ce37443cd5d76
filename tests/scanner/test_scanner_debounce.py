"""Debouncing (once per presentation) and the classification of codes by the school's patterns."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.scanner import CodeClassifier, CodeKind, Debouncer, PatternError, Read

TAG = Read("PER-000123", "Code 128")
CARD = Read("S123456", "Code 39")


def _run(debouncer: Debouncer, timeline: list[tuple[float, list[Read]]]) -> list[tuple[float, str]]:
    acted = []
    for at, reads in timeline:
        acted += [(at, r.text) for r in debouncer.feed(reads, at)]
    return acted


def test_held_in_view_acts_once_after_confirmation():
    frames = [(i / 30, [TAG]) for i in range(90)]
    assert _run(Debouncer(), frames) == [(1 / 30, "PER-000123")]


def test_missed_frames_while_held_do_not_act_again():
    frames = [(i / 30, [TAG] if i % 7 else []) for i in range(90)]  # every 7th frame unread
    assert len(_run(Debouncer(), frames)) == 1


def test_shown_again_after_leaving_the_view_acts_again():
    held = [(i / 30, [TAG]) for i in range(30)]
    away = [(1 + i / 30, []) for i in range(30)]
    again = [(2 + i / 30, [TAG]) for i in range(30)]
    assert [t for _, t in _run(Debouncer(), held + away + again)] == ["PER-000123"] * 2


def test_a_single_stray_read_is_not_acted_on():
    frames = [(0.0, [Read("PER-999999", "Code 128")])] + [(i / 30, []) for i in range(1, 60)]
    assert _run(Debouncer(), frames) == []
    assert _run(Debouncer(confirmations=1), frames) == [(0.0, "PER-999999")]


def test_two_codes_in_view_each_act_once():
    frames = [(i / 30, [TAG, CARD]) for i in range(30)]
    assert sorted(t for _, t in _run(Debouncer(), frames)) == ["PER-000123", "S123456"]


def test_reads_far_apart_do_not_confirm_each_other():
    frames = [(0.0, [TAG]), (0.5, [TAG])]  # released in between (0.6 s default is not reached)
    assert len(_run(Debouncer(release_after=0.4), frames)) == 0


def test_in_view_and_reset():
    debouncer = Debouncer()
    _run(debouncer, [(0.0, [TAG]), (0.04, [TAG])])
    assert debouncer.in_view() == {"PER-000123"}
    debouncer.reset()
    assert debouncer.in_view() == set()


# --- classification -----------------------------------------------------------------------------


@pytest.fixture
def classifier() -> CodeClassifier:
    return CodeClassifier(r"PER-\d{6}", r"S\d{6}")


def test_codes_are_sorted_by_the_school_patterns(classifier: CodeClassifier):
    assert classifier.classify("PER-000123").kind is CodeKind.ASSET_TAG
    assert classifier.classify("S123456").kind is CodeKind.CARD
    assert classifier.classify("LOAN-000017").kind is CodeKind.LOAN_SLIP
    assert classifier.classify("TKT-000045").kind is CodeKind.TICKET
    assert classifier.classify(" PER-000123\n").text == "PER-000123"


def test_other_codes_are_refused_with_a_sentence(classifier: CodeClassifier):
    refused = classifier.classify("http://example.com/offer")
    assert not refused.accepted and refused.kind is None
    assert "not an asset tag" in refused.message and "nothing was done" in refused.message
    assert not classifier.classify("PER-000123X").accepted  # the whole code must match
    assert not classifier.classify("").accepted
    long = classifier.classify("X" * 200)
    assert "..." in long.message and len(long.message) < 160


def test_patterns_come_from_the_settings():
    class Settings:
        asset_tag_pattern = r"[A-Z]{3}\d{5}"
        card_pattern = r"\d{8}"

    classifier = CodeClassifier.from_settings(Settings())
    assert classifier.classify("ABC12345").kind is CodeKind.ASSET_TAG
    assert classifier.classify("20231234").kind is CodeKind.CARD
    assert not classifier.classify("PER-000123").accepted


def test_a_broken_pattern_is_a_clear_error():
    with pytest.raises(PatternError, match="asset tag pattern"):
        CodeClassifier("PER-(\\d", None)


# --- any presentation pattern -------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(2, 60), st.integers(20, 90), st.integers(0, 3)),
        min_size=1,
        max_size=6,
    )
)
def test_acted_on_once_per_presentation(presentations):
    """Presentations of 2+ frames at 30 fps, each followed by more than 0.6 s out of view, with up
    to 3 missed frames while held: exactly one action per presentation."""
    debouncer, frame, acted = Debouncer(), 0, 0
    for held, away, miss_every in presentations:
        for i in range(held):
            missed = miss_every and i % (miss_every + 2) == 1 and 0 < i < held - 1
            acted += len(debouncer.feed([] if missed else [TAG], frame / 30))
            frame += 1
        for _ in range(away):
            acted += len(debouncer.feed([], frame / 30))
            frame += 1
    assert acted == len(presentations)
