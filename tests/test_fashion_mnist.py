"""Tests for meganet.data.fashion_mnist on tiny idx files written to tmp_path (no real data needed).

An autouse fixture unsets MEGANET_FASHION_MNIST and points DEBIAN_PATH at an empty folder, so
a real copy of Fashion-MNIST on this machine can never be found by accident.
"""
import gzip
import importlib

import numpy as np
import pytest

from meganet.data import (FASHION_MNIST_CLASSES, class_labels, fashion_mnist, fashion_mnist_available,
                          fashion_mnist_path)
from meganet.linalg import mat

# the module itself: the attribute meganet.data.fashion_mnist is the function of the same name
fm = importlib.import_module("meganet.data.fashion_mnist")

REAL_DEBIAN_PATH = fm.DEBIAN_PATH  # before the autouse fixture moves it
N_TRAIN, N_TEST = 5, 3
TRAIN_LABELS = np.array([9, 0, 3, 0, 7], dtype=np.uint8)
TEST_LABELS = np.array([2, 5, 9], dtype=np.uint8)


def make_images(n, offset):
    """n distinct 28 x 28 uint8 images, asymmetric (I != I.T, I != flipped) so orientation shows."""
    r, c = np.meshgrid(np.arange(28), np.arange(28), indexing="ij")
    images = np.stack([(3 * r + 11 * c + 29 * (j + offset)) % 256 for j in range(n)]).astype(np.uint8)
    images[:, 0, 0] = 255  # the extreme values 0 and 255 both occur
    images[:, 27, 27] = 0
    return images


TRAIN_IMAGES = make_images(N_TRAIN, 0)
TEST_IMAGES = make_images(N_TEST, N_TRAIN)


