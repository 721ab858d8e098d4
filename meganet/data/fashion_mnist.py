"""Full Fashion-MNIST (70,000 images of 28 x 28, 10 classes) read from a local copy of the idx files.

Nothing is downloaded: the four idx files of Zalando's release must already be on disk, in a
folder given by `path=` (then only there), or else by the environment variable
MEGANET_FASHION_MNIST, or installed by Debian's package dataset-fashion-mnist (in
/usr/share/datasets/fashion-mnist).
"""
from __future__ import annotations

import gzip
import os
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from ._common import images_to_columns, shuffle_columns
from .labels import one_hot

__all__ = ["FASHION_MNIST_CLASSES", "fashion_mnist", "fashion_mnist_path", "fashion_mnist_available"]

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

ENV_VAR = "MEGANET_FASHION_MNIST"
DEBIAN_PACKAGE = "dataset-fashion-mnist"
# where Debian's dataset-fashion-mnist puts the files; a module constant so tests can move it
DEBIAN_PATH = Path("/usr/share/datasets/fashion-mnist")
SOURCE_URL = "https://github.com/zalandoresearch/fashion-mnist"

# (images, labels) file names of each part, without the optional .gz
_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
_PARTS = ("train", "test", "all")
_IMAGES_MAGIC, _LABELS_MAGIC = 2051, 2049  # 0x00000803 and 0x00000801: ubyte data, 3 or 1 dims
_ROWS = _COLS = 28
_N_CLASSES = len(FASHION_MNIST_CLASSES)


def _file(folder: Path, name: str) -> Path | None:
    """folder/name or folder/name.gz, whichever exists (plain first: no need to decompress)."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _missing(folder: Path) -> list[str]:
    """Names of the four idx files that are in neither plain nor gzipped form in folder."""
    return [name for pair in _FILES.values() for name in pair if _file(folder, name) is None]


def _candidates(path) -> list[tuple[str, Path | None]]:
    """(where it came from, folder) in search order; folder None for an unset source.

    A `path` given explicitly is the only candidate: a wrong path must not silently load
    another copy."""
    if path is not None:
        return [("path argument", Path(path).expanduser())]
    env = os.environ.get(ENV_VAR) or None  # an empty variable counts as unset
    return [(f"environment variable {ENV_VAR}", None if env is None else Path(env).expanduser()),
            (f"Debian package {DEBIAN_PACKAGE}", Path(DEBIAN_PATH))]


def fashion_mnist_path(path=None) -> Path | None:
    """The folder holding all four idx files: `path` if given (and only it), otherwise
    $MEGANET_FASHION_MNIST, then DEBIAN_PATH; None if there is none.  Each file may be plain or gzipped (name + '.gz')."""
    for _, folder in _candidates(path):
        if folder is not None and folder.is_dir() and not _missing(folder):
            return folder
    return None


def fashion_mnist_available(path=None) -> bool:
    """True if fashion_mnist(path=path) finds a local copy of the data."""
    return fashion_mnist_path(path) is not None


def _not_found_message(path) -> str:
    """Where the search looked, what each folder lacked, and how to get the data."""
    lines = ["Fashion-MNIST was not found (nothing is downloaded). Looked in, in this order:"]
    for source, folder in _candidates(path):
        if folder is None:
            status = "not set"
        elif not folder.is_dir():
            status = f"{folder} (no such folder)"
        else:
            status = f"{folder} (missing {', '.join(_missing(folder))}; each may also end in .gz)"
        lines.append(f"  - {source}: {status}")
    files = " ".join(f"{name}.gz" for pair in _FILES.values() for name in pair)
    lines += ["To get it, either:",
              f"  - on Debian/Ubuntu: sudo apt-get install {DEBIAN_PACKAGE}  "
              f"(the files land in {DEBIAN_PATH}), or",
              f"  - download the four files {files} from {SOURCE_URL} (folder data/fashion) into a "
              f"folder, then pass path=that_folder or set the environment variable {ENV_VAR}."]
    return "\n".join(lines)


def _read_bytes(file: Path) -> bytes:
    """The whole content of file, decompressed if it ends in .gz."""
    if file.suffix != ".gz":
        return file.read_bytes()
    try:
        with gzip.open(file, "rb") as f:
            return f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:  # truncated or not gzip at all
        raise ValueError(f"{file}: not a valid gzip file ({err}); expected a gzipped idx file") from err


def _header(data: bytes, file: Path, magic: int, n_dims: int) -> tuple[int, ...]:
    """The n_dims sizes of an idx header after checking its magic number (big-endian uint32s)."""
    if len(data) < 4 * (1 + n_dims):
        raise ValueError(f"{file}: truncated idx file, {len(data)} bytes is shorter than the "
                         f"{4 * (1 + n_dims)}-byte header")
    found, *sizes = np.frombuffer(data, dtype=">u4", count=1 + n_dims).tolist()
    if found != magic:
        raise ValueError(f"{file}: wrong magic number {found} (0x{found:08x}); expected {magic} "
                         f"(0x{magic:08x}) for an idx file of {n_dims}-D unsigned bytes")
    return tuple(sizes)


def _body(data: bytes, file: Path, sizes: tuple[int, ...]) -> np.ndarray:
    """The uint8 payload after the header, of exactly prod(sizes) bytes, shaped `sizes`."""
    offset = 4 * (1 + len(sizes))
    expected = int(np.prod(sizes))
    if len(data) - offset != expected:
        shape = " x ".join(map(str, sizes))
        raise ValueError(f"{file}: {len(data) - offset} data bytes after the header; expected exactly "
                         f"{expected} for {shape} unsigned bytes (truncated or corrupt file?)")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(sizes)


def _read_images(file: Path) -> np.ndarray:
    """Images (n, 28, 28) uint8 of an idx3 file, rows of each image stored first."""
    data = _read_bytes(file)
    n, rows, cols = _header(data, file, _IMAGES_MAGIC, 3)
    if (rows, cols) != (_ROWS, _COLS):
        raise ValueError(f"{file}: images are {rows} x {cols}; expected {_ROWS} x {_COLS}")
    return _body(data, file, (n, rows, cols))


def _read_labels(file: Path) -> np.ndarray:
    """Labels (n,) uint8 in 0..9 of an idx1 file."""
    data = _read_bytes(file)
    (n,) = _header(data, file, _LABELS_MAGIC, 1)
    y = _body(data, file, (n,))
    if n and y.max() >= _N_CLASSES:
        raise ValueError(f"{file}: found label {y.max()}; expected class labels 0..{_N_CLASSES - 1}")
    return y


@lru_cache(maxsize=4)
def _raw_part(folder: Path, part: str, stamp: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Raw (images (n, 28, 28), labels (n,)) uint8 of part 'train' or 'test', read-only.

    Cached per (folder, part) because reading and gunzipping 60,000 images takes a while;
    `stamp` (size and mtime of both files) only makes a replaced file miss the cache.
    """
    images_file, labels_file = (_file(folder, name) for name in _FILES[part])
    X, y = _read_images(images_file), _read_labels(labels_file)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"{labels_file}: {y.shape[0]} labels; expected one per image, i.e. "
                         f"{X.shape[0]} as in {images_file}")
    X.setflags(write=False)  # views of immutable bytes already, but say so explicitly
    y.setflags(write=False)
    return X, y


