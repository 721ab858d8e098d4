"""Kernels against independent references: scipy.signal, numpy.linalg, and their own algebra."""
import numpy as np
import pytest
import scipy.signal
import scipy.sparse as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from meganet import vec
from meganet.checks import check_adjoint
from meganet.kernels import (ConvPeriodic, ConvZero, LinearFormKernel, antisymmetric_kernel,
                             average_pooling, dense_kernel, diagonal_kernel, m_matrix_kernel,
                             subsample)

IMAGES = [(9,), (8,), (7, 6), (6, 7), (8, 8)]
STENCILS = [1, 3, 5]
CHANNELS = [(1, 1), (2, 3)]


def _reference(K, theta, Y):
    """Sum over input channels of scipy.signal.convolve per (input, output) channel pair."""
    T, I = K.stencils(theta), K.images(Y, K.c_in)
    n1, n2 = K.image_shape
    Z = np.zeros(K.image_shape + (K.c_out, Y.shape[1]))
    for b in range(Y.shape[1]):
        for i in range(K.c_in):
            for j in range(K.c_out):
                if K.boundary == "zero":
                    Z[:, :, j, b] += scipy.signal.convolve(I[:, :, i, b], T[:, :, i, j], mode="same")
                else:  # periodic: convolve the image tiled 3 x 3, keep the middle tile
                    tiled = np.pad(I[:, :, i, b], [(n1, n1), (n2, n2)], mode="wrap")
                    full = scipy.signal.convolve(tiled, T[:, :, i, j], mode="same")
                    Z[:, :, j, b] += full[n1:2 * n1, n2:2 * n2]
    return K.columns(Z)


@pytest.mark.parametrize("Conv", [ConvZero, ConvPeriodic])
@pytest.mark.parametrize("image", IMAGES, ids=str)
@pytest.mark.parametrize("s", STENCILS)
@pytest.mark.parametrize("channels", CHANNELS, ids=str)
def test_convolution_matches_scipy_signal(Conv, image, s, channels):
    stencil = (s,) if len(image) == 1 else (s, s)
    K = Conv(image, stencil, *channels)
    rng = np.random.default_rng(0)
    theta, Y = rng.standard_normal(K.n_theta), rng.standard_normal((K.n_in, 2))
    assert np.allclose(K.apply(theta, Y), _reference(K, theta, Y), atol=1e-12)


@pytest.mark.parametrize("stencil", [(3,), (4,), (2,), (6,)])
def test_periodic_eigenvalues_by_fft_equal_eig_of_the_circulant(stencil):
    K = ConvPeriodic((8,), stencil)
    theta = np.random.default_rng(1).standard_normal(K.n_theta)
    by_fft = np.sort_complex(np.round(K.eigenvalues(theta)[:, 0, 0, 0], 10))
    by_eig = np.sort_complex(np.round(np.linalg.eigvals(K.dense(theta)), 10))
    assert np.allclose(by_fft, by_eig, atol=1e-9)


def test_periodic_kernel_is_a_sparse_circulant():
    """The 1-D periodic kernel is scipy.sparse.diags of the stencil, wrapped around."""
    n, theta = 7, np.array([1.0, -2.0, 0.5])
    K = ConvPeriodic((n,), (3,)).dense(theta)
    # (K y)_i = theta_0 y_{i+1} + theta_1 y_i + theta_2 y_{i-1}  (centre c = 1)
    C = sp.diags([theta[0], theta[1], theta[2]], [1, 0, -1], shape=(n, n)).toarray()
    C[n - 1, 0], C[0, n - 1] = theta[0], theta[2]
    assert np.allclose(K, C)


def test_zero_and_periodic_agree_away_from_the_border():
    Kz, Kp = ConvZero((10, 10), (3, 3)), ConvPeriodic((10, 10), (3, 3))
    rng = np.random.default_rng(2)
    theta, y = rng.standard_normal(9), rng.standard_normal((100, 1))
    diff = (Kz.apply(theta, y) - Kp.apply(theta, y)).reshape(10, 10, order="F")
    assert np.allclose(diff[1:-1, 1:-1], 0) and not np.allclose(diff[0], 0)


def test_im2col_reproduces_the_convolution():
    K = ConvZero((5, 4), (3, 3), 2, 3)
    rng = np.random.default_rng(3)
    theta, Y = rng.standard_normal(K.n_theta), rng.standard_normal((K.n_in, 2))
    assert np.allclose(K.im2col(Y) @ theta, vec(K.apply(theta, Y)))


def test_linear_form_kernels_have_their_structure():
    rng = np.random.default_rng(4)
    A = antisymmetric_kernel(5).dense(rng.standard_normal(10))
    assert np.allclose(A, -A.T) and np.allclose(np.linalg.eigvals(A).real, 0, atol=1e-12)
    M = m_matrix_kernel(4).dense(rng.random(12))
    off = M[~np.eye(4, dtype=bool)]
    assert np.all(off <= 0) and np.allclose(M.sum(axis=1), 0)
    assert np.all(np.linalg.eigvals(M).real >= -1e-12)
    assert np.allclose(diagonal_kernel(3).dense([1, 2, 3]), np.diag([1, 2, 3]))
    X = rng.standard_normal((3, 4))
    assert np.allclose(dense_kernel(3, 4).dense(vec(X)), X)


def test_m_matrix_Q_for_three_nodes():
    """The lecture's example: theta_k fills the off-diagonals of vec(K) in order, negated."""
    K = m_matrix_kernel(3).dense(np.arange(1.0, 7.0))
    assert np.allclose(K, [[8, -3, -5], [-1, 7, -6], [-2, -4, 6]])


