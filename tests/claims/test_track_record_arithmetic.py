"""The arithmetic of a track record (claims.queries.TrackRecord), at its boundaries: the small
sample note, coverage, the hedge classes, the Brier score and the calibration bins."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claims.choices import HedgeClass
from claims.intake import cues
from claims.models import Claim, Kind, Verdict
from claims.queries import SMALL_SAMPLE
from tests.factories import ClaimFactory, DueClaimFactory, ResolvedClaimFactory

pytestmark = pytest.mark.django_db


def record():
    return Claim.objects.track_record()


def test_the_hedge_classes_are_the_intakes():
    assert set(HedgeClass.values) == {cues.ASSERTED, cues.EXPECTED, cues.POSSIBLE, cues.TARGET}
    assert {hedge_class for hedge_class, _pattern in cues.HEDGES} == set(HedgeClass.values)


@pytest.mark.parametrize(
    ("judged", "small"),
    [(SMALL_SAMPLE - 1, True), (SMALL_SAMPLE, False), (SMALL_SAMPLE + 1, False)],
)
def test_the_small_sample_note_stops_at_five_verdicts(judged, small):
    ResolvedClaimFactory.create_batch(judged)
    # Unresolvable claims are not verdicts a hit rate rests on.
    ResolvedClaimFactory.create_batch(3, verdict=Verdict.UNRESOLVABLE)
    assert record().judged == judged
    assert record().small_sample is small


def test_nothing_judged_is_a_small_sample_with_no_hit_rate():
    ClaimFactory()
    assert record().small_sample is True and record().share_correct is None


def test_coverage_is_resolved_over_due_and_none_until_something_is_due():
    ClaimFactory()  # open: not due, not in coverage
    assert record().coverage is None and record().came_due == 0
    DueClaimFactory()
    assert record().coverage == 0.0
    ResolvedClaimFactory(verdict=Verdict.UNRESOLVABLE)  # resolved, so covered
    assert (record().resolved, record().came_due, record().coverage) == (1, 2, 0.5)
    ResolvedClaimFactory(verdict=Verdict.INCORRECT)
    assert record().coverage == pytest.approx(2 / 3)


def test_it_counts_the_hit_rate_per_hedge_class_only_for_classes_in_use():
    assert record().by_hedge == ()
    ResolvedClaimFactory(hedge="will", hedge_class=HedgeClass.ASSERTED)
    ResolvedClaimFactory(hedge="will", hedge_class=HedgeClass.ASSERTED, verdict=Verdict.INCORRECT)
    ResolvedClaimFactory(hedge="could", hedge_class=HedgeClass.POSSIBLE, verdict=Verdict.INCORRECT)
    ResolvedClaimFactory(
        hedge="could", hedge_class=HedgeClass.POSSIBLE, verdict=Verdict.UNRESOLVABLE
    )
    DueClaimFactory(hedge="could", hedge_class=HedgeClass.POSSIBLE)
    ResolvedClaimFactory()  # no hedge recorded

    by_class = {hedge.hedge_class: hedge for hedge in record().by_hedge}

    assert set(by_class) == {HedgeClass.ASSERTED, HedgeClass.POSSIBLE}
    will, could = by_class[HedgeClass.ASSERTED], by_class[HedgeClass.POSSIBLE]
    assert (will.total, will.judged, will.share_correct) == (2, 2, 0.5)
    assert (could.total, could.judged, could.share_correct) == (3, 1, 0.0)
    assert will.small_sample and could.small_sample


def test_the_brier_score_is_the_mean_squared_error_over_correct_and_incorrect_claims():
    assert record().brier_score is None and record().calibration == ()
    ResolvedClaimFactory(probability=Decimal("0.8"))  # (0.8 − 1)² = 0.04
    ResolvedClaimFactory(probability=Decimal("0.3"), verdict=Verdict.INCORRECT)  # 0.09
    # Neither 1 nor 0, not judged, or no probability: left out.
    ResolvedClaimFactory(probability=Decimal("0.9"), verdict=Verdict.PARTLY_CORRECT)
    ResolvedClaimFactory(probability=Decimal("0.9"), verdict=Verdict.UNRESOLVABLE)
    DueClaimFactory(probability=Decimal("0.1"))
    ResolvedClaimFactory(verdict=Verdict.INCORRECT)

    result = record()

    assert result.brier_score == pytest.approx(0.065)
    assert result.stated_probability == 5


def test_certainty_scores_zero_when_right_and_one_when_wrong():
    ResolvedClaimFactory(probability=Decimal("1"))
    assert record().brier_score == 0.0
    ResolvedClaimFactory(probability=Decimal("1"), verdict=Verdict.INCORRECT)
    assert record().brier_score == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("probability", "bin_index"),
    [
        ("0", 0),
        ("0.099", 0),
        ("0.1", 1),  # a bin's lower edge is in it
        ("0.101", 1),
        ("0.499", 4),
        ("0.5", 5),
        ("0.899", 8),
        ("0.9", 9),
        ("0.999", 9),
        ("1", 9),  # certainty is in the last bin, not in an eleventh
    ],
)
def test_each_probability_falls_in_one_calibration_bin(probability, bin_index):
    ResolvedClaimFactory(probability=Decimal(probability))
    ResolvedClaimFactory(probability=Decimal(probability), verdict=Verdict.INCORRECT)
    bins = record().calibration
    assert len(bins) == 10
    assert [b.count for b in bins] == [2 if i == bin_index else 0 for i in range(10)]
    assert bins[bin_index].correct == 1 and bins[bin_index].share_correct == 0.5
    assert sum(b.count for b in bins) == 2


def test_the_bins_are_labelled_with_their_edges():
    ResolvedClaimFactory(probability=Decimal("0.05"))
    labels = [b.label for b in record().calibration]
    assert labels[0] == "0% to under 10%" and labels[-1] == "90% to 100%"


def test_the_whole_record_is_one_query(django_assert_num_queries):
    ResolvedClaimFactory(probability=Decimal("0.7"), hedge_class=HedgeClass.EXPECTED)
    DueClaimFactory(kind=Kind.TARGET)
    with django_assert_num_queries(1):
        result = record()
    assert result.total == 2 and result.by_hedge[0].total == 1 and result.brier_score is not None
