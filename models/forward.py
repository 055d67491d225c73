"""Batched forward passes shared by training (validation, k-NN bank) and serving."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import PreTrainedTokenizerBase

from models.network import IntentNetwork
from models.text import clean_text


def tokenize(tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], max_length: int) -> dict[str, torch.Tensor]:
    batch = tokenizer(
        [clean_text(t) for t in texts],
        padding=True,
        truncation=True,
        max_length=max_length,
        return_tensors="pt",
    )
    return {key: value for key, value in batch.items() if key in ("input_ids", "attention_mask", "token_type_ids")}


@torch.inference_mode()
def encode(
    network: IntentNetwork,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    max_length: int,
    batch_size: int = 64,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Raw logits and normalised embeddings for `texts`, batched by similar length to limit padding."""
    was_training = network.training
    network.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    logits_out: list[torch.Tensor] = []
    embeddings_out: list[torch.Tensor] = []
    for start in range(0, len(order), batch_size):
        chunk = [texts[i] for i in order[start : start + batch_size]]
        output = network(**tokenize(tokenizer, chunk, max_length))
        logits_out.append(output.logits.float())
        embeddings_out.append(output.embeddings.float())
    network.train(was_training)
    if not texts:
        hidden = int(network.encoder.config.hidden_size)
        return torch.empty(0, network.head.out_features), torch.empty(0, hidden)
    inverse = torch.empty(len(order), dtype=torch.long)
    inverse[torch.tensor(order)] = torch.arange(len(order))
    return torch.cat(logits_out)[inverse], torch.cat(embeddings_out)[inverse]
