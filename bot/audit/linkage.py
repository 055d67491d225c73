"""Average-linkage agglomerative clustering of unit vectors, cut at a cosine similarity: deterministic,
no number of clusters to guess, and clusters of any size (a topic of 6 tickets next to one of 200).

The nearest-neighbour-chain algorithm merges reciprocal nearest neighbours, which for average linkage
yields the same tree as the textbook algorithm in O(n²) time instead of O(n³); the cut then keeps every
merge at or above the threshold. Above `MAX_POINTS` vectors, an evenly spaced sample is clustered and
every other vector joins the cluster it is most similar to on average (if that clears the threshold),
so memory stays bounded (`MAX_POINTS`² floats) on a history of any size.
"""

from __future__ import annotations

import numpy as np

MAX_POINTS = 4000


def clusters_at(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Groups of row indexes whose average pairwise cosine similarity is at least `threshold` (rows are
    L2-normalised). Largest first; ties by first member, so the output never depends on anything else."""
    n = len(vectors)
    if n == 0:
        return []
    if n > MAX_POINTS:
        return _sampled(vectors, threshold)
    merges = _average_linkage(vectors @ vectors.T)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, similarity in merges:
        if similarity >= threshold:
            parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _average_linkage(similarity: np.ndarray) -> list[tuple[int, int, float]]:
    """Every merge (a member of each side, their average similarity) of the full average-linkage tree."""
    n = len(similarity)
    s = similarity.astype(np.float64, copy=True)
    np.fill_diagonal(s, -np.inf)
    size = np.ones(n)
    active = np.ones(n, dtype=bool)
    merges: list[tuple[int, int, float]] = []
    chain: list[int] = []
    while len(merges) < n - 1:
        if not chain:
            chain.append(int(np.argmax(active)))
        a = chain[-1]
        b = int(np.argmax(s[a]))  # inactive rows and columns hold -inf
        if len(chain) > 1 and s[a, chain[-2]] >= s[a, b]:
            b = chain[-2]  # a tie with the previous link closes the chain (guarantees termination)
        if len(chain) > 1 and b == chain[-2]:
            chain.pop()
            chain.pop()
            merges.append((a, b, float(s[a, b])))
            keep, drop = min(a, b), max(a, b)
            merged = (size[a] * s[a] + size[b] * s[b]) / (size[a] + size[b])
            s[keep, :] = merged
            s[:, keep] = merged
            s[drop, :] = -np.inf
            s[:, drop] = -np.inf
            s[keep, keep] = -np.inf
            size[keep] += size[drop]
            active[drop] = False
        else:
            chain.append(b)
    return merges


def _sampled(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    sample = np.linspace(0, len(vectors) - 1, MAX_POINTS).round().astype(int)
    seeds = [[int(sample[i]) for i in group] for group in clusters_at(vectors[sample], threshold)]
    means = np.stack([vectors[g].mean(axis=0) for g in seeds])  # x · mean = x's average similarity to the members
    chosen = set(sample.tolist())
    rest = [i for i in range(len(vectors)) if i not in chosen]
    groups = [list(g) for g in seeds]
    singles: list[list[int]] = []
    for start in range(0, len(rest), 4096):
        block = rest[start : start + 4096]
        scores = vectors[block] @ means.T
        for row, i in enumerate(block):
            j = int(scores[row].argmax())
            if scores[row, j] >= threshold:
                groups[j].append(i)
            else:
                singles.append([i])
    return sorted((sorted(g) for g in groups + singles), key=lambda g: (-len(g), g[0]))
