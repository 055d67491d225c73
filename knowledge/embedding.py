"""Sentence embeddings from the packaged pretrained encoder (mean pooling, L2-normalised).

The knowledge base uses the base encoder, not the fine-tuned classifier: article retrieval must not
depend on which intents a team happens to have trained.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import torch
from tqdm import tqdm
from transformers import AutoModel, AutoTokenizer

from models.encoder import resolve_base_model
from models.network import mean_pool
from models.text import clean_text


class SentenceEncoder:
    def __init__(self, base_model: str, max_length: int = 256) -> None:
        path = resolve_base_model(base_model)
        self.name = base_model
        self.max_length = max_length
        self._tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self._model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
        self.dimension = int(self._model.config.hidden_size)
        self._lock = threading.Lock()

    @torch.inference_mode()
    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        with self._lock, tqdm(total=len(texts), desc="embedding", unit="chunk", disable=not progress) as bar:
            for start in range(0, len(order), batch_size):
                ids = order[start : start + batch_size]
                batch = self._tokenizer(
                    [clean_text(texts[i], max_chars=4000) for i in ids],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self._model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
                pooled = torch.nn.functional.normalize(mean_pool(hidden, batch["attention_mask"]), dim=-1)
                out[ids] = pooled.numpy()
                bar.update(len(ids))
        return out
