"""The network: a pretrained transformer encoder, mean pooling, a linear intent head and, when the
model was trained with conversation signals, a small signals head on the same pooled vector.

Mean pooling matches how sentence-transformers models were pretrained, so the pooled vector is a
good sentence embedding from the first step; the same (normalised) vector feeds the nearest-
neighbour out-of-scope score and the signals head, so signals cost no second transformer pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from transformers import AutoModel, PreTrainedModel


@dataclass
class NetworkOutput:
    logits: torch.Tensor  # (batch, n_classes), uncalibrated
    embeddings: torch.Tensor  # (batch, hidden), L2-normalised pooled encoder output
    signal_features: torch.Tensor | None = None  # (batch, 2 * hidden) what the signals head reads; None without one


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


class SignalHead(nn.Module):
    """Multi-label logits for conversation signals from the encoder's tokens plus context features.

    It reads the mean-pooled sentence vector the intent head reads and a learned attention pooling of
    the same token states: a mean dilutes one sarcastic sentence inside a long calm message, attention
    can weigh it. Then a hidden layer rather than a linear map: "ok." means resignation after a failed
    answer and nothing out of the blue, an interaction a linear head cannot express.
    """

    def __init__(self, hidden: int, n_context: int, n_signals: int, width: int = 256, dropout: float = 0.1) -> None:
        super().__init__()
        self.attend = nn.Linear(hidden, 1)
        self.norm = nn.LayerNorm(2 * hidden)
        self.layers = nn.Sequential(
            nn.Linear(2 * hidden + n_context, width), nn.GELU(), nn.Dropout(dropout), nn.Linear(width, n_signals)
        )

    def features(self, hidden: torch.Tensor, attention_mask: torch.Tensor, embeddings: torch.Tensor) -> torch.Tensor:
        scores = self.attend(hidden).squeeze(-1).masked_fill(attention_mask == 0, torch.finfo(hidden.dtype).min)
        attended = (torch.softmax(scores, dim=-1).unsqueeze(-1) * hidden).sum(1)
        return torch.cat([embeddings, attended], dim=-1)

    def forward(self, features: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        return self.layers(torch.cat([self.norm(features), context.to(features.dtype)], dim=-1))


class IntentNetwork(nn.Module):
    def __init__(
        self, encoder: PreTrainedModel, n_classes: int, dropout: float = 0.1, signals: tuple[int, int] | None = None
    ) -> None:
        """`signals`: (context features, signal count) to add a signals head; None for intents only."""
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, n_classes)
        self.signal_head = SignalHead(hidden, *signals, dropout=dropout) if signals else None

    @classmethod
    def from_encoder_dir(
        cls, path: str, n_classes: int, dropout: float = 0.1, signals: tuple[int, int] | None = None
    ) -> IntentNetwork:
        encoder = AutoModel.from_pretrained(path, local_files_only=True)
        return cls(encoder, n_classes, dropout, signals)

    def intents_only(self) -> IntentNetwork:
        """The same encoder and intent head without the signals head (shared weights, for cost comparisons)."""
        twin = IntentNetwork(self.encoder, self.head.out_features)
        twin.head, twin.dropout = self.head, self.dropout
        return twin.train(self.training)

    def signal_logits(self, features: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        if self.signal_head is None:
            raise ValueError("this model was trained without conversation signals")
        return self.signal_head(features, context)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **extra: torch.Tensor) -> NetworkOutput:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        pooled = mean_pool(hidden, attention_mask)
        logits = self.head(self.dropout(pooled))
        embeddings = nn.functional.normalize(pooled, dim=-1)
        signal_features = self.signal_head.features(hidden, attention_mask, embeddings) if self.signal_head else None
        return NetworkOutput(logits=logits, embeddings=embeddings, signal_features=signal_features)
