"""Batched forward passes shared by training (validation, k-NN bank) and serving."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import PreTrainedTokenizerBase

from models.context import TurnContext, features
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


def encode(
    network: IntentNetwork,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    max_length: int,
    batch_size: int = 64,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Raw logits and normalised embeddings for `texts`, batched by similar length to limit padding."""
    logits, embeddings, _ = encode_all(network, tokenizer, texts, max_length, batch_size)
    return logits, embeddings


@torch.inference_mode()
def encode_all(
    network: IntentNetwork,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    max_length: int,
    batch_size: int = 64,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """`encode`, plus what the signals head reads (None when the network has none): one encoder pass."""
    was_training = network.training
    network.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    logits_out: list[torch.Tensor] = []
    embeddings_out: list[torch.Tensor] = []
    features_out: list[torch.Tensor] = []
    for start in range(0, len(order), batch_size):
        chunk = [texts[i] for i in order[start : start + batch_size]]
        output = network(**tokenize(tokenizer, chunk, max_length))
        logits_out.append(output.logits.float())
        embeddings_out.append(output.embeddings.float())
        if output.signal_features is not None:
            features_out.append(output.signal_features.float())
    network.train(was_training)
    hidden = int(network.encoder.config.hidden_size)
    if not texts:
        empty = torch.empty(0, 2 * hidden) if network.signal_head is not None else None
        return torch.empty(0, network.head.out_features), torch.empty(0, hidden), empty
    inverse = torch.empty(len(order), dtype=torch.long)
    inverse[torch.tensor(order)] = torch.arange(len(order))
    features = torch.cat(features_out)[inverse] if features_out else None
    return torch.cat(logits_out)[inverse], torch.cat(embeddings_out)[inverse], features


def context_tensor(texts: Sequence[str], contexts: Sequence[TurnContext], signal_names: Sequence[str]) -> torch.Tensor:
    return torch.tensor([features(t, c, signal_names) for t, c in zip(texts, contexts, strict=True)], dtype=torch.float32)


@torch.inference_mode()
def signal_logits(
    network: IntentNetwork,
    features: torch.Tensor,
    texts: Sequence[str],
    contexts: Sequence[TurnContext],
    signal_names: Sequence[str],
) -> torch.Tensor:
    """Raw signal logits from the features `encode_all` already computed: the head costs no encoder pass."""
    was_training = network.training
    network.eval()
    logits = network.signal_logits(features, context_tensor(texts, contexts, signal_names)).float()
    network.train(was_training)
    return logits
