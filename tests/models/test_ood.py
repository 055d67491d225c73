import numpy as np
import torch

from models import ood


def _inputs(n_in: int = 40, n_oos: int = 20, seed: int = 0) -> tuple[ood.ScoreInputs, np.ndarray, np.ndarray]:
    """In-scope texts sit next to training examples; out-of-scope ones far away but with confident logits."""
    g = torch.Generator().manual_seed(seed)
    bank = torch.nn.functional.normalize(torch.randn(30, 16, generator=g), dim=-1)
    near = torch.nn.functional.normalize(bank[torch.arange(n_in) % 30] + 0.05 * torch.randn(n_in, 16, generator=g), dim=-1)
    far = torch.nn.functional.normalize(torch.randn(n_oos, 16, generator=g), dim=-1)
    logits = torch.zeros(n_in + n_oos, 3)
    logits[:, 0] = 8.0  # max-softmax cannot tell them apart
    x = ood.ScoreInputs(logits, torch.cat([near, far]), torch.tensor([True, True, True]), bank)
    gold_is_oos = np.array([False] * n_in + [True] * n_oos)
    correct = ~gold_is_oos
    return x, gold_is_oos, correct


def test_choose_prefers_the_neighbour_score_when_softmax_is_blind() -> None:
    x, gold_is_oos, correct = _inputs()
    chosen, candidates = ood.choose(x, gold_is_oos, correct)
    assert chosen.scorer in {"knn", "knn+softmax"}
    by_name = {(c.scorer, c.k): c for c in candidates}
    assert by_name[("max_softmax", 1)].auroc == 0.5
    flagged = ood.is_out_of_scope(x, chosen)
    assert flagged[gold_is_oos].all() and not flagged[~gold_is_oos].any()


def test_without_out_of_scope_validation_rows_the_threshold_rejects_five_percent() -> None:
    x, gold_is_oos, correct = _inputs(n_in=100, n_oos=0)
    chosen, candidates = ood.choose(x, gold_is_oos, correct)
    assert candidates == []
    assert ood.is_out_of_scope(x, chosen).mean() == np.float64(0.05)


def test_explicit_out_of_scope_class_vetoes_whatever_the_score() -> None:
    logits = torch.tensor([[5.0, 0.0, 0.0], [0.0, 0.0, 9.0]])
    emb = torch.nn.functional.normalize(torch.ones(2, 4), dim=-1)
    x = ood.ScoreInputs(logits, emb, torch.tensor([True, True, False]), emb)
    cfg = ood.OodConfig("knn", threshold=-1.0, k=1)
    assert ood.is_out_of_scope(x, cfg).tolist() == [False, True]


def test_threshold_sweep_counts() -> None:
    _thresholds, accuracy, recall = ood.threshold_sweep(
        np.array([0.9, 0.8, 0.2]), np.array([True, False, True]), np.array([0.1, 0.5])
    )
    best = int(np.argmax(accuracy + recall))
    # accepting only the 0.9 message catches both out-of-scope ones: 1/3 + 1 beats 2/3 + 1/2
    assert accuracy[best] == 1 / 3 and recall[best] == 1.0
