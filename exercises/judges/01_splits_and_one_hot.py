"""Judge of exercise 01 (one-hot labels and a stratified split): runs in the judge's clean process.

Part 1 sends hidden label vectors (2 to 9 classes, 1 to 40 examples, never n = K, some classes
unused, so that K must come from the question and not from max(labels) + 1) and compares the
student's one-hot columns C (K, n) with meganet.data.one_hot exactly, and the inverse (labels from
C) with the labels; it then sends labels out of range (K, K + 3, -1) and matrices that are not one-hot
(a zero column, a column with two ones, an entry 0.5), and accepts only a ValueError (the notebook's
locked helper `raises_value_error` reports which exception the student's function raised).

Part 2 sends hidden one-hot label matrices (2 to 6 classes with unequal, random proportions,
30 to 600 examples, always some n with f n not an integer), fractions and a seed, and judges the
three index vectors by their properties, never by meganet's exact indices: integers in 0..n-1,
disjoint, covering every column; each size within one of f_p n and within one of the size that
meganet.data.split_data gives (its sizes do not depend on stratify, which
needs two examples per class); and for each part p and class k, the count n_pk within one of
n_p n_k / n (the part's share of the class). The same seed must give the same split again, and
another seed another split (on 200 or more examples two seeded random splits do not coincide).
"""
import numpy as np

from meganet.data import one_hot, split_data
from meganet.grading.judge import Question

FRACTIONS = [(0.6, 0.2, 0.2), (0.7, 0.15, 0.15), (0.5, 0.25, 0.25), (0.8, 0.1, 0.1), (0.34, 0.33, 0.33)]


def _answer(answer, name, shape=None):
    value = np.asarray(answer[name], dtype=float)
    if shape is not None and value.shape != shape:
        raise ValueError(f"{name} has shape {value.shape}, expected {shape}")
    return value


# --- part 1: one-hot columns and their inverse ------------------------------------------------------
def _labels(rng, n_classes, n_examples):
    used = rng.choice(n_classes, size=max(1, n_classes - int(rng.integers(0, 3))), replace=False)
    return rng.choice(used, size=n_examples)  # some classes unused: K comes from the question


def _encode_question(rng, n_classes, n_examples):
    labels = _labels(rng, n_classes, n_examples)
    expected = one_hot(labels, n_classes)

    def judge(answer):
        C = _answer(answer, "C")
        if C.shape == (n_examples, n_classes) and n_examples != n_classes:
            return False, f"C has shape {C.shape}: one-hot labels are COLUMNS, C must be (K, n) = {expected.shape}"
        if C.shape != expected.shape:
            return False, f"C has shape {C.shape}, expected (K, n) = {expected.shape}"
        wrong = np.flatnonzero(np.any(C != expected, axis=0))
        return (wrong.size == 0, f"column {wrong[0] if wrong.size else 0} of C is wrong: label "
                                 f"{labels[wrong[0]] if wrong.size else 0} needs a 1 in row "
                                 f"{labels[wrong[0]] if wrong.size else 0} (rows count from 0) and zeros elsewhere")

    return Question({"kind": "encode", "n_classes": int(n_classes)}, {"labels": labels}, judge)


def _decode_question(rng, n_classes, n_examples):
    labels = _labels(rng, n_classes, n_examples)

    def judge(answer):
        found = _answer(answer, "labels")
        if found.size != n_examples:
            return False, f"{found.size} labels for {n_examples} columns"
        found = found.reshape(-1)
        wrong = np.flatnonzero(found != labels)
        return (wrong.size == 0, f"the label of column {wrong[0] if wrong.size else 0} is "
                                 f"{found[wrong[0]] if wrong.size else 0:g}, expected "
                                 f"{labels[wrong[0]] if wrong.size else 0} (labels count from 0)")

    return Question({"kind": "decode"}, {"C": one_hot(labels, n_classes)}, judge)


def _raises(what):
    def judge(answer):
        raised = _answer(answer, "raised").reshape(-1)
        return (raised.size == 1 and raised[0] == 1.0,
                f"{what} must raise a ValueError" + (" (it raised another exception)" if raised[0] == 2.0 else
                                                      " (it returned)"))
    return judge


def _bad_labels_question(rng, n_classes, bad):
    labels = _labels(rng, n_classes, int(rng.integers(3, 12)))
    labels[rng.integers(labels.size)] = bad
    return Question({"kind": "encode_bad", "n_classes": int(n_classes)}, {"labels": labels},
                    _raises(f"one-hot encoding of a label {bad} with K = {n_classes} classes"))


def _bad_matrix_question(rng, n_classes, defect):
    labels = _labels(rng, n_classes, int(rng.integers(3, 12)))
    C = one_hot(labels, n_classes)
    j = int(rng.integers(labels.size))
    if defect == "zero column":
        C[:, j] = 0.0
    elif defect == "two ones":
        C[(labels[j] + 1) % n_classes, j] = 1.0
    else:  # "one half"
        C[labels[j], j] = 0.5
    return Question({"kind": "decode_bad"}, {"C": C}, _raises(f"labels of a matrix with a {defect} (not one-hot)"))


