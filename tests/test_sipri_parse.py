"""The SIPRI export parser: both formats, every irregularity, no database."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pytest

from explorer.errors import ValidationError
from explorer.loaders import sipri_extract, sipri_synth
from explorer.loaders.sipri_encoding import open_export
from explorer.loaders.sipri_parse import detect_format, parse_export, read_export, register_id
from explorer.loaders.sipri_records import ParseReport, SipriDeal
from explorer.names import name_key
from tests.conftest import SIPRI_EXPORT, SIPRI_EXTRACT

FIXTURES = Path(__file__).parent / "fixtures" / "sipri"
FULL_EXPORT = SIPRI_EXPORT
EXTRACT = SIPRI_EXTRACT


def parse(name: str) -> tuple[dict[str, SipriDeal], ParseReport]:
    deals, report = read_export(FIXTURES / name)
    assert report.balanced, report.summary()
    return {deal.id: deal for deal in deals}, report


def reasons(report: ParseReport) -> dict[int, str]:
    return {reject.line: reject.reason for reject in report.rejects}


# --- formats --------------------------------------------------------------------------


def test_detect_format_reads_the_header_line() -> None:
    atdb = (FIXTURES / "atdb-small.csv").read_text(encoding="utf-8").splitlines()
    register = (FIXTURES / "register-latin1.csv").read_text(encoding="latin-1").splitlines()
    assert detect_format(atdb) == "atdb"
    assert detect_format(register) == "register"
    with pytest.raises(ValidationError, match="first 40 lines"):
        detect_format(["name,country", "Su-35,Russia"])


def test_a_format_that_was_not_asked_for_is_refused() -> None:
    with (
        (FIXTURES / "atdb-small.csv").open(encoding="utf-8") as fileobj,
        pytest.raises(ValidationError, match="not the register format"),
    ):
        parse_export(fileobj, "register")


def test_atdb_lines_of_one_id_become_one_deal_with_deliveries_per_year() -> None:
    deals, report = parse("atdb-small.csv")
    assert (report.format, report.generated, report.header_line) == ("atdb", "2026-02-12", 12)
    assert "Source: SIPRI Arms Transfers Database (c) SIPRI." in report.preamble
    assert (report.records_read, report.records_imported, report.deals) == (7, 7, 5)
    hwasong = deals["sipri-67145"]
    assert (hwasong.supplier, hwasong.recipient, hwasong.designation) == (
        "North Korea",
        "Russia",
        "Hwasong-11",
    )
    assert hwasong.delivery_years == [2023, 2024]
    assert hwasong.delivered_per_year == [5, 95]
    assert hwasong.quantity_delivered == 100
    assert hwasong.tiv_delivered == 250.0
    assert (hwasong.order_year, hwasong.order_year_estimate) == (2023, True)
    assert hwasong.deliveries[0].line == 13
    assert (hwasong.tiv_unit, hwasong.tiv_deal_unit, hwasong.local_production) == (2.5, 2.5, False)
    fath = deals["sipri-67926"]
    assert (fath.supplier, fath.delivery_years, fath.delivered_per_year) == ("Iran", [2024], [200])
    # A blank "is estimate" flag is read as No, and counted.
    assert fath.order_year_estimate is False
    assert report.notes["blank 'Order date is estimate' read as No"] == 1


def test_register_latin1_with_quoted_commas_quotes_and_newlines_in_comments() -> None:
    deals, report = parse("register-latin1.csv")
    assert report.format == "register"
    assert report.encoding in ("cp1252", "latin-1")
    assert report.generated == "2026-02-12"
    assert (report.records_read, report.lines_read, len(report.rejects)) == (4, 5, 0)
    by_system = {deal.designation: deal for deal in deals.values()}
    hwasong = by_system["Hwasong-11"]
    assert hwasong.id == register_id("North Korea", "Russia", "Hwasong-11", 2023)
    assert (hwasong.supplier, hwasong.recipient) == ("North Korea", "Russia")
    assert hwasong.comments == (
        'Reportedly KN-23, used against Ukraine; "Hwasong-11" is the DPRK name'
    )
    # Several delivery years share one total: no per-year number is invented.
    assert hwasong.delivery_years == [2023, 2024]
    assert hwasong.delivered_per_year == [None, None]
    assert (hwasong.quantity_delivered, hwasong.tiv_total, hwasong.tiv_delivered) == (
        100,
        250.0,
        250.0,
    )
    shahed = by_system["Shahed-136"]
    assert shahed.comments == "Produced in Russia as Geran-2, assembly at Alabuga"
    assert shahed.quantity_ordered is None
    assert shahed.delivery_years == [2022, 2023, 2024]
    assert by_system["Su-25"].recipient == "Côte d'Ivoire"
    assert by_system["Su-25"].sipri_status == "second hand"
    assert by_system["Bayraktar TB2"].supplier == "Türkiye"


def test_register_question_marks_and_brackets_flag_uncertain_values() -> None:
    deals, _ = parse("register-latin1.csv")
    hwasong = next(deal for deal in deals.values() if deal.designation == "Hwasong-11")
    assert hwasong.order_year_estimate and hwasong.quantity_ordered_estimate
    assert hwasong.quantity_delivered_estimate
    su25 = next(deal for deal in deals.values() if deal.designation == "Su-25")
    assert not (su25.order_year_estimate or su25.quantity_ordered_estimate)

    deals, _ = parse("register-uncertain.csv")
    by_system = {deal.designation: deal for deal in deals.values()}
    fath = by_system["Fath-360"]
    assert (fath.order_year, fath.order_year_estimate) == (2022, True)
    assert (fath.quantity_ordered, fath.quantity_ordered_estimate) == (200, True)
    # One delivery year: the register's total is that year's number.
    assert fath.deliveries[0].year == 2024
    assert fath.deliveries[0].year_estimate and fath.deliveries[0].quantity_estimate
    assert fath.delivered_per_year == [200]
    assert by_system["M-1978 170mm"].quantity_ordered is None
    su30 = by_system["Su-30SM"]
    assert su30.delivery_years == [2019, 2020, 2021]
    assert su30.tiv_delivered is None


def test_register_ids_are_a_documented_hash_and_collisions_are_numbered() -> None:
    digest = hashlib.sha1(b"United States|Mexico|T-6 Texan-2|2014").hexdigest()[:12]
    base = f"sipri-reg-{digest}"
    assert register_id("United States", "Mexico", "T-6 Texan-2", 2014) == base
    deals, report = parse("register-collision.csv")
    assert [deal.id for deal in deals.values()] == [base, f"{base}-2", f"{base}-3", f"{base}-4"]
    assert [deal.comments for deal in deals.values()] == [
        "first order",
        "second order",
        "first order",
        "third order",
    ]
    # The third line repeats the first: the register lists two separate deals with the
    # same fields as two lines, so it is a third deal, not a duplicate.
    assert reasons(report) == {}
    assert (report.records_read, report.records_imported, report.deals) == (4, 4, 4)
    # Numbered in file order: parsing the same file again gives the same ids.
    again, _ = parse("register-collision.csv")
    assert list(again) == list(deals)


# --- irregularities ----------------------------------------------------------------------


def test_records_broken_across_lines_are_rejoined_or_rejected() -> None:
    deals, report = parse("atdb-broken-lines.csv")
    assert deals["sipri-2002"].description == "armed UAV"  # unquoted break
    assert deals["sipri-2003"].description == "one-way attack drone"  # break inside quotes
    assert [repair.line for repair in report.repairs] == [6]
    assert "sipri-2004" not in deals
    assert reasons(report) == {10: "5 fields, expected 17, and the next line does not complete it"}
    assert "sipri-2005" in deals  # the line after the broken one stands on its own
    assert (report.lines_read, report.records_read, report.records_imported) == (7, 5, 4)


def test_a_stray_quote_rejects_its_line_only() -> None:
    deals, report = parse("atdb-stray-quote.csv")
    assert sorted(deals) == ["sipri-3102", "sipri-3103"]
    assert reasons(report) == {4: "unterminated quote: no closing quote before the end of the file"}


def test_non_ascii_names_in_utf8_with_bom() -> None:
    deals, report = parse("atdb-non-ascii.csv")
    assert report.encoding == "utf-8-sig"
    assert deals["sipri-35405"].recipient == "Côte d'Ivoire"
    assert deals["sipri-60001"].supplier == "Türkiye"
    assert name_key(deals["sipri-35405"].recipient) == name_key("Cote d'Ivoire")


def test_unknown_actors_are_kept_and_flagged() -> None:
    deals, _ = parse("atdb-actors.csv")
    unknown_supplier = deals["sipri-5001"]
    assert unknown_supplier.supplier == "unknown supplier(s)"
    assert unknown_supplier.supplier_unknown and unknown_supplier.supplier_kind == "unknown"
    unknown_recipient = deals["sipri-5002"]
    assert unknown_recipient.recipient == "unknown recipient(s)"
    assert unknown_recipient.recipient_unknown and not unknown_recipient.recipient_non_state


def test_non_state_marks_become_flags() -> None:
    deals, _ = parse("atdb-actors.csv")
    rebels = deals["sipri-5001"]
    assert (rebels.recipient, rebels.recipient_non_state, rebels.recipient_intl_org) == (
        "Syria rebels",
        True,
        False,
    )
    assert rebels.recipient_kind == "armed_group"
    nato = deals["sipri-5003"]
    assert (nato.recipient, nato.recipient_non_state, nato.recipient_intl_org) == (
        "NATO",
        True,
        True,
    )
    assert nato.recipient_kind == "organization"
    assert deals["sipri-5004"].recipient == "Houthi rebels (Yemen)"
    group = deals["sipri-5005"]
    assert group.recipient_unknown and group.recipient_non_state


def test_empty_quantities_are_none_not_zero_and_odd_tiv_is_left_empty() -> None:
    deals, report = parse("atdb-empty-values.csv")
    drone = deals["sipri-2401"]
    assert drone.deliveries[0].quantity is None
    assert drone.quantity_delivered is None
    assert drone.delivered_per_year == [None]
    assert drone.deliveries[0].tiv is None and drone.tiv_delivered is None
    assert drone.local_production is None
    uav = deals["sipri-2402"]
    assert (uav.tiv_unit, uav.tiv_deal_unit, uav.tiv_delivered) == (None, None, 3.0)
    assert [repair.what for repair in report.repairs] == [
        "unreadable 'TIV deal unit' 'abc' left empty"
    ]
    assert not report.rejects


def test_blank_lines_are_skipped_and_counted() -> None:
    deals, report = parse("atdb-blank-lines.csv")
    assert sorted(deals) == ["sipri-2101", "sipri-2102"]
    assert (report.lines_read, report.blank_lines, report.records_read) == (7, 5, 2)


def test_lines_with_the_wrong_field_count_are_rejected() -> None:
    deals, report = parse("atdb-field-count.csv")
    assert sorted(deals) == ["sipri-2203"]
    assert reasons(report) == {
        5: "18 fields, expected 17 (an unquoted comma?)",
        6: "15 fields, expected 17",
    }


def test_non_numeric_years_reject_the_line_and_year_marks_flag_it() -> None:
    deals, report = parse("atdb-bad-years.csv")
    assert reasons(report) == {
        5: "non-numeric Delivery year 'abc'",
        6: "implausible Delivery year '20166'",
        7: "non-numeric Order date 'n.a.'",
        8: "no Delivery year",
    }
    delivery = deals["sipri-2305"].deliveries[0]
    assert (delivery.year, delivery.year_estimate) == (2024, True)


def test_duplicate_lines_are_rejected() -> None:
    deals, report = parse("atdb-duplicates.csv")
    assert reasons(report) == {
        6: "duplicate of line 5",
        7: "second line for delivery year 2024 of deal 2501 (line 5 has the first)",
    }
    assert deals["sipri-2501"].delivered_per_year == [50, 10]


def test_a_line_disagreeing_with_its_id_group_is_rejected() -> None:
    deals, report = parse("atdb-mismatch.csv")
    assert reasons(report) == {
        6: "deal 2601 disagrees with its other lines: Recipient 'Belarus' (line 5 has 'Russia')",
        # The majority decides, even when the odd line comes first.
        8: "deal 2602 disagrees with its other lines: Recipient 'Iran' (line 9 has 'Belarus')",
    }
    assert deals["sipri-2601"].delivery_years == [2022, 2024]
    assert deals["sipri-2602"].recipient == "Belarus"
    assert deals["sipri-2602"].source_line == 9


def test_a_truncated_last_line_without_its_semicolon_is_rejected() -> None:
    deals, report = parse("atdb-truncated-last.csv")
    assert sorted(deals) == ["sipri-2701"]
    assert reasons(report) == {6: "truncated last line: no closing ';'"}


def test_a_truncated_last_line_with_missing_fields_is_rejected() -> None:
    deals, report = parse("atdb-truncated-short.csv")
    assert sorted(deals) == ["sipri-2801"]
    assert reasons(report) == {6: "truncated record at the end of the file: 13 of 17 fields"}


def test_a_missing_semicolon_inside_the_file_is_only_noted() -> None:
    deals, report = parse("atdb-missing-semicolon.csv")
    assert sorted(deals) == ["sipri-2901", "sipri-2902"]
    assert report.notes["line without the closing ';'"] == 1


def test_variant_dashes_and_stray_spaces() -> None:
    deals, report = parse("atdb-small.csv")
    bushmaster = deals["sipri-38937"]
    assert (bushmaster.designation, bushmaster.system_name) == ("Bushmaster -", "Bushmaster")
    assert deals["sipri-24321"].designation == "9M119"
    assert report.notes["spaces around a value trimmed"] == 1


class _Unseekable(io.StringIO):
    def seekable(self) -> bool:
        return False


def test_lines_of_one_id_need_not_be_adjacent() -> None:
    deals, _ = parse("atdb-non-adjacent.csv")
    assert sorted(deals) == ["sipri-3001", "sipri-3002", "sipri-3003"]
    assert deals["sipri-3001"].delivered_per_year == [1, 2, 3]
    assert deals["sipri-3002"].delivered_per_year == [30, 16]
    # A stream that cannot be scanned twice is grouped in memory: same deals.
    text = (FIXTURES / "atdb-non-adjacent.csv").read_text(encoding="utf-8")
    report = ParseReport()
    streamed = {deal.id: deal for deal in parse_export(_Unseekable(text), report=report)}
    assert streamed == deals
    assert report.balanced


# --- not a SIPRI export ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-sipri.csv", "not-sipri.csv is not a SIPRI export: no 'SIPRI AT Database ID'"),
        ("header-only.csv", "header-only.csv has a SIPRI header but no data lines"),
        ("cut-preamble.csv", "cut-preamble.csv ends after 5 lines, inside the SIPRI notes"),
    ],
)
def test_files_that_are_not_whole_sipri_exports(name: str, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        read_export(FIXTURES / name)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "data.csv is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "data.csv is not a SIPRI export: it is a binary"),
        (b"PK\x03\x04\x14\x00\x06\x00", "data.csv is not a SIPRI export: it is a zip/xlsx"),
    ],
)
def test_empty_and_binary_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=re.escape(message)):
        open_export(path)


def test_a_missing_file_is_named() -> None:
    with pytest.raises(ValidationError, match=r"nowhere\.csv does not exist"):
        open_export(FIXTURES / "nowhere.csv")


def test_not_sipri_is_refused_before_iterating() -> None:
    with (
        (FIXTURES / "not-sipri.csv").open(encoding="utf-8") as fileobj,
        pytest.raises(ValidationError),
    ):
        parse_export(fileobj)  # no next(): the header is read at once


def test_a_wrong_explicit_encoding_ends_in_one_clear_sentence() -> None:
    with pytest.raises(ValidationError, match=r"not valid utf-8.*latin-1"):
        read_export(FIXTURES / "register-latin1.csv", encoding="utf-8")
    deals, report = read_export(FIXTURES / "register-latin1.csv", encoding="latin-1")
    assert report.encoding == "latin-1" and len(deals) == 4


def test_the_report_summarises_and_lists_rejects_as_csv() -> None:
    _, report = parse("atdb-field-count.csv")
    assert report.summary() == (
        "atdb-field-count.csv: atdb export, utf-8, generated 2026-02-12: 3 records read, "
        "1 imported into 1 deals, 2 rejected, 0 repaired"
    )
    rows = list(csv.reader(io.StringIO(report.rejects_csv())))
    assert rows[0] == ["line", "reason", "text"]
    assert rows[1][:2] == ["5", "18 fields, expected 17 (an unquoted comma?)"]
    assert rows[1][2].startswith("2201,Russia,Belarus,Mi-8,Mi-17,")


# --- the real export, the committed extract, the synthetic generator -----------------------


@pytest.fixture(scope="module")
def full_export() -> tuple[list[SipriDeal], ParseReport]:
    """The full export, parsed once for the tests that need it."""
    return read_export(FULL_EXPORT)


@pytest.mark.full_export
def test_the_full_shared_export_reconciles(
    full_export: tuple[list[SipriDeal], ParseReport],
) -> None:
    deals, report = full_export
    assert (report.format, report.encoding, report.generated) == ("atdb", "utf-8", "2026-02-12")
    assert report.records_read == 25_024
    assert report.records_imported == 25_024
    assert report.deals == len(deals) == len({deal.id for deal in deals}) == 12_571
    assert report.rejects == [] and report.repairs == []
    assert report.balanced
    hwasong = next(deal for deal in deals if deal.id == "sipri-67145")
    assert hwasong.delivered_per_year == [5, 95]


def test_the_committed_extract_parses_cleanly_and_holds_the_mission_deals() -> None:
    deals, report = read_export(EXTRACT)
    assert report.rejects == [] and report.balanced
    assert report.generated == "2026-02-12"
    assert "Source: SIPRI Arms Transfers Database (c) SIPRI." in report.preamble
    assert any(
        note.startswith("Extract of sipri-at-export-2026-02-12.csv") for note in report.preamble
    )
    by_id = {deal.id: deal for deal in deals}
    hwasong = by_id["sipri-67145"]
    assert (hwasong.supplier, hwasong.recipient, hwasong.designation) == (
        "North Korea",
        "Russia",
        "Hwasong-11",
    )
    assert list(zip(hwasong.delivery_years, hwasong.delivered_per_year, strict=True)) == [
        (2023, 5),
        (2024, 95),
    ]
    fath = [deal for deal in deals if deal.designation == "Fath-360" and deal.recipient == "Russia"]
    assert [(d.supplier, d.delivery_years, d.delivered_per_year) for d in fath] == [
        ("Iran", [2024], [200])
    ]
    assert all(sipri_extract.is_selected(deal) for deal in deals)


@pytest.mark.full_export
def test_the_extract_is_reproducible_and_complete(
    tmp_path: Path, full_export: tuple[list[SipriDeal], ParseReport]
) -> None:
    dest = tmp_path / "extract.csv"
    deals, lines = sipri_extract.extract(FULL_EXPORT, dest)
    assert dest.read_bytes() == EXTRACT.read_bytes()
    full, _ = full_export
    selected = [deal for deal in full if sipri_extract.is_selected(deal)]
    assert deals == len(selected)
    assert lines == sum(len(deal.deliveries) for deal in selected)


def test_the_synthetic_export_is_deterministic_and_parses(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    deals, lines = sipri_synth.generate(first, scale=0.02, seed=0)
    sipri_synth.generate(second, scale=0.02, seed=0)
    sipri_synth.generate(other, scale=0.02, seed=1)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    assert lines >= round(0.02 * sipri_synth.REFERENCE_LINES)
    parsed, report = read_export(first)
    assert report.rejects == [] and report.balanced
    assert (report.deals, report.records_read) == (deals, lines)
    assert report.preamble[1].startswith("SYNTHETIC DATA, not real transfers")
    assert all(int(deal.sipri_id or 0) >= sipri_synth.FIRST_ID for deal in parsed)
    assert b"\r\n" in first.read_bytes()[:300]
