from reindustry_kb.text.tables import is_table_row


def test_a_table_row_opens_with_a_pipe_and_holds_another() -> None:
    for row in ("| Item | 2026 |", "  | 晶片補助 | 新臺幣 410億元 |", "|---|---|", "| a | b"):
        assert is_table_row(row), row
    for line in ("Policy Brief | Export Controls 2025", "| alone", "", "a || b"):
        assert not is_table_row(line), line
