"""Stratified train/validation split, reproducible from a seed."""

from __future__ import annotations

import random
from collections import defaultdict

from models.dataset import Example, LabelledData


def stratified_split(data: LabelledData, val_fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """Every label keeps at least one example on each side (callers check there are two)."""
    by_label: dict[str, list[Example]] = defaultdict(list)
    for example in data.examples:
        by_label[example.label].append(example)
    rng = random.Random(seed)
    train: list[Example] = []
    val: list[Example] = []
    for label in sorted(by_label):
        group = list(by_label[label])
        rng.shuffle(group)
        n_val = min(max(1, round(len(group) * val_fraction)), len(group) - 1)
        val.extend(group[:n_val])
        train.extend(group[n_val:])
    return train, val
