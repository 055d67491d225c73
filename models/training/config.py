"""Training settings, with the defaults the bundled model and the benchmarks use."""

from __future__ import annotations

from dataclasses import dataclass

from models.encoder import DEFAULT_BASE_MODEL


@dataclass(frozen=True)
class TrainConfig:
    base_model: str = DEFAULT_BASE_MODEL
    epochs: int | None = None  # None: enough epochs for `min_steps` optimiser steps, within [min_epochs, max_epochs]
    min_steps: int = 500
    min_epochs: int = 4
    max_epochs: int = 30
    max_steps: int | None = None  # hard cap, for smoke tests
    batch_size: int = 32
    learning_rate: float = 1e-4  # encoder
    head_learning_rate: float = 2e-3  # the freshly initialised head learns faster
    weight_decay: float = 0.01
    warmup_fraction: float = 0.1
    dropout: float = 0.1
    max_length: int = 96  # tokens; training and serving use the same cap
    val_fraction: float = 0.15  # held out for calibration and thresholds when no validation file is given
    seed: int = 13
    threads: int | None = None  # torch intra-op threads; None leaves torch's default
    ood_criterion: str = "in_scope_first"  # see models.ood.CRITERIA; the answer gate stops most missed out-of-scope questions
    signal_weight: float = 1.0  # the signals loss against the intent loss, when training with signals
    signal_batch_size: int = 16  # signal turns per step, beside each intent batch (longer texts: the main cost)

    def epochs_for(self, steps_per_epoch: int) -> int:
        if self.epochs is not None:
            return self.epochs
        wanted = -(-self.min_steps // max(steps_per_epoch, 1))
        return max(self.min_epochs, min(self.max_epochs, wanted))
