"""Submissions of exercise 01 for tests/test_grading.py: one wrong part, and zero bodies.

WRONG_PART(nb): the instructor's notebook with one part subtly wrong; WRONG_PART_LOSES: its
grade_id. ZERO_BODIES: the body (one expression) each solution function returns instead of
its solution, by function name, for the monkeypatching attack.

The wrong part is a split that is not stratified (a plain permutation of the columns cut into
parts of the right sizes): only test_split may lose its points (the split reads the labels with
argmax, not with the student's part 1).

WRONG_SOLUTIONS: the plausible mistakes the judge must catch, each as (source replacements in the
instructor's solution cells, the one grade_id that must lose its points). tests/test_grading.py
grades WRONG_PART only; these were graded outside the test suite, by running the notebook in one
process with `answer` calling the judge's questions directly, with and without the visible
checks, for five students' seeds: each loses exactly its part on every seed.
"""

_STRATIFIED = "    return tuple(np.sort(np.concatenate(part)) for part in parts)"
_PERMUTATION = ("    order = generator.permutation(n)               # not stratified\n"
                "    return tuple(np.split(order, np.cumsum(sizes)[:-1]))")


def WRONG_PART(nb, solution_cells):
    i = [k for k in solution_cells if "def stratified_split(" in nb.cells[k].source][0]
    source = nb.cells[i].source
    assert source.count(_STRATIFIED) == 1
    nb.cells[i].source = source.replace(_STRATIFIED, _PERMUTATION)
    return nb


WRONG_PART_LOSES = "test_split"

WRONG_SOLUTIONS = {
    "one-hot as rows (n x K)": ([("C = np.zeros((n_classes, labels.size))\n    C[labels, np.arange(labels.size)] = 1.0",
                                  "C = np.zeros((labels.size, n_classes))\n    C[np.arange(labels.size), labels] = 1.0")],
                                "test_one_hot"),
    "classes counted from 1 (off by one)": ([("C[labels, np.arange(labels.size)] = 1.0",
                                              "C[labels - 1, np.arange(labels.size)] = 1.0")], "test_one_hot"),
    "inverse off by one (argmax + 1)": ([("return np.argmax(C, axis=0)\n", "return np.argmax(C, axis=0) + 1\n")],
                                        "test_one_hot"),
    "K from max(labels) + 1": ([("C = np.zeros((n_classes, labels.size))", "C = np.zeros((labels.max() + 1, labels.size))")],
                               "test_one_hot"),
    "no range check (IndexError, -1 read as K-1)": ([("if labels.size and (labels.min() < 0", "if False and (labels.min() < 0")],
                                                    "test_one_hot"),
    "inverse accepts any matrix": ([("if not np.all((C == 0) | (C == 1)) or", "if False and")], "test_one_hot"),
    "split not stratified (plain permutation)": ([(_STRATIFIED, _PERMUTATION)], "test_split"),
    "overlapping parts (test = validation)": ([(_STRATIFIED, "    parts[2] = parts[1]\n" + _STRATIFIED)], "test_split"),
    "remainder dropped (floor(f_p n_k) of each class, the rest left out)": (
        [("for p in np.argsort(-room, kind=\"stable\")[:left]:", "for p in []:"),
         ("np.split(members, np.cumsum(numbers[:, k])[:-1])",
          "np.split(members[:numbers[:, k].sum()], np.cumsum(numbers[:, k])[:-1])")], "test_split"),
    "seed ignored (a fixed generator)": ([("np.random.default_rng(seed)", "np.random.default_rng(0)")], "test_split"),
}

ZERO_BODIES = {"one_hot": "np.zeros((1, 1))",
               "labels_of": "np.zeros(0)",
               "stratified_split": "(np.arange(0), np.arange(0), np.arange(0))"}