def test_pooling_and_stride_against_numpy():
    rng = np.random.default_rng(5)
    I = rng.standard_normal((4, 6))
    pooled = (average_pooling((4, 6), 1, 2) @ vec(I)).reshape(2, 3, order="F")
    assert np.allclose(pooled, I.reshape(2, 2, 3, 2).mean(axis=(1, 3)))
    strided = (subsample((4, 6), 1, 2) @ vec(I)).reshape(2, 3, order="F")
    assert np.allclose(strided, I[::2, ::2])


def test_operator_matvec_equals_dense_matrix():
    K = ConvZero((4, 3), (3, 3), 2, 2)
    theta, y = np.random.default_rng(6).standard_normal((2, 36))
    assert np.allclose(K.op(theta) @ y[:24], K.dense(theta) @ y[:24])
    assert np.allclose(K.op(theta).T @ y[:24], K.dense(theta).T @ y[:24])


@pytest.mark.parametrize("make, match", [
    (lambda: ConvPeriodic((4,), (5,)), "larger than the image"),
    (lambda: ConvZero((4, 4), (3, 5)), "larger than the image"),
    (lambda: ConvZero((4, 4), (3, 3), c_in=0), "channel counts"),
    (lambda: ConvZero((4, 4), (3, 3), 2).apply(np.ones(18), np.ones((16, 1))), "must have 32 rows"),
    (lambda: ConvZero((4, 4), (3, 3)).apply(np.ones(8), np.ones((16, 1))), "9 entries"),
    (lambda: m_matrix_kernel(3).apply(-np.ones(6), np.ones((3, 1))), "theta >= 0"),
    (lambda: average_pooling((5, 4), 1, 2), "divisible"),
    (lambda: LinearFormKernel(np.eye(4), 3, 3), "rows"),
    (lambda: ConvZero((4, 4), (3, 3)).apply(np.full(9, np.nan), np.ones((16, 1))), "finite"),
])
def test_bad_input_is_refused_clearly(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_m_matrix_projection_clips_negative_parameters():
    K = m_matrix_kernel(3)
    assert np.all(K.project(np.array([-1.0, 2, -3, 4, 5, 6])) >= 0)


@settings(max_examples=40, deadline=None)
@given(n1=st.integers(1, 9), n2=st.integers(1, 9), s1=st.integers(1, 5), s2=st.integers(1, 5),
       c_in=st.integers(1, 3), c_out=st.integers(1, 3), periodic=st.booleans(),
       seed=st.integers(0, 2**16))
def test_any_shape_matches_scipy_and_passes_the_adjoint_test(n1, n2, s1, s2, c_in, c_out,
                                                             periodic, seed):
    assume(s1 <= n1 and s2 <= n2)
    K = (ConvPeriodic if periodic else ConvZero)((n1, n2), (s1, s2), c_in, c_out)
    rng = np.random.default_rng(seed)
    theta, Y = rng.standard_normal(K.n_theta), rng.standard_normal((K.n_in, 2))
    assert np.allclose(K.apply(theta, Y), _reference(K, theta, Y), atol=1e-11)
    _, lin = K.linearize(theta, Y)
    assert check_adjoint(lin.J_theta).passed and check_adjoint(lin.J_Y).passed


def _periodic_by_complex_fft(K, theta, Y, W):
    """K Y, K^T W and J_theta^T vec(W) by the full complex FFT (the eigenvalues, fft2/ifft2)."""
    lam = K.eigenvalues(theta)                                     # (n1, n2, c_in, c_out)
    Yhat = np.fft.fft2(K.images(Y, K.c_in), axes=(0, 1))
    What = np.fft.fft2(K.images(W, K.c_out), axes=(0, 1))
    KY = np.fft.ifft2(np.swapaxes(lam, 2, 3) @ Yhat, axes=(0, 1)).real
    KTW = np.fft.ifft2(lam.conj() @ What, axes=(0, 1)).real
    R = np.fft.ifft2(Yhat.conj() @ np.swapaxes(What, 2, 3), axes=(0, 1)).real
    idx = [(np.arange(s) - c) % n for s, c, n in zip(K.stencil_shape, K.centre, K.image_shape)]
    return K.columns(KY), K.columns(KTW), R[np.ix_(*idx)].reshape(-1, order="F")


@pytest.mark.parametrize("chunk_bytes", [None, 1], ids=["one chunk", "one example per chunk"])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("image, stencil, c_in, c_out", [
    ((12, 10), (3, 3), 3, 4), ((9, 7), (4, 2), 4, 2), ((11,), (5,), 2, 3), ((6, 8), (6, 8), 2, 2)])
def test_periodic_real_fft_equals_the_complex_fft_formula(monkeypatch, chunk_bytes, order, image,
                                                           stencil, c_in, c_out):
    """ConvPeriodic uses real FFTs, chunks of examples and a direct DFT of the stencils; on a
    multi-channel batch it agrees with the full complex-FFT formula to round-off."""
    from meganet.kernels import conv_periodic
    if chunk_bytes is not None:
        monkeypatch.setattr(conv_periodic, "_CHUNK_BYTES", chunk_bytes)
    K = ConvPeriodic(image, stencil, c_in, c_out)
    rng = np.random.default_rng(7)
    theta = rng.standard_normal(K.n_theta)
    Y = np.asarray(rng.standard_normal((K.n_in, 5)), order=order)
    W = np.asarray(rng.standard_normal((K.n_out, 5)), order=order)
    KY, KTW, g = _periodic_by_complex_fft(K, theta, Y, W)
    _, lin = K.linearize(theta, Y)
    for ours, ref in [(K.apply(theta, Y), KY), (K.apply_transpose(theta, W), KTW),
                      (lin.J_theta.rmatvec(vec(W)), g)]:
        assert ours.shape == ref.shape
        assert np.max(np.abs(ours - ref)) <= 1e-13 * np.max(np.abs(ref))
