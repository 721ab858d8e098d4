"""Pereyra et al.'s "bootstrapping": retrain on the test images with labels the network guessed.

    1. train on (Y, C) and score the unlabelled images Y_u: S = W Z(Y_u) (k x n_u);
    2. guess a label per image by the margin rule: if the best score beats the second best by
       more than `margin` (0.2 in the paper), take the best class; otherwise the image is
       ambiguous and gets a random label among the classes scoring within `margin` of the best
       (our reading of "a random label when ambiguous");
    3. retrain on (Y, C) together with (Y_u, guessed labels), from new initial units (seed + 1).

The true labels of Y_u are never an input here. Still, the retrained network has been fitted
to the very images it is then scored on, so its accuracy on them is a transductive score,
not a test accuracy: the lecture scores it against the true labels and says so.
"""
from __future__ import annotations

import numpy as np

from ..data.labels import one_hot
from ..validation import as_matrix
from .subnetworks import train_subnetworks

__all__ = ["guess_labels", "bootstrap_subnetworks"]


def guess_labels(S, margin: float = 0.2, seed: int = 0):
    """(C_guess, ambiguous): one-hot guessed labels (k, n) from scores S (k, n) by the margin rule.

    ambiguous[j] is True where the best score of column j beats the second best by at most
    `margin`; those columns get a random class among those scoring >= max - margin (seeded).
    """
    S = as_matrix(S, "S (scores, one column per image)")
    if S.shape[0] < 2:
        raise ValueError(f"S must have at least 2 rows (classes), got shape {S.shape}")
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, got {margin}")
    top2 = -np.sort(-S, axis=0)[:2]
    ambiguous = top2[0] - top2[1] <= margin
    labels = S.argmax(axis=0)
    rng = np.random.default_rng(seed)
    for j in np.flatnonzero(ambiguous):
        labels[j] = rng.choice(np.flatnonzero(S[:, j] >= top2[0, j] - margin))
    return one_hot(labels, S.shape[0]), ambiguous


def bootstrap_subnetworks(element, Y, C, Y_unlabelled, n_groups: int, *, margin: float = 0.2,
                          seed: int = 0, first=None, **options):
    """Train sub-networks on (Y, C), guess labels of Y_unlabelled, retrain on both.

    first: an already trained train_subnetworks result on (Y, C) (skips step 1); otherwise it
    is trained with `seed`. The guesses use `seed` for ambiguous images; the retraining starts
    from seed + 1 (new initial units and groups).
    **options go to train_subnetworks (by default each group of the retraining gets
    (n + n_u) // n_groups examples).
    Returns the retrained result with `first` (step 1), `guessed` (C_guess) and `ambiguous`.
    """
    Y_u = as_matrix(Y_unlabelled, f"Y_unlabelled (inputs of {element!r})", shape=(element.n_in, None))
    if first is None:
        first = train_subnetworks(element, Y, C, n_groups, seed=seed, **options)
    S = first.W @ first.network.forward(first.p, Y_u)
    C_guess, ambiguous = guess_labels(S, margin, seed)
    retrained = train_subnetworks(element, np.hstack([Y, Y_u]), np.hstack([C, C_guess]), n_groups,
                                  seed=seed + 1, **options)
    retrained.first, retrained.guessed, retrained.ambiguous = first, C_guess, ambiguous
    retrained.message = (f"bootstrapped: {ambiguous.sum()} of {ambiguous.size} unlabelled images were "
                         f"ambiguous (margin {margin}); " + retrained.message)
    return retrained
