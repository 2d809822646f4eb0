from rich.cells import cell_len

from reindustry_kb.out.charts import Scale, bars, scale_for, time_axis


def _bar(line: str) -> str:
    return "".join(char for char in line if char in "█▏▎▍▌▋▊▉░")


def test_bars_are_scaled_within_the_group_from_zero() -> None:
    rows = [
        ("2025-01-01 a:L1-L1", 200.0, 200.0, "200 GW"),
        ("2025-02-01 「報告」:L9-L9", 100.0, 150.0, "100–150 GW"),
        ("undated b:L2-L2", 50.0, 50.0, "50 GW"),
    ]
    lines = bars(rows, 80)
    assert len(lines) == 3 and all(cell_len(line) <= 80 for line in lines)
    widths = [cell_len(_bar(line).replace("░", "")) for line in lines]
    assert widths == [40, 20, 10]  # the largest fills the widest bar, 40 cells
    assert _bar(lines[1]).count("░") == 10  # the range's high end, shaded
    assert [line.split("  ")[-1] for line in lines] == ["200 GW", "100–150 GW", "50 GW"]
    assert lines[1].startswith("2025-02-01 「報告」:L9-L9  ")  # labels padded by cells


def test_no_bars_for_one_figure_a_negative_value_or_a_narrow_terminal() -> None:
    two = [("a", 1.0, 1.0, "1"), ("b", 2.0, 2.0, "2")]
    assert bars(two[:1], 80) == []
    assert bars([*two, ("c", -1.0, -1.0, "-1")], 80) == []
    assert bars([("a" * 70, 1.0, 1.0, "1"), ("b", 2.0, 2.0, "2")], 80) == []
    assert len(bars(two, 80)) == 2


def test_the_time_axis_places_events_in_proportion() -> None:
    lines = time_axis(["2020", "2025", "2025", "2030"], 41)
    assert lines[0] == "From 2020 to 2030; a taller mark, more events:"
    marks, axis, labels = lines[1:]
    assert [i for i, c in enumerate(marks) if c != " "] == [0, 20, 40]
    assert marks[20] == "█" and marks[0] == marks[40] == "▄"  # two events against one
    assert axis[0] == axis[40] == "┬" and len(axis) == 41
    assert labels.startswith("2020") and labels.endswith("2030")
    assert labels.index("2024") == 16 and axis[16] == "┬"  # a tick at 4/10 of the axis


def test_the_time_axis_counts_months_over_a_short_span() -> None:
    marks, axis, labels = time_axis(["2025-01", "2025-07-01", "2025-12"], 60)[1:]
    assert labels.split() == ["2025-01", "2025-03", "2025-05", "2025-07", "2025-09", "2025-12"]
    assert len(axis) == 60 and marks.count("█") == 3


def test_no_time_axis_for_one_date_or_a_narrow_terminal() -> None:
    assert time_axis(["2025", "2025"], 80) == []
    assert time_axis(["2025", "2025-01"], 80) == []  # one point of time
    assert time_axis(["2024", "2025"], 20) == []


def test_large_values_read_in_thousands_to_trillions_and_shares_as_they_are() -> None:
    assert scale_for([1.95e11, 4e12], "USD") == Scale(1e12, "trillions")
    assert scale_for([1.95e11, 4e10], "USD").axis("USD") == "USD, billions"
    assert scale_for([800_000.0], "count") == Scale(1e3, "thousands")
    assert scale_for([20.0, 5.0], "GW") == Scale()
    assert scale_for([1500.0], "%") == Scale()