def idx_bytes(magic, array):
    """An idx file: magic, the sizes (big-endian uint32s), then the uint8 entries row by row."""
    header = np.array([magic, *array.shape], dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_file(folder, name, data, gz):
    file = folder / (f"{name}.gz" if gz else name)
    if gz:
        file.write_bytes(gzip.compress(data))
    else:
        file.write_bytes(data)
    return file


def write_data(folder, gz=True, train=(TRAIN_IMAGES, TRAIN_LABELS), test=(TEST_IMAGES, TEST_LABELS)):
    """The four idx files of a tiny Fashion-MNIST in folder (gz: bool or one bool per file)."""
    folder.mkdir(parents=True, exist_ok=True)
    gzs = [gz] * 4 if isinstance(gz, bool) else list(gz)
    files = [("train-images-idx3-ubyte", 2051, train[0]), ("train-labels-idx1-ubyte", 2049, train[1]),
             ("t10k-images-idx3-ubyte", 2051, test[0]), ("t10k-labels-idx1-ubyte", 2049, test[1])]
    for (name, magic, array), z in zip(files, gzs):
        write_file(folder, name, idx_bytes(magic, array), z)
    return folder


@pytest.fixture(autouse=True)
def no_default_data(tmp_path, monkeypatch):
    monkeypatch.delenv(fm.ENV_VAR, raising=False)
    monkeypatch.setattr(fm, "DEBIAN_PATH", tmp_path / "no-debian-package")


@pytest.fixture
def data_dir(tmp_path):
    return write_data(tmp_path / "fashion")


# ---------------------------------------------------------------- shapes, values, orientation

def test_class_names():
    assert FASHION_MNIST_CLASSES == ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


@pytest.mark.parametrize("gz", [True, False, (True, False, False, True)], ids=["gzip", "plain", "mixed"])
@pytest.mark.parametrize("part, images, labels", [("train", TRAIN_IMAGES, TRAIN_LABELS),
                                                  ("test", TEST_IMAGES, TEST_LABELS)])
def test_shapes_values_orientation_and_labels(tmp_path, gz, part, images, labels):
    folder = write_data(tmp_path / "d", gz=gz)
    Y, C = fashion_mnist(part, path=folder, shuffle=False)
    n = len(labels)
    assert Y.shape == (784, n) and Y.dtype == np.float64
    assert C.shape == (10, n) and C.dtype == np.float64
    assert Y.min() == 0.0 and Y.max() == 1.0
    for j in range(n):
        # column-stacked vec: reshaping in Fortran order gives back the upright image
        np.testing.assert_array_equal(Y[:, j].reshape(28, 28, order="F") * 255, images[j])
        np.testing.assert_allclose(mat(Y[:, j], (28, 28)), images[j] / 255.0)
        np.testing.assert_array_equal(Y[:, j], images[j].ravel(order="F") / 255.0)
    np.testing.assert_array_equal(C.sum(axis=0), 1.0)
    assert set(np.unique(C)) == {0.0, 1.0}
    np.testing.assert_array_equal(class_labels(C), labels)


def test_all_is_train_then_test(data_dir):
    Y, C = fashion_mnist("all", path=data_dir, shuffle=False)
    Y_train, C_train = fashion_mnist("train", path=data_dir, shuffle=False)
    Y_test, C_test = fashion_mnist("test", path=data_dir, shuffle=False)
    assert Y.shape == (784, N_TRAIN + N_TEST) and C.shape == (10, N_TRAIN + N_TEST)
    np.testing.assert_array_equal(Y, np.hstack([Y_train, Y_test]))
    np.testing.assert_array_equal(C, np.hstack([C_train, C_test]))
    np.testing.assert_array_equal(class_labels(C), np.concatenate([TRAIN_LABELS, TEST_LABELS]))


@pytest.mark.parametrize("part", ["train", "all"])
def test_shuffle_is_one_seeded_permutation_of_Y_and_C(data_dir, part):
    Y_raw, C_raw = fashion_mnist(part, path=data_dir, shuffle=False)
    Y, C = fashion_mnist(part, path=data_dir, seed=3)
    again_Y, again_C = fashion_mnist(part, path=data_dir, seed=3)
    np.testing.assert_array_equal(Y, again_Y)
    np.testing.assert_array_equal(C, again_C)
    # every image is distinct, so each shuffled column identifies its raw column
    perm = np.array([np.flatnonzero((Y_raw == Y[:, [k]]).all(axis=0)).item() for k in range(Y.shape[1])])
    np.testing.assert_array_equal(np.sort(perm), np.arange(Y.shape[1]))
    assert not np.array_equal(perm, np.arange(Y.shape[1]))
    np.testing.assert_array_equal(C, C_raw[:, perm])  # labels travel with their images
    other, _ = fashion_mnist(part, path=data_dir, seed=4)
    assert not np.array_equal(other, Y)


def test_every_call_returns_fresh_arrays(data_dir):
    Y, C = fashion_mnist("train", path=data_dir, shuffle=False)
    Y[:] = -1.0
    C[:] = -1.0
    Y2, C2 = fashion_mnist("train", path=data_dir, shuffle=False)
    np.testing.assert_array_equal(Y2[:, 0].reshape(28, 28, order="F") * 255, TRAIN_IMAGES[0])
    np.testing.assert_array_equal(class_labels(C2), TRAIN_LABELS)


def test_a_replaced_file_is_read_again(data_dir):
    fashion_mnist("test", path=data_dir)  # fills the cache
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (data_dir / name).unlink()
    write_data(data_dir, test=(TEST_IMAGES[:2], TEST_LABELS[:2]))
    Y, C = fashion_mnist("test", path=data_dir, shuffle=False)
    assert Y.shape == (784, 2)
    np.testing.assert_array_equal(class_labels(C), TEST_LABELS[:2])


# ---------------------------------------------------------------- where the data is looked for

def test_environment_variable_is_honoured(data_dir, monkeypatch):
    assert fashion_mnist_path() is None
    monkeypatch.setenv("MEGANET_FASHION_MNIST", str(data_dir))
    assert fashion_mnist_path() == data_dir
    assert fashion_mnist_available()
    Y, C = fashion_mnist("test", shuffle=False)
    np.testing.assert_array_equal(class_labels(C), TEST_LABELS)


def test_debian_path_is_the_last_resort(data_dir, monkeypatch):
    monkeypatch.setattr(fm, "DEBIAN_PATH", data_dir)
    assert fashion_mnist_path() == data_dir
    Y, _ = fashion_mnist("train", shuffle=False)
    assert Y.shape == (784, N_TRAIN)


def test_search_order_is_path_alone_or_environment_then_debian(tmp_path, monkeypatch):
    a, b, c = (write_data(tmp_path / name) for name in "abc")
    monkeypatch.setattr(fm, "DEBIAN_PATH", c)
    monkeypatch.setenv("MEGANET_FASHION_MNIST", str(b))
    assert fashion_mnist_path(a) == a
    assert fashion_mnist_path(str(a)) == a
    assert fashion_mnist_path() == b
    assert fashion_mnist_path(tmp_path / "empty") is None  # an explicit path is the only candidate
    monkeypatch.setenv("MEGANET_FASHION_MNIST", "")  # empty counts as unset
    assert fashion_mnist_path() == c


def test_a_folder_missing_one_file_is_not_a_candidate(data_dir):
    (data_dir / "t10k-labels-idx1-ubyte.gz").unlink()
    assert fashion_mnist_path(data_dir) is None
    assert not fashion_mnist_available(data_dir)
    with pytest.raises(FileNotFoundError, match="missing t10k-labels-idx1-ubyte"):
        fashion_mnist("train", path=data_dir)


def test_missing_data_says_where_it_looked_and_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MEGANET_FASHION_MNIST", str(tmp_path / "env-folder"))
    assert not fashion_mnist_available(tmp_path / "arg-folder")
    with pytest.raises(FileNotFoundError) as info:
        fashion_mnist(path=tmp_path / "arg-folder")
    assert str(tmp_path / "env-folder") not in str(info.value)   # an explicit path is the only place
    with pytest.raises(FileNotFoundError) as env_info:
        fashion_mnist()
    assert str(tmp_path / "env-folder") in str(env_info.value) and str(fm.DEBIAN_PATH) in str(env_info.value)
    message = str(info.value)
    for words in ["sudo apt-get install dataset-fashion-mnist", "MEGANET_FASHION_MNIST",
                  str(tmp_path / "arg-folder"),
                  "https://github.com/zalandoresearch/fashion-mnist", "data/fashion",
                  "train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz "
                  "t10k-labels-idx1-ubyte.gz", "path="]:
        assert words in message


# ---------------------------------------------------------------- bad files and bad arguments

@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("name, data, words", [
    ("train-images-idx3-ubyte", idx_bytes(2049, TRAIN_IMAGES), "magic number 2049.*expected 2051"),
    ("train-labels-idx1-ubyte", idx_bytes(2051, TRAIN_LABELS), "magic number 2051.*expected 2049"),
    ("train-images-idx3-ubyte", idx_bytes(2051, TRAIN_IMAGES)[:-10], "expected exactly 3920"),
    ("train-images-idx3-ubyte", idx_bytes(2051, TRAIN_IMAGES)[:10], "truncated"),
    ("train-labels-idx1-ubyte", idx_bytes(2049, TRAIN_LABELS) + b"\0", "expected exactly 5"),
    ("train-images-idx3-ubyte", idx_bytes(2051, TRAIN_IMAGES[:, :, :27]), "28 x 27; expected 28 x 28"),
    ("train-labels-idx1-ubyte", idx_bytes(2049, np.array([0, 1, 10, 2, 3])), "label 10.*0..9"),
    ("train-labels-idx1-ubyte", idx_bytes(2049, TRAIN_LABELS[:4]), "4 labels; expected .* 5"),
], ids=["images-magic", "labels-magic", "truncated-images", "truncated-header", "extra-byte",
        "wrong-size", "label-out-of-range", "count-mismatch"])
def test_corrupt_files_raise_value_error_naming_the_file(data_dir, gz, name, data, words):
    for old in data_dir.glob(f"{name}*"):
        old.unlink()
    file = write_file(data_dir, name, data, gz)
    with pytest.raises(ValueError, match=words) as info:
        fashion_mnist("train", path=data_dir)
    assert str(file) in str(info.value)


def test_truncated_gzip_raises_value_error(data_dir):
    file = data_dir / "train-images-idx3-ubyte.gz"
    file.write_bytes(file.read_bytes()[:-20])
    with pytest.raises(ValueError, match="gzip") as info:
        fashion_mnist("train", path=data_dir)
    assert str(file) in str(info.value)


@pytest.mark.parametrize("part", ["validation", "Train", "", None, 1])
def test_bad_part_names_the_allowed_values(data_dir, part):
    with pytest.raises(ValueError, match="part must be one of 'train', 'test', 'all'"):
        fashion_mnist(part, path=data_dir)


def test_bad_part_is_reported_even_without_data():
    with pytest.raises(ValueError, match="part must be one of"):
        fashion_mnist("validation")


# ---------------------------------------------------------------- the real data, if installed

@pytest.mark.skipif(not fashion_mnist_available(REAL_DEBIAN_PATH) or
                    fashion_mnist_path(REAL_DEBIAN_PATH) != REAL_DEBIAN_PATH,
                    reason="dataset-fashion-mnist is not installed")
def test_real_test_set_if_installed():
    Y, C = fashion_mnist("test", path=REAL_DEBIAN_PATH, shuffle=False)
    assert Y.shape == (784, 10_000) and C.shape == (10, 10_000)
    assert 0.0 <= Y.min() and Y.max() <= 1.0
    np.testing.assert_array_equal(C.sum(axis=1), 1000)  # 1,000 test images per class
