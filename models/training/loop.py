"""The fine-tuning loop: AdamW, linear warm-up and decay, whole model trained, progress with ETA.

With conversation signals, every step also takes a batch of signal turns: the encoder learns both
tasks at once (its pooled vector must serve the intent head and the signals head).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import torch
from tqdm import tqdm
from transformers import PreTrainedTokenizerBase

from models.forward import tokenize
from models.network import IntentNetwork
from models.training.batches import length_bucketed_batches
from models.training.config import TrainConfig


@dataclass
class SignalTraining:
    """Signal turns ready for the loop: texts, context features and multi-hot labels."""

    texts: list[str]
    context: torch.Tensor  # (turns, features)
    labels: torch.Tensor  # (turns, signals), 0/1 floats
    pos_weight: torch.Tensor  # (signals,): rare signals weigh more
    previous: slice  # the context columns holding the previous turn's signals (gold here, probabilities at serving)
    weight: float = 1.0  # the signal loss's share against the intent loss

    def batches(self, batch_size: int, rng: random.Random) -> Iterator[list[int]]:
        lengths = [len(t) for t in self.texts]
        while True:
            yield from length_bucketed_batches(lengths, batch_size, rng)

    def context_for(self, batch: list[int], generator: torch.Generator) -> torch.Tensor:
        """The batch's context, with the previous turn's gold labels blurred into probability-like values:
        at serving they are the model's own (imperfect) probabilities, never clean zeros and ones."""
        context = self.context[batch].clone()
        gold = context[:, self.previous]
        high = 0.55 + 0.45 * torch.rand(gold.shape, generator=generator)
        low = 0.3 * torch.rand(gold.shape, generator=generator) ** 2
        context[:, self.previous] = gold * high + (1 - gold) * low
        return context


@dataclass
class History:
    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    epoch_steps: list[int] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    epochs: int = 0
    total_steps: int = 0


def _optimizer(network: IntentNetwork, config: TrainConfig) -> torch.optim.Optimizer:
    decay: list[torch.nn.Parameter] = []
    no_decay: list[torch.nn.Parameter] = []
    for _name, param in network.encoder.named_parameters():
        (no_decay if param.ndim < 2 else decay).append(param)
    heads = list(network.head.parameters())
    if network.signal_head is not None:
        heads += list(network.signal_head.parameters())
    groups = [
        {"params": decay, "lr": config.learning_rate, "weight_decay": config.weight_decay},
        {"params": no_decay, "lr": config.learning_rate, "weight_decay": 0.0},
        {"params": heads, "lr": config.head_learning_rate, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups)


def _signal_loss(
    network: IntentNetwork,
    tokenizer: PreTrainedTokenizerBase,
    signals: SignalTraining,
    batch: list[int],
    config: TrainConfig,
    generator: torch.Generator,
) -> torch.Tensor:
    output = network(**tokenize(tokenizer, [signals.texts[i] for i in batch], config.max_length))
    assert output.signal_features is not None
    logits = network.signal_logits(output.signal_features, signals.context_for(batch, generator))
    return torch.nn.functional.binary_cross_entropy_with_logits(logits, signals.labels[batch], pos_weight=signals.pos_weight)


def fit(
    network: IntentNetwork,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    label_ids: Sequence[int],
    config: TrainConfig,
    validate: Callable[[], float] | None = None,
    progress: bool = True,
    signals: SignalTraining | None = None,
) -> History:
    """Train in place; `validate` (called after each epoch) returns validation accuracy for the curve."""
    rng = random.Random(config.seed)
    signal_batches = signals.batches(config.signal_batch_size, random.Random(config.seed + 1)) if signals else None
    generator = torch.Generator().manual_seed(config.seed)
    lengths = [len(t) for t in texts]
    steps_per_epoch = -(-len(texts) // config.batch_size)
    epochs = config.epochs_for(steps_per_epoch)
    total = epochs * steps_per_epoch
    if config.max_steps is not None:
        total = min(total, config.max_steps)
    warmup = max(1, int(total * config.warmup_fraction))
    optimizer = _optimizer(network, config)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(total - warmup, 1)))
    )
    labels = torch.tensor(list(label_ids))
    history = History(epochs=epochs, total_steps=total)
    step = 0
    network.train()
    bar = tqdm(total=total, desc="fine-tuning", unit="step", disable=not progress, dynamic_ncols=True)
    smoothed: float | None = None
    for epoch in range(epochs):
        for batch in length_bucketed_batches(lengths, config.batch_size, rng):
            if step >= total:
                break
            inputs = tokenize(tokenizer, [texts[i] for i in batch], config.max_length)
            output = network(**inputs)
            loss = torch.nn.functional.cross_entropy(output.logits, labels[batch])
            if signals is not None and signal_batches is not None:
                loss = loss + signals.weight * _signal_loss(network, tokenizer, signals, next(signal_batches), config, generator)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            value = loss.item()
            smoothed = value if smoothed is None else 0.9 * smoothed + 0.1 * value
            if step % 10 == 0 or step == total:
                history.steps.append(step)
                history.losses.append(smoothed)
            bar.set_postfix(epoch=f"{epoch + 1}/{epochs}", loss=f"{smoothed:.3f}")
            bar.update(1)
        if validate is not None:
            history.epoch_steps.append(step)
            history.val_accuracy.append(validate())
            bar.set_postfix(epoch=f"{epoch + 1}/{epochs}", loss=f"{smoothed:.3f}", val_acc=f"{history.val_accuracy[-1]:.3f}")
            network.train()
        if step >= total:
            break
    bar.close()
    network.eval()
    return history
