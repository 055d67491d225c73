"""Charts people would rather look at than read: confusion matrices and training curves (PNG)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.labels import OUT_OF_SCOPE
from models.metrics import confusion_matrix


def pyplot():  # matplotlib.pyplot is untyped
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_png(fig: Any, path: Path, dpi: int = 110) -> Path:  # a matplotlib Figure (untyped)
    """Lay out, write and close a figure (closing frees it: pyplot keeps every open figure alive)."""
    plt = pyplot()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def confusion_matrix_png(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str], path: Path) -> Path:
    """Row-normalised confusion matrix; the out-of-scope class, if present, is the last row/column."""
    plt = pyplot()
    order = sorted(set(labels) - {OUT_OF_SCOPE})
    if OUT_OF_SCOPE in gold or OUT_OF_SCOPE in predicted:
        order.append(OUT_OF_SCOPE)
    matrix = confusion_matrix(list(gold), list(predicted), order).astype(float)
    rows = matrix.sum(axis=1, keepdims=True)
    normalised = np.divide(matrix, rows, out=np.zeros_like(matrix), where=rows > 0)
    size = max(6.0, min(40.0, 0.28 * len(order) + 3))
    fig, ax = plt.subplots(figsize=(size, size))
    image = ax.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    fontsize = 8 if len(order) <= 40 else 4
    ax.set_xticks(range(len(order)), order, rotation=90, fontsize=fontsize)
    ax.set_yticks(range(len(order)), order, fontsize=fontsize)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    if len(order) <= 40:
        for i, j in zip(*np.nonzero(matrix), strict=True):
            colour = "white" if normalised[i, j] > 0.5 else "black"
            ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", fontsize=6, color=colour)
    ax.set_title("Confusion matrix (row-normalised; numbers are counts)")
    fig.colorbar(image, fraction=0.03)
    return save_png(fig, path)


def training_curve_png(
    steps: Sequence[int], losses: Sequence[float], epoch_steps: Sequence[int], val_accuracy: Sequence[float], path: Path
) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(steps, losses, color="tab:blue", linewidth=1, label="training loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss", color="tab:blue")
    twin = ax.twinx()
    twin.plot(epoch_steps, val_accuracy, color="tab:orange", marker="o", label="validation accuracy")
    twin.set_ylabel("validation accuracy", color="tab:orange")
    twin.set_ylim(0, 1.0)
    ax.set_title("Fine-tuning")
    return save_png(fig, path)
