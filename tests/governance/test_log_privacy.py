"""No log record of the whole test suite carries a plaintext ID number, mobile number or
diagnosis. tests/conftest.py checks every record of the run as it is emitted
(PersonalDataInLogs); the last test of the run asserts that none did."""

from __future__ import annotations

import logging

from tests.support import personal_data_in


def test_the_scan_finds_an_id_number_a_phone_and_a_diagnosis():
    assert personal_data_in("身份证 430521199001011239 已核实") == ["430521199001011239"]
    assert personal_data_in("电话13812345678") == ["13812345678"]
    assert personal_data_in("诊断为精神分裂症") == ["精神分裂症"]


def test_the_scan_leaves_masked_values_and_other_numbers_alone():
    assert not personal_data_in("430521********1239 138****5678")
    assert not personal_data_in("430521199001011230")  # the check digit fails
    assert not personal_data_in("case 12345 at 1733100000123, hash 9f13812345678a")


def test_a_resident_phone_logged_anywhere_is_caught(demo):
    from tests.factories import register
    from tests.support import LOG_SCAN

    resident = register(demo)
    before = len(LOG_SCAN.findings)
    logging.getLogger("residents.services.residents").warning("called %s", resident.phone)
    caught = LOG_SCAN.findings[before:]
    del LOG_SCAN.findings[before:]  # proven here; the run's own scan below stays clean
    assert [(name, found, excerpt) for _test, name, found, excerpt in caught] == [
        ("residents.services.residents", ["13800138000"], "called 138****8000")
    ]
    assert "test_a_resident_phone_logged_anywhere_is_caught" in caught[0][0]


def test_no_log_record_of_the_whole_run_carries_personal_data():
    from tests.support import LOG_SCAN

    assert LOG_SCAN.records > 0  # the collector saw the run
    assert LOG_SCAN.findings == [], "\n".join(
        f"{test}: {logger} logged {found}: {excerpt}"
        for test, logger, found, excerpt in LOG_SCAN.findings
    )


test_no_log_record_of_the_whole_run_carries_personal_data.after_all = True  # run last