# --- part 2: the stratified split -------------------------------------------------------------------
def _split_problem(rng, n_examples, n_classes):
    proportions = rng.dirichlet(np.full(n_classes, 1.5))
    labels = rng.choice(n_classes, size=n_examples, p=proportions)
    labels[:n_classes] = np.arange(n_classes)  # every class present
    return one_hot(rng.permutation(labels), n_classes)


def _split_question(rng, C, fractions, seed, memory, role):
    """role: "first" (remember the split), "again" (same seed: same split), "other" (another seed)."""
    n = C.shape[1]
    labels = np.argmax(C, axis=0)
    counts = np.bincount(labels, minlength=C.shape[0])
    f = np.asarray(fractions, dtype=float)
    reference = [part[1].shape[1] for part in split_data(np.zeros((1, n)), C, f, seed=int(seed), stratify=False)]

    def judge(answer):
        parts = [_answer(answer, name).reshape(-1) for name in ("train", "validation", "test")]
        for name, part in zip(("train", "validation", "test"), parts):
            if not np.all(part == np.round(part)) or np.any(part < 0) or np.any(part >= n):
                return False, f"the {name} indices must be integers in 0..{n - 1}"
        parts = [part.astype(int) for part in parts]
        everything = np.concatenate(parts)
        if np.unique(everything).size != everything.size:
            return False, "the parts overlap (or repeat an index): every column belongs to exactly one part"
        if everything.size != n:
            return False, (f"the parts hold {everything.size} of the {n} columns (sizes "
                           f"{tuple(p.size for p in parts)} for fractions {tuple(float(x) for x in f)}): every column must be used")
        for name, part, fp, size in zip(("train", "validation", "test"), parts, f, reference):
            if abs(part.size - fp * n) > 1 or abs(part.size - size) > 1:
                return False, (f"the {name} part has {part.size} columns; {fp} * {n} = {fp * n:.2f} "
                               f"(meganet.data.split_data: {size})")
        for name, part in zip(("train", "validation", "test"), parts):
            n_pk = np.bincount(labels[part], minlength=C.shape[0])
            share = part.size * counts / n
            k = int(np.argmax(np.abs(n_pk - share)))
            if abs(n_pk[k] - share[k]) > 1 + 1e-9:
                return False, (f"the {name} part holds {n_pk[k]} examples of class {k}, but its share of that "
                               f"class is {part.size} * {counts[k]} / {n} = {share[k]:.2f}: not stratified")
        split = tuple(np.sort(part) for part in parts)
        if role == "first":
            memory["split"] = split
        elif role == "again" and "split" in memory:
            if not all(np.array_equal(a, b) for a, b in zip(split, memory["split"])):
                return False, f"the same seed ({seed}) gave another split: use the seed for every random choice"
        elif role == "other" and "split" in memory:
            if all(np.array_equal(a, b) for a, b in zip(split, memory["split"])):
                return False, f"another seed ({seed}) gave the same split: the split must be random, drawn with the seed"
        return True, "correct"

    header = {"kind": "split", "seed": int(seed), "n_examples": int(n)}
    return Question(header, {"C": C, "fractions": f}, judge)


def questions(rng):
    sizes = [(int(k), int(n)) for k, n in zip(rng.integers(2, 10, size=6), rng.integers(1, 41, size=6))]
    sizes = [(k, n + 1 if n == k else n) for k, n in sizes] + [(3, 1), (2, 7)]
    one_hot_questions = [_encode_question(rng, k, n) for k, n in sizes]
    one_hot_questions += [_decode_question(rng, k, n) for k, n in sizes]
    K = int(rng.integers(3, 8))
    one_hot_questions += [_bad_labels_question(rng, K, bad) for bad in (K, K + 3, -1)]
    one_hot_questions += [_bad_matrix_question(rng, K, defect) for defect in ("zero column", "two ones", "one half")]

    split_questions = []
    memory = {}
    C = _split_problem(rng, int(rng.integers(200, 601)), int(rng.integers(3, 7)))
    seed = int(rng.integers(10 ** 6))
    split_questions += [_split_question(rng, C, FRACTIONS[0], seed, memory, "first"),
                        _split_question(rng, C, FRACTIONS[0], seed, memory, "again"),
                        _split_question(rng, C, FRACTIONS[0], seed + 1, memory, "other")]
    split_questions.append(_split_question(rng, _split_problem(rng, 101, 4), FRACTIONS[0], seed, {}, "alone"))
    for _ in range(5):
        n, k = int(rng.integers(30, 601)), int(rng.integers(2, 7))
        fractions = FRACTIONS[int(rng.integers(len(FRACTIONS)))]
        split_questions.append(_split_question(rng, _split_problem(rng, n, k), fractions,
                                               int(rng.integers(10 ** 6)), {}, "alone"))
    return {"test_one_hot": one_hot_questions, "test_split": split_questions}
