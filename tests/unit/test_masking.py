from ingest.validate import RuleOutcome, mask_ids


def test_id_numbers_are_masked_in_rule_messages() -> None:
    outcome = RuleOutcome(
        rule="expect_column_values_to_match_regex",
        column="id_number",
        severity="critical",
        unexpected_count=2,
        element_count=10,
        sample_rows=[3, 7],
        sample_values=["31010419900101123Y", "310104900101123"],
    )
    message = outcome.describe()
    assert "31010419900101123Y" not in message and "310104900101123" not in message
    assert "310104*******1123Y" in message
    assert "rows 3, 7" in message


def test_other_values_are_left_alone() -> None:
    assert mask_ids("2026-11-24") == "2026-11-24"
    assert mask_ids("浦东新区世纪大道100号") == "浦东新区世纪大道100号"
    assert mask_ids(42) == 42
