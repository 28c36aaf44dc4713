"""`make bench` rewrites only its own section of docs/benchmarks.md, with the ratio and whether
each target is met."""

from benchmarks import bench


def test_the_report_says_ratio_and_target_and_replaces_only_its_section(tmp_path, monkeypatch):
    ours = bench.Timing(samples=[float(n) for n in range(1, 101)], seconds=2.0)
    stock = bench.Timing(samples=[float(n) * 3 for n in range(1, 101)], seconds=6.0)
    rows = [
        bench.Row("Offer search", "p95 ≤ 50 ms", ours, stock, met=False),
        bench.Row("Page weight", "≤ 150 KB", value="95.0 KB", met=True, note="assets: a.css"),
    ]
    facts = {"date": "2026-11-24", "minutes": 6.5, "machine": "2 cores", "data": "100 offers"}

    section = bench.report(rows, facts)

    assert "| Offer search | p95 ≤ 50 ms | 50.5 ms / 96.0 ms / 100.0 ms, 50.0/s |" in section
    assert "| 3.0× | **no** |" in section
    assert "| Page weight | ≤ 150 KB | 95.0 KB | – | – | **yes** |" in section
    assert "- **Page weight**: assets: a.css" in section

    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        f"# Benchmarks\n\nIntro.\n\n{bench.START}\nold figures\n{bench.END}\n\n## Older\n\nKept.\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(bench, "DOC", doc)
    bench.write(section)
    text = doc.read_text(encoding="utf-8")
    assert "old figures" not in text
    assert text.startswith("# Benchmarks\n\nIntro.\n\n<!-- bench:start -->")
    assert text.endswith("<!-- bench:end -->\n\n## Older\n\nKept.\n")
