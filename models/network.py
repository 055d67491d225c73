"""The network: a pretrained transformer encoder, mean pooling, and a linear intent head.

Mean pooling matches how sentence-transformers models were pretrained, so the pooled vector is a
good sentence embedding from the first step; the same (normalised) vector feeds the nearest-
neighbour out-of-scope score.
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


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


class IntentNetwork(nn.Module):
    def __init__(self, encoder: PreTrainedModel, n_classes: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = int(encoder.config.hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, n_classes)

    @classmethod
    def from_encoder_dir(cls, path: str, n_classes: int, dropout: float = 0.1) -> IntentNetwork:
        encoder = AutoModel.from_pretrained(path, local_files_only=True)
        return cls(encoder, n_classes, dropout)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **extra: torch.Tensor) -> NetworkOutput:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        pooled = mean_pool(hidden, attention_mask)
        logits = self.head(self.dropout(pooled))
        return NetworkOutput(logits=logits, embeddings=nn.functional.normalize(pooled, dim=-1))