def _load_part(folder: Path, part: str) -> tuple[np.ndarray, np.ndarray]:
    """_raw_part with the cache key completed by the files' size and modification time."""
    stats = [_file(folder, name).stat() for name in _FILES[part]]
    return _raw_part(folder, part, tuple((s.st_size, s.st_mtime_ns) for s in stats))


def fashion_mnist(part: str = "train", path=None, seed=0,
                  shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(Y, C): Y (784, n) with Y[:, j] = vec(I_j) / 255 in [0, 1], C (10, n) one-hot.

    part: 'train' (n = 60,000), 'test' (n = 10,000) or 'all' (n = 70,000, train then test).
    I_j is the 28 x 28 image of example j, so mat(Y[:, j], (28, 28)) is the upright image;
    class k is FASHION_MNIST_CLASSES[k].  Columns are randomly permuted with `seed` unless
    shuffle=False (then the order is that of the files).  The data is read from a local copy
    only (see fashion_mnist_path); a FileNotFoundError says where it looked and how to get it.
    The parsed files are kept in memory after the first call; every call returns fresh arrays.
    """
    if not isinstance(part, str) or part not in _PARTS:
        raise ValueError(f"part must be one of {', '.join(map(repr, _PARTS))}, got {part!r}")
    folder = fashion_mnist_path(path)
    if folder is None:
        raise FileNotFoundError(_not_found_message(path))
    folder = folder.resolve()  # one cache entry per folder, however it was spelled
    pieces = [_load_part(folder, p) for p in (("train", "test") if part == "all" else (part,))]
    X = np.concatenate([X for X, _ in pieces])
    y = np.concatenate([y for _, y in pieces])
    Y = images_to_columns(X) / 255.0  # a new array, the cache stays intact
    C = one_hot(y, _N_CLASSES)
    return shuffle_columns(Y, C, seed, shuffle)
