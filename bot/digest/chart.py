"""The police digest's chart: the ward's week against the previous weeks, one line per figure (matplotlib, Agg)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server; must be chosen before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402


def line_chart(title: str, week_labels: list[str], series: dict[str, list[float]]) -> bytes:
    """A PNG small enough for a phone: weeks on the x axis (oldest first), one line per named series."""
    figure, axes = plt.subplots(figsize=(6.4, 3.8), dpi=110)
    try:
        if not series:
            axes.text(0.5, 0.5, "—", ha="center", va="center", fontsize=24, transform=axes.transAxes)
        for name, values in series.items():
            axes.plot(week_labels, values, marker="o", linewidth=2, label=name)
            axes.annotate(
                f"{values[-1]:g}",
                (len(values) - 1, values[-1]),
                textcoords="offset points",
                xytext=(6, 0),
                fontsize=8,
            )
        axes.set_title(title, fontsize=11)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", alpha=0.3)
        axes.tick_params(axis="x", labelsize=8, rotation=30)
        if series:
            axes.legend(fontsize=8, loc="upper left", frameon=False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)  # pyplot keeps every figure alive otherwise
