"""2D multi-channel convolution: meganet's kernels against scipy.signal and PyTorch (CPU).

What it measures
----------------
One layer of a convolutional network on a batch of n = 64 images of 28 x 28 pixels with
16 input and 16 output channels and 3 x 3 stencils (theta has 3*3*16*16 = 2304 entries),
float64, examples in columns (Y is 12544 x 64). Three operations are timed:

    forward     K(theta) Y                       K.apply(theta, Y)
    transpose   K(theta)^T Z                     K.apply_transpose(theta, Z)
    gradient    J_theta^T w = d/dtheta <W, K(theta) Y>   lin.J_theta.rmatvec(vec(W)),
                                                 with (KY, lin) = K.linearize(theta, Y) built
                                                 once outside the timing

for these implementations:

    ConvPeriodic   meganet, periodic boundary, FFT (block-diagonal in Fourier space)
    ConvZero       meganet, zero boundary, im2col of shifted rows and one matrix product (Toeplitz)
    scipy.signal   the reference: zero boundary, a Python loop over the 64 examples and the
                   16 x 16 channel pairs (16384 2D calls per operation), out_j = sum_i
                   conv(in_i, theta_ij) 'same' for forward, correlate 'same' for the transpose
                   and correlate(padded Y_i, W_j, 'valid') (flipped) for the gradient. Which
                   scipy.signal function does each 2D call is chosen per operation at run time:
                   the fastest of convolve/correlate (default method), convolve2d/correlate2d,
                   fftconvolve and oaconvolve (flipped stencil for correlations), timed on the
                   first example (all channel pairs, best of max(3, repeats)); all candidates
                   must agree there, and the output names the winner and every candidate's time.
    PyTorch CPU    torch.nn.functional.conv2d / conv_transpose2d / torch.nn.grad.conv2d_weight
                   in float64 on tensors already in torch's (n, c, n1, n2) layout (layout
                   conversion is not timed); torch conv2d is a cross-correlation, so its weight
                   is the stencil flipped in both image axes. Row says 'not installed' when
                   torch cannot be imported.

Correctness before timing, on the benchmark data itself: every implementation must agree with
ours to a max relative difference max|A - B| / max|B| < 1e-10 (float64 everywhere).
ConvZero, scipy.signal and torch (zero boundary) are compared with each other; ConvPeriodic is
compared with a separate periodic scipy.signal reference (convolve2d / correlate2d with
boundary='wrap', and a wrap-padded correlation for the gradient), which is checked but not timed.

Timing: time.perf_counter around one call, best of `--repeats` (default 3) repeats, after one
untimed call (the correctness check). "ratio to scipy.signal" = time / time of the scipy.signal
reference for the same operation (below 1 = faster than scipy); ConvPeriodic's ratio is also
against the zero-boundary reference (a different boundary condition, same size of problem).
Peak memory: tracemalloc's peak over one untimed call (an extra call for ours; the full-size
correctness-check call for the scipy.signal reference), counting only allocations made during
the call (inputs excluded, the output included). numpy registers its array buffers with
tracemalloc; scratch memory that C/C++ libraries allocate internally (e.g. FFT work buffers) is
not seen. tracemalloc does not see torch's allocator either, so torch's memory column is 'n/a'.

Memory at a larger size (after the timing table): the peak memory of the same three operations
for both kernels on n = 64 images of 128 x 128 pixels with 32 input and 32 output channels
(3 x 3 stencils, float64: Y and W are 256 MiB each), by tracemalloc over one call as above,
printed beside the size of the input batch Y (for the gradient, W is an input of the same size
too) and as the ratio peak / input. A layer's output is as large as its input, so a ratio near 1
is the output alone. No timing there (one call each; about 30 s in all).

The machine is shared and timings are wall-clock: compare the ratios within one run only.
numpy's FFT and einsum run on one thread here; torch uses torch.get_num_threads() threads
(printed).

How to run (from the repository root; about 30 s on this 2-core machine under load 3):

    .venv/bin/python benchmarks/conv2d.py
    .venv/bin/python benchmarks/conv2d.py --repeats 5 --ref-images 64

The scipy.signal reference is a Python loop whose cost is linear in the number of examples
(the example loop is outermost and every 2D call does the same work), so by default it is timed
on the first --ref-images 16 images and its time (and nothing else) is scaled linearly by
64 / 16 = 4, which keeps the script well under 2 minutes on a loaded 2-core machine; the output
marks these rows with *. --ref-images 64 times the whole batch. The correctness checks and the
reference's memory always use all 64 images (the reference's memory is traced during its
correctness-check call).
"""
from __future__ import annotations

