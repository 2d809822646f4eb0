import os
from pathlib import Path

import numpy as np

from reindustry_kb.rows import read_runs


def test_runs_read_together_or_apart_give_the_same_rows(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    table = rng.standard_normal((500, 8)).astype(np.float16)
    path = tmp_path / "rows.bin"
    path.write_bytes(b"h" * 64 + table.tobytes())
    fd = os.open(path, os.O_RDONLY)
    try:
        for _ in range(100):
            starts = np.sort(rng.choice(500, int(rng.integers(1, 40)), replace=False))
            ends = np.minimum(starts + rng.integers(0, 4, len(starts)), [*starts[1:], 500])
            expected = np.concatenate([table[a:b] for a, b in zip(starts, ends, strict=True)])
            for gap in (0, 16, 1000):  # every run apart, nearby ones together, all in one read
                got = read_runs(fd, 64, 16, np.float16, starts, ends, gap)
                assert np.array_equal(got.reshape(-1, 8), expected)
        backwards = read_runs(fd, 64, 16, np.float16, [7, 2], [9, 3])  # out of order
        assert np.array_equal(backwards.reshape(-1, 8), table[[7, 8, 2]])
    finally:
        os.close(fd)