import argparse
import platform
import time
import tracemalloc

import numpy as np
import scipy
import scipy.signal as signal

from meganet import vec
from meganet.kernels import ConvPeriodic, ConvZero

IMAGE_SHAPE, STENCIL_SHAPE, C_IN, C_OUT, N_EXAMPLES = (28, 28), (3, 3), 16, 16, 64
MEMORY_IMAGE_SHAPE, MEMORY_CHANNELS = (128, 128), 32   # the memory table (same stencils, batch)
RTOL = 1e-10
OPERATIONS = ("forward", "transpose", "gradient")


# --- measuring ------------------------------------------------------------------------------
def best_time(fun, repeats):
    """Best wall-clock time (s) of `repeats` calls of fun()."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fun()
        times.append(time.perf_counter() - start)
    return min(times)


def traced_call(fun):
    """(fun(), tracemalloc peak in MB of the allocations made during the call)."""
    tracemalloc.start()
    try:
        result = fun()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / 2**20


def peak_memory_mb(fun):
    """tracemalloc peak (MB) of the allocations made during one call of fun()."""
    return traced_call(fun)[1]


def relative_difference(A, B):
    """max|A - B| / max|B|."""
    A, B = np.asarray(A), np.asarray(B)
    return float(np.max(np.abs(A - B)) / np.max(np.abs(B)))


def check(name, A, B, against):
    err = relative_difference(A, B)
    assert err < RTOL, f"{name} differs from {against}: max relative difference {err:.2e}"
    return err


# --- the scipy.signal reference: loops over examples and channel pairs ----------------------
# One 2D call per (example, input channel, output channel); each candidate maps 2D arrays to
# the 2D result of that pair. Correlations by fftconvolve/oaconvolve use the flipped stencil.
def _flip(A):
    return A[::-1, ::-1]


FORWARD_CALLS = {
    "convolve(mode='same')": lambda y, t: signal.convolve(y, t, mode="same"),
    "convolve2d(mode='same')": lambda y, t: signal.convolve2d(y, t, mode="same"),
    "fftconvolve(mode='same')": lambda y, t: signal.fftconvolve(y, t, mode="same"),
    "oaconvolve(mode='same')": lambda y, t: signal.oaconvolve(y, t, mode="same"),
}
TRANSPOSE_CALLS = {
    "correlate(mode='same')": lambda z, t: signal.correlate(z, t, mode="same"),
    "correlate2d(mode='same')": lambda z, t: signal.correlate2d(z, t, mode="same"),
    "fftconvolve(flipped, 'same')": lambda z, t: signal.fftconvolve(z, _flip(t), mode="same"),
    "oaconvolve(flipped, 'same')": lambda z, t: signal.oaconvolve(z, _flip(t), mode="same"),
}
GRADIENT_CALLS = {
    "correlate(mode='valid')": lambda p, w: signal.correlate(p, w, mode="valid"),
    "correlate2d(mode='valid')": lambda p, w: signal.correlate2d(p, w, mode="valid"),
    "fftconvolve(flipped, 'valid')": lambda p, w: signal.fftconvolve(p, _flip(w), mode="valid"),
    "oaconvolve(flipped, 'valid')": lambda p, w: signal.oaconvolve(p, _flip(w), mode="valid"),
}
# Periodic references (correctness of ConvPeriodic only, not timed).
PERIODIC_FORWARD = lambda y, t: signal.convolve2d(y, t, mode="same", boundary="wrap")  # noqa: E731
PERIODIC_TRANSPOSE = lambda z, t: signal.correlate2d(z, t, mode="same", boundary="wrap")  # noqa: E731
PERIODIC_GRADIENT = GRADIENT_CALLS["correlate2d(mode='valid')"]


def reference_forward(call, T, Y4):
    """Z_j = sum_i call(Y_i, theta_ij) per example; T (s1, s2, c_in, c_out), Y4 (n1, n2, c_in, n)."""
    n1, n2, c_in, n = Y4.shape
    Z4 = np.zeros((n1, n2, T.shape[3], n), order="F")
    for b in range(n):
        for j in range(T.shape[3]):
            out = Z4[:, :, j, b]
            for i in range(c_in):
                out += call(Y4[:, :, i, b], T[:, :, i, j])
    return Z4


def reference_transpose(call, T, Z4):
    """Y_i = sum_j call(Z_j, theta_ij) per example (call a correlation)."""
    n1, n2, c_out, n = Z4.shape
    Y4 = np.zeros((n1, n2, T.shape[2], n), order="F")
    for b in range(n):
        for i in range(T.shape[2]):
            out = Y4[:, :, i, b]
            for j in range(c_out):
                out += call(Z4[:, :, j, b], T[:, :, i, j])
    return Y4


def reference_gradient(call, Y4, W4, stencil_shape, pad_mode="constant"):
    """G_ij = flip(sum_b call(pad(Y_i), W_j)): d/dtheta_k <W, K Y> = sum_p w_p y_{p + c - k}.

    Y is padded by s - 1 - c before and c after (c = (s - 1) // 2) with zeros (zero boundary)
    or by wrapping (periodic); the 'valid' correlation then holds entry s - 1 - k at k.
    """
    widths = [(s - 1 - (s - 1) // 2, (s - 1) // 2) for s in stencil_shape] + [(0, 0), (0, 0)]
    P4 = np.pad(Y4, widths, mode=pad_mode)
    c_in, n, c_out = Y4.shape[2], Y4.shape[3], W4.shape[2]
    G = np.zeros(tuple(stencil_shape) + (c_in, c_out), order="F")
    for b in range(n):
        for i in range(c_in):
            for j in range(c_out):
                G[:, :, i, j] += call(P4[:, :, i, b], W4[:, :, j, b])
    return G[::-1, ::-1]


def fastest(calls, run, repeats):
    """(name, per-call dict of seconds) of the fastest candidate; all must agree."""
    times, results = {}, {}
    for name, call in calls.items():
        results[name] = run(call)
        times[name] = best_time(lambda: run(call), repeats)
    winner = min(times, key=times.get)
    for name, result in results.items():
        check(f"scipy.signal {name}", result, results[winner], winner)
    return winner, times


# --- PyTorch ---------------------------------------------------------------------------------
def torch_operations(T, Y4, W4, centre):
    """{operation: (call, to_ours)} for torch in float64, or None if torch is not installed.

    Tensors are (n, c, n1, n2); conv2d correlates, so the weight (c_out, c_in, s1, s2) is the
    stencil flipped in both image axes; conv_transpose2d with the same weight and padding is
    its transpose, and conv2d_weight its gradient in the weight (flipped back to theta).
    """
    try:
        import torch
        import torch.nn.functional as F
        import torch.nn.grad
    except ImportError:
        return None
    as_torch = lambda A: torch.from_numpy(np.ascontiguousarray(A.transpose(3, 2, 0, 1)))  # noqa: E731
    X, Wt = as_torch(Y4), as_torch(W4)
    weight = torch.from_numpy(np.ascontiguousarray(T[::-1, ::-1].transpose(3, 2, 0, 1)))
    assert X.dtype == weight.dtype == torch.float64
    pad = tuple(int(c) for c in centre)
    images_to_ours = lambda out: out.numpy().transpose(2, 3, 1, 0)  # noqa: E731
    weight_to_ours = lambda g: g.numpy().transpose(2, 3, 1, 0)[::-1, ::-1]  # noqa: E731

    def guarded(call):
        def run():
            with torch.no_grad():
                return call()
        return run

    return {
        "forward": (guarded(lambda: F.conv2d(X, weight, padding=pad)), images_to_ours),
        "transpose": (guarded(lambda: F.conv_transpose2d(Wt, weight, padding=pad)),
                      images_to_ours),
        "gradient": (guarded(lambda: torch.nn.grad.conv2d_weight(X, weight.shape, Wt,
                                                                 padding=pad)),
                     weight_to_ours),
    }, f"torch {torch.__version__}, {torch.get_num_threads()} threads"


# --- memory at 128 x 128 with 32 channels ---------------------------------------------------
def memory_table():
    """Peak memory (tracemalloc) of our kernels' operations on a large layer, beside the input."""
    rng = np.random.default_rng(1)
    kernels = {"ConvPeriodic (FFT)": ConvPeriodic, "ConvZero (im2col)": ConvZero}
    K0 = ConvZero(MEMORY_IMAGE_SHAPE, STENCIL_SHAPE, MEMORY_CHANNELS, MEMORY_CHANNELS)
    theta = rng.standard_normal(K0.n_theta)
    Y = rng.standard_normal((K0.n_in, N_EXAMPLES))
    W = rng.standard_normal((K0.n_out, N_EXAMPLES))
    w = vec(W)
    input_mb = Y.nbytes / 2**20
    rows = []
    for name, Conv in kernels.items():
        K = Conv(MEMORY_IMAGE_SHAPE, STENCIL_SHAPE, MEMORY_CHANNELS, MEMORY_CHANNELS)
        _, lin = K.linearize(theta, Y)
        calls = {"forward": lambda: K.apply(theta, Y),
                 "transpose": lambda: K.apply_transpose(theta, W),
                 "gradient": lambda: lin.J_theta.rmatvec(w)}
        for op in OPERATIONS:
            rows.append((name, op, peak_memory_mb(calls[op])))
        del lin
    n1, n2 = MEMORY_IMAGE_SHAPE
    print(f"peak memory: {N_EXAMPLES} images {n1}x{n2}, {MEMORY_CHANNELS} -> {MEMORY_CHANNELS} "
          f"channels, {STENCIL_SHAPE[0]}x{STENCIL_SHAPE[1]} stencils, float64 (tracemalloc, one "
          "call; input = the batch Y, the output included in the peak)")
    header = f"{'implementation':<20} | {'operation':<9} | {'input (MB)':>10} | " \
             f"{'peak memory (MB)':>16} | {'peak / input':>12}"
    print(header)
    print("-" * len(header))
    for name, op, mem in rows:
        print(f"{name:<20} | {op:<9} | {input_mb:>10.1f} | {mem:>16.1f} | {mem / input_mb:>12.2f}")


# --- the benchmark -------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats (best of)")
    parser.add_argument("--ref-images", type=int, default=16,
                        help="images for timing the scipy.signal reference (scaled to 64); "
                             "64 times it on the whole batch")
    args = parser.parse_args()
    repeats, m_ref = args.repeats, min(max(args.ref_images, 1), N_EXAMPLES)
    t_start = time.perf_counter()

    rng = np.random.default_rng(0)
    Kz = ConvZero(IMAGE_SHAPE, STENCIL_SHAPE, C_IN, C_OUT)
    Kp = ConvPeriodic(IMAGE_SHAPE, STENCIL_SHAPE, C_IN, C_OUT)
    theta = rng.standard_normal(Kz.n_theta)
    Y = rng.standard_normal((Kz.n_in, N_EXAMPLES))   # inputs, examples in columns
    W = rng.standard_normal((Kz.n_out, N_EXAMPLES))  # plays Z (transpose) and W (gradient)
    w = vec(W)
    T, Y4, W4 = Kz.stencils(theta), Kz.images(Y, C_IN), Kz.images(W, C_OUT)
    _, lin_z = Kz.linearize(theta, Y)
    _, lin_p = Kp.linearize(theta, Y)

    ours = {
        "ConvPeriodic (FFT)": {"forward": lambda: Kp.apply(theta, Y),
                               "transpose": lambda: Kp.apply_transpose(theta, W),
                               "gradient": lambda: lin_p.J_theta.rmatvec(w)},
        "ConvZero (im2col)": {"forward": lambda: Kz.apply(theta, Y),
                              "transpose": lambda: Kz.apply_transpose(theta, W),
                              "gradient": lambda: lin_z.J_theta.rmatvec(w)},
    }
    # ours in the layouts the references produce: images (n1, n2, c, n) and stencils
    as_images = {"forward": lambda A: Kz.images(A, C_OUT),
                 "transpose": lambda A: Kz.images(A, C_IN),
                 "gradient": lambda g: Kz.stencils(g)}

    # scipy.signal: pick the fastest 2D call per operation on the first example
    first = slice(0, 1)
    runs = {
        "forward": lambda call, n=N_EXAMPLES: reference_forward(call, T, Y4[..., :n]),
        "transpose": lambda call, n=N_EXAMPLES: reference_transpose(call, T, W4[..., :n]),
        "gradient": lambda call, n=N_EXAMPLES: reference_gradient(
            call, Y4[..., :n], W4[..., :n], STENCIL_SHAPE),
    }
    candidates = {"forward": FORWARD_CALLS, "transpose": TRANSPOSE_CALLS,
                  "gradient": GRADIENT_CALLS}
    chosen, selection = {}, {}
    for op in OPERATIONS:
        chosen[op], selection[op] = fastest(
            candidates[op], lambda call: runs[op](call, first.stop), max(repeats, 3))

    # correctness on the full benchmark data, before any timing
    errors = {}
    reference, reference_memory = {}, {}
    for op in OPERATIONS:  # full size, traced: also the reference's peak memory for the table
        reference[op], reference_memory[op] = traced_call(
            lambda: runs[op](candidates[op][chosen[op]]))
    for op in OPERATIONS:
        errors[("ConvZero (im2col)", op)] = check(
            f"ConvZero {op}", as_images[op](ours["ConvZero (im2col)"][op]()), reference[op],
            "scipy.signal")
    periodic_reference = {
        "forward": reference_forward(PERIODIC_FORWARD, T, Y4),
        "transpose": reference_transpose(PERIODIC_TRANSPOSE, T, W4),
        "gradient": reference_gradient(PERIODIC_GRADIENT, Y4, W4, STENCIL_SHAPE, "wrap"),
    }
    for op in OPERATIONS:
        errors[("ConvPeriodic (FFT)", op)] = check(
            f"ConvPeriodic {op}", as_images[op](ours["ConvPeriodic (FFT)"][op]()),
            periodic_reference[op], "periodic scipy.signal (boundary='wrap')")
    torch_ops = torch_operations(T, Y4, W4, Kz.centre)
    torch_info = "torch not installed"
    if torch_ops is not None:
        torch_ops, torch_info = torch_ops
        for op in OPERATIONS:
            call, to_ours = torch_ops[op]
            errors[("PyTorch CPU", op)] = check(f"torch {op}", to_ours(call()),
                                                as_images[op](ours["ConvZero (im2col)"][op]()),
                                                "ConvZero")

    # timing and memory
    rows = []
    scale = N_EXAMPLES / m_ref
    t_ref = {}
    for op in OPERATIONS:
        call = candidates[op][chosen[op]]
        t_ref[op] = best_time(lambda: runs[op](call, m_ref), repeats) * scale
        rows.append(("scipy.signal (loops)", op, t_ref[op], reference_memory[op],
                     "*" if m_ref < N_EXAMPLES else ""))
    for name, ops in ours.items():
        for op in OPERATIONS:
            rows.append((name, op, best_time(ops[op], repeats), peak_memory_mb(ops[op]), ""))
    for op in OPERATIONS:
        if torch_ops is None:
            rows.append(("PyTorch CPU", op, None, None, ""))
        else:
            rows.append(("PyTorch CPU", op, best_time(torch_ops[op][0], repeats), "n/a", ""))

    # the table
    print(f"conv2d benchmark: {N_EXAMPLES} images {IMAGE_SHAPE[0]}x{IMAGE_SHAPE[1]}, "
          f"{C_IN} -> {C_OUT} channels, {STENCIL_SHAPE[0]}x{STENCIL_SHAPE[1]} stencils, float64 | "
          f"numpy {np.__version__}, scipy {scipy.__version__}, Python {platform.python_version()}, "
          f"{torch_info} | best of {repeats} repeats")
    header = f"{'implementation':<20} | {'operation':<9} | {'time (ms)':>13} | " \
             f"{'ratio to scipy.signal':>21} | {'peak memory (MB)':>16}"
    print(header)
    print("-" * len(header))
    for name, op, t, mem, flag in rows:
        if t is None:
            print(f"{name:<20} | {op:<9} | {'not installed':>13} | {'':>21} | {'':>16}")
            continue
        mem_text = mem if isinstance(mem, str) else f"{mem:.1f}"
        print(f"{name:<20} | {op:<9} | {1e3 * t:>12.1f}{flag or ' '} | "
              f"{t / t_ref[op]:>21.3g} | {mem_text:>16}")
    print()
    for op in OPERATIONS:
        others = ", ".join(f"{k} {1e3 * v:.0f} ms" for k, v in selection[op].items())
        print(f"scipy.signal {op}: per-pair call {chosen[op]} (fastest on 1 example x "
              f"{C_IN}x{C_OUT} channel pairs: {others})")
    if m_ref < N_EXAMPLES:
        print(f"* scipy.signal timed on {m_ref} of {N_EXAMPLES} images (best of {repeats}) and "
              f"scaled linearly by {scale:g} (its loop over examples is outermost, same work "
              f"per example); its memory is measured on all {N_EXAMPLES} images.")
    worst = max(errors.items(), key=lambda item: item[1])
    print(f"checked before timing: max|A - B| / max|B| < {RTOL:g} for every row (largest: "
          f"{worst[0][0]} {worst[0][1]} {worst[1]:.1e}); ConvZero against the scipy.signal "
          "reference, torch (when installed) against ConvZero, ConvPeriodic against a periodic "
          "scipy.signal reference (convolve2d/correlate2d boundary='wrap', wrap-padded "
          "correlate2d for the gradient; checked, not timed).")
    print("peak memory: tracemalloc over one untimed call (numpy buffers; library-internal "
          "scratch not seen); torch's allocator is invisible to tracemalloc, hence n/a.")
    print()
    memory_table()
    print(f"total run time {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
