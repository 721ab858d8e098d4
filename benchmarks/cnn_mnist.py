"""Residual CNN on the MNIST sample: meganet's training beside the same network in PyTorch.

What it measures
----------------
The network is meganet.networks.residual_cnn() with its defaults: per stage a 3x3 zero-padded
convolution c_prev -> c with one bias per channel and relu, then N = 2 residual steps
    Y <- Y - h K^T relu(K Y + b),   h = T/N = 1/2,   K a c -> c 3x3 convolution,
then 2x2 average pooling; channels (4, 8), so 28x28x1 -> 14x14x4 -> 7x7x8 = 392 features;
the classifier is S = W [Z; 1] (a linear map with bias), the loss the softmax cross-entropy
averaged over the examples plus alpha_p/2 |p|^2 + alpha_W/2 |W|^2 (meganet.optim.train's
defaults alpha_p = 1e-3, alpha_W = 1e-6, on both sides). 1800 network parameters.

Data: meganet.data.mnist_sample() (5000 images, seed 0) split by meganet.data.split_data into
4000 training and 1000 test images (fractions (0.8, 0.2), seed 0, stratified).

Ours: meganet.optim.train(network, training data, test data, method=METHOD, epochs=E,
batch_size, learning_rate, seed=0) from p0 = network.initial_parameters(0, bias_scale=0.1)
and W = 0.
PyTorch (CPU, float64, when importable): the same network written with torch.nn.functional
(conv2d with the stencils flipped, since torch correlates; conv_transpose2d with the same
weight for K^T; avg_pool2d; a linear classifier), started from OUR initial parameters (copied
in), trained with torch.optim.SGD(momentum) / torch.optim.Adam with the same hyper-parameters
on the same mini-batches in the same order (the permutations of numpy's default_rng(0), as
meganet.optim.sgd draws them). Before any timing the script checks, on a few training images,
that the two forward passes (features Z and the loss), the gradients and J_theta^T
(back-propagation of a random W) agree to 1e-10 relative; after the E epochs it prints how far
the two parameter vectors are apart.

Printed:
  - J_theta^T (back-propagation through the network) for one batch of 100 and of 32 images:
    ours lin.JthetaT(W) after Z, lin = network.linearize(p, Y) (built outside the timing),
    torch's autograd.grad(Z, params, W) after a forward pass kept for it; best of --repeats.
    Also the forward pass that keeps what J_theta^T needs (linearize / forward with autograd).
  - seconds per epoch of training: the mini-batch steps alone (a loop over the same batches
    that computes the batch objective's gradient, objective.subset(batch).derivatives(x), and
    the same momentum/Adam update as meganet.optim.sgd; checked to give train()'s result), and
    train()'s own time per epoch, which also evaluates every epoch the objective and gradient
    on all training data and the training and test accuracy (torch does the same monitoring
    in its second column);
  - test and training accuracy and the objective after E epochs for both.
Settings: bias_scale 0.1 as lecture 11 starts this network (with the default 1, Adam at a rate
>= 0.01 and SGD did not learn in 3 epochs); Adam's rate is the one of {0.005, 0.01, 0.02}
with the best training accuracy after 3 epochs (batch 32; a torch run, no test data used for the
choice); --method sgd (momentum 0.9, rate 0.05 of {0.02, 0.05, 0.1}) chosen the same way.

Timings are wall-clock (time.perf_counter); by default every BLAS/OpenMP pool is limited to
one thread (threadpoolctl) and torch.set_num_threads(1), --threads changes both. The machine
is shared: compare the ratios printed in one run.

To get torch without making it a dependency, use a separate virtual environment, e.g.
    python3.11 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch==2.13.0
    /tmp/torchvenv/bin/pip install -e .   &&   /tmp/torchvenv/bin/python benchmarks/cnn_mnist.py
Without torch it prints "PyTorch not installed: reference column skipped" and times ours.

Run (from the repository root; a few minutes on 2 cores):
    .venv/bin/python benchmarks/cnn_mnist.py [--epochs 3] [--method adam] [--threads 1]
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
from threadpoolctl import threadpool_limits

from meganet.data import class_labels, mnist_sample, split_data
from meganet.kernels import ConvZero
from meganet.layers import LinearMap, SingleLayer, SymmetricLayer
from meganet.losses import SoftmaxCrossEntropy
from meganet.networks import ResNet, residual_cnn
from meganet.objectives import NetworkObjective
from meganet.optim import train

OPTIONS = {  # method: hyper-parameters (the same on both sides); see "Settings" above
    "adam": dict(batch_size=32, learning_rate=0.01),
    "sgd": dict(batch_size=32, learning_rate=0.05, momentum=0.9),
}
ALPHA_P, ALPHA_W = 1e-3, 1e-6  # meganet.optim.train's defaults
BIAS_SCALE = 0.1  # initial biases N(0, 0.1^2), as lecture 11 starts this network
RTOL = 1e-10


def best_time(fun, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fun()
        times.append(time.perf_counter() - start)
    return min(times)


def relative_difference(A, B):
    A, B = np.asarray(A), np.asarray(B)
    return float(np.max(np.abs(A - B)) / np.max(np.abs(B)))


# --- our network's parameters in torch's layout, and back ------------------------------------
# A batch Y (n1 n2 c, n) of ours is, example by example, the C-order array (c, n2, n1): torch's
# (N, C, H, W) with H = our second image axis and W = our first, so flattening agrees with vec.
# Our K y is a true convolution (K y)_p = sum_k theta_k y_{p + c - k}; torch's conv2d correlates:
# its weight[j, i, a, b] is our stencil theta[s1 - 1 - b, s2 - 1 - a, i, j].
def stencils_to_weight(T):
    """Our stencils (s1, s2, c_in, c_out) -> torch conv2d weight (c_out, c_in, s2, s1)."""
    return np.ascontiguousarray(T[::-1, ::-1].transpose(3, 2, 1, 0))


def weight_to_stencils(w):
    return w.transpose(3, 2, 1, 0)[::-1, ::-1]


def network_stages(net):
    """The network as a list of ('open', layer) / ('resnet', resnet) / ('pool', map) entries."""
    stages = []
    for element in net.elements:
        if isinstance(element, SingleLayer) and isinstance(element.kernel, ConvZero):
            stages.append(("open", element))
        elif isinstance(element, ResNet) and isinstance(element.layer, SymmetricLayer):
            stages.append(("resnet", element))
        elif isinstance(element, LinearMap):
            stages.append(("pool", element))
        else:
            raise TypeError(f"no torch translation for {element!r}")
    for kind, e in stages:
        if kind != "pool":
            K = e.kernel if kind == "open" else e.layer.K
            assert K.stencil_shape == (3, 3) and tuple(K.centre) == (1, 1)
            assert (e.sigma if kind == "open" else e.layer.sigma).name == "relu"
            assert (e.bias if kind == "open" else e.layer.bias).kind == "channel"
    return stages


def to_torch_arrays(net, p, W):
    """[(weight, bias) per convolution in network order], W0 (10, 392), w_bias (10,)."""
    arrays = []
    for (kind, e), p_e in zip(network_stages(net), net.split(p)):
        if kind == "open":
            theta, b = e.split(p_e)
            arrays.append((stencils_to_weight(e.kernel.stencils(theta)), b.copy()))
        elif kind == "resnet":
            Theta = e.step_parameters(p_e)
            for j in range(e.n_steps):
                theta, b = e.layer.split(Theta[:, j])
                arrays.append((stencils_to_weight(e.layer.K.stencils(theta)), b.copy()))
    return arrays, np.ascontiguousarray(W[:, :-1]), W[:, -1].copy()


def from_torch_arrays(net, arrays):
    """Our parameter vector p from [(weight, bias)] in network order (inverse of to_torch_arrays)."""
    parts, it = [], iter(arrays)
    for kind, e in network_stages(net):
        if kind == "open":
            w, b = next(it)
            parts.append(np.concatenate([weight_to_stencils(w).reshape(-1, order="F"), b]))
        elif kind == "resnet":
            cols = []
            for _ in range(e.n_steps):
                w, b = next(it)
                cols.append(np.concatenate([weight_to_stencils(w).reshape(-1, order="F"), b]))
            parts.append(np.stack(cols, axis=1).reshape(-1, order="F"))
    return np.concatenate(parts)


class TorchCNN:
    """residual_cnn's maths in torch.nn.functional, float64; parameters are leaf tensors."""

    def __init__(self, torch, net, p, W):
        import torch.nn.functional as F
        self.torch, self.F, self.stages = torch, F, network_stages(net)
        arrays, W0, w_bias = to_torch_arrays(net, p, W)
        leaf = lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True)  # noqa: E731
        self.convs = [(leaf(w), leaf(b)) for w, b in arrays]
        self.W0, self.w_bias = leaf(W0), leaf(w_bias)
        self.net_params = [t for pair in self.convs for t in pair]
        self.params = self.net_params + [self.W0, self.w_bias]

    def features(self, X):
        F, it = self.F, iter(self.convs)
        for kind, e in self.stages:
            if kind == "open":
                w, b = next(it)
                X = F.relu(F.conv2d(X, w, b, padding=1))
            elif kind == "resnet":
                for _ in range(e.n_steps):
                    w, b = next(it)
                    X = X - e.h * F.conv_transpose2d(F.relu(F.conv2d(X, w, b, padding=1)), w,
                                                     padding=1)
            else:
                X = F.avg_pool2d(X, 2)
        return X.flatten(1)

    def scores(self, X):
        return self.features(X) @ self.W0.T + self.w_bias

    def objective(self, X, labels):
        torch = self.torch
        loss = self.F.cross_entropy(self.scores(X), labels)
        reg_p = sum(torch.sum(t * t) for t in self.net_params)
        reg_W = torch.sum(self.W0 * self.W0) + torch.sum(self.w_bias * self.w_bias)
        return loss + 0.5 * ALPHA_P * reg_p + 0.5 * ALPHA_W * reg_W

    def accuracy(self, X, labels):
        with self.torch.no_grad():
            return float((self.scores(X).argmax(1) == labels).double().mean())

    def as_ours(self, net, tensors):
        """Tensors shaped like `net_params` (and optionally W0, w_bias after them) -> our vector."""
        arrays = [t.detach().numpy() for t in tensors]
        k = len(self.convs)
        p = from_torch_arrays(net, [(arrays[2 * i], arrays[2 * i + 1]) for i in range(k)])
        if len(arrays) == 2 * k:
            return p
        W = np.hstack([arrays[2 * k], arrays[2 * k + 1][:, None]])
        return np.concatenate([p, W.reshape(-1, order="F")])

    def vector(self, net):
        """[p; vec(W)] in our layout."""
        return self.as_ours(net, self.params)


def torch_images(Y):
    """Our batch (784, n) -> numpy (n, 1, 28, 28) in torch's layout (H = our axis 2)."""
    return np.ascontiguousarray(Y.T).reshape(Y.shape[1], 1, 28, 28)


# --- the two training loops over the same batches ---------------------------------------------
def batches(n, batch_size, epoch_rng):
    order = epoch_rng.permutation(n)
    return [order[first:first + batch_size] for first in range(0, n, batch_size)]


def our_bare_epochs(objective, x, method, options, epochs, seed=0):
    """meganet.optim.sgd's mini-batch loop without its per-epoch records: (x, seconds/epoch)."""
    rng = np.random.default_rng(seed)
    lr, bs = options["learning_rate"], options["batch_size"]
    v, m, s, k = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x), 0
    b1, b2, eps = 0.9, 0.999, 1e-8
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        for batch in batches(objective.Y.shape[1], bs, rng):
            g = objective.subset(batch).derivatives(x)[1]
            k += 1
            if method == "sgd":
                v = options["momentum"] * v - lr * g
                x = x + v
            else:
                m = b1 * m + (1 - b1) * g
                s = b2 * s + (1 - b2) * g * g
                x = x - lr * (m / (1 - b1 ** k)) / (np.sqrt(s / (1 - b2 ** k)) + eps)
        times.append(time.perf_counter() - start)
    return x, times


def torch_training(torch, model, X, labels, X_test, labels_test, method, options, epochs,
                   monitor, seed=0):
    """Train the torch model in place on our batches: (seconds per epoch, records per epoch)."""
    if method == "sgd":
        opt = torch.optim.SGD(model.params, lr=options["learning_rate"],
                              momentum=options["momentum"])
    else:
        opt = torch.optim.Adam(model.params, lr=options["learning_rate"], betas=(0.9, 0.999),
                               eps=1e-8)
    rng = np.random.default_rng(seed)
    times, records = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        for batch in batches(X.shape[0], options["batch_size"], rng):
            idx = torch.from_numpy(batch)
            opt.zero_grad(set_to_none=True)
            model.objective(X[idx], labels[idx]).backward()
            opt.step()
        if monitor:  # what train() records every epoch: objective and gradient on all
            loss = model.objective(X, labels)  # training data, training and test accuracy
            torch.autograd.grad(loss, model.params)
            records.append((float(loss.detach()), model.accuracy(X, labels),
                            model.accuracy(X_test, labels_test)))
        times.append(time.perf_counter() - start)
    return times, records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--method", choices=sorted(OPTIONS), default="adam")
    parser.add_argument("--threads", type=int, default=1, help="threads for numpy's BLAS and torch")
    parser.add_argument("--repeats", type=int, default=5,
                        help="repeats of the J_theta^T timing (best of)")
    args = parser.parse_args(argv)
    with threadpool_limits(args.threads if args.threads > 0 else None):
        run(args)


def run(args):
    method, options, E = args.method, OPTIONS[args.method], args.epochs
    t_start = time.perf_counter()
    try:
        import torch
    except ImportError:
        torch = None

    Y, C = mnist_sample(seed=0)
    (Y_train, C_train), (Y_test, C_test) = split_data(Y, C, (0.8, 0.2), seed=0)
    net = residual_cnn()
    p0 = net.initial_parameters(0, bias_scale=BIAS_SCALE)
    n_classes, n_features = C.shape[0], net.n_out
    W0 = np.zeros((n_classes, n_features + 1))
    if torch is not None:
        torch.set_num_threads(max(args.threads, 1) if args.threads > 0 else torch.get_num_threads())
        X_train = torch.from_numpy(torch_images(Y_train))
        X_test = torch.from_numpy(torch_images(Y_test))
        l_train = torch.from_numpy(class_labels(C_train))
        l_test = torch.from_numpy(class_labels(C_test))

    checks = []
    # --- correctness first: forward pass and back-propagation on a few images ---------------
    rng = np.random.default_rng(1)
    few = Y_train[:, :5]
    W_rand = rng.standard_normal((n_classes, n_features + 1))
    if torch is not None:
        model = TorchCNN(torch, net, p0, W_rand)
        Xf = torch.from_numpy(torch_images(few))
        Z_ours, lin = net.linearize(p0, few)
        Z_torch = model.features(Xf)
        checks.append(("features Z (5 images)",
                       relative_difference(Z_torch.detach().numpy().T, Z_ours)))
        obj5 = NetworkObjective(net, SoftmaxCrossEntropy(), few, C_train[:, :5], ALPHA_P, ALPHA_W)
        x5 = np.concatenate([p0, W_rand.reshape(-1, order="F")])
        J5, g5, _ = obj5.derivatives(x5)
        loss5 = model.objective(Xf, l_train[:5])
        g5_torch = model.as_ours(net, torch.autograd.grad(loss5, model.params))
        checks.append(("objective J (5 images)", relative_difference(float(loss5.detach()), J5)))
        checks.append(("gradient of J = [J_theta^T ...; dJ/dW]", relative_difference(g5_torch, g5)))
        Wz = rng.standard_normal(Z_ours.shape)
        jt_torch = model.as_ours(net, torch.autograd.grad(
            Z_torch, model.net_params, torch.from_numpy(np.ascontiguousarray(Wz.T))))
        checks.append(("J_theta^T w (random w)", relative_difference(jt_torch, lin.JthetaT(Wz))))
        for name, err in checks:
            assert err < RTOL, f"torch and meganet differ in {name}: {err:.2e}"

    # --- J_theta^T for one batch ---------------------------------------------------------------
    jt = {}
    for n in (100, 32):
        Yb = Y_train[:, :n]
        Wb = rng.standard_normal((n_features, n))
        t_lin = best_time(lambda: net.linearize(p0, Yb), args.repeats)
        _, lin = net.linearize(p0, Yb)
        t_jt = best_time(lambda: lin.JthetaT(Wb), args.repeats)
        jt[n] = {"ours": (t_lin, t_jt)}
        if torch is not None:
            Xb, Wt = torch.from_numpy(torch_images(Yb)), torch.from_numpy(np.ascontiguousarray(Wb.T))
            t_fwd = best_time(lambda: model.features(Xb), args.repeats)
            Zt = model.features(Xb)
            t_bwd = best_time(lambda: torch.autograd.grad(Zt, model.net_params, Wt, retain_graph=True),
                              args.repeats)
            jt[n]["torch"] = (t_fwd, t_bwd)

    # --- training ------------------------------------------------------------------------------
    start = time.perf_counter()
    result = train(net, Y_train, C_train, Y_test, C_test, method=method, alpha_p=ALPHA_P,
                   alpha_W=ALPHA_W, seed=0, p0=p0, W0=W0, epochs=E, **options)
    ours_train_wall = time.perf_counter() - start
    h = result.history
    objective = NetworkObjective(net, SoftmaxCrossEntropy(), Y_train, C_train, ALPHA_P, ALPHA_W)
    x0 = np.concatenate([p0, W0.reshape(-1, order="F")])
    x_bare, bare_times = our_bare_epochs(objective, x0, method, options, E)
    bare_vs_train = relative_difference(x_bare, result.x)
    assert bare_vs_train < 1e-12, f"the bare loop is not train()'s: {bare_vs_train:.1e}"
    ours = dict(bare=np.median(bare_times), monitored=ours_train_wall / E,
                test=1 - h["val_error"][-1], train=1 - h["train_error"][-1], fun=h["fun"][-1])
    if torch is not None:
        model = TorchCNN(torch, net, p0, W0)
        t_bare, _ = torch_training(torch, model, X_train, l_train, X_test, l_test, method,
                                   options, E, monitor=False)
        x_torch = model.vector(net)
        model = TorchCNN(torch, net, p0, W0)
        t_mon, records = torch_training(torch, model, X_train, l_train, X_test, l_test,
                                        method, options, E, monitor=True)
        theirs = dict(bare=np.median(t_bare), monitored=np.mean(t_mon), test=records[-1][2],
                      train=records[-1][1], fun=records[-1][0])
        drift = relative_difference(x_torch, result.x)

    # --- the table -----------------------------------------------------------------------------
    torch_info = (f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)" if torch is not None
                  else "torch not installed")
    print(f"residual CNN {net.n_params} parameters (channels (4, 8), 2 parabolic steps per stage, "
          f"relu, 3x3 zero boundary, 2x2 average pooling) on the MNIST sample: "
          f"{Y_train.shape[1]} train / {Y_test.shape[1]} test images, float64")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"numpy {np.__version__}, Python {platform.python_version()}, BLAS threads {args.threads}, "
          f"{torch_info}; {os.cpu_count()} CPUs, load average {load:.1f} at the end")
    print(f"training: {method} {options}, alpha_p={ALPHA_P:g}, alpha_W={ALPHA_W:g}, {E} epochs, "
          f"same initial parameters and batch order on both sides\n")
    if torch is None:
        print("PyTorch not installed: reference column skipped\n")
    else:
        print("checked before timing (max|A - B| / max|B|, torch against meganet): "
              + "; ".join(f"{name} {err:.1e}" for name, err in checks))
    head = f"{'':<58} | {'meganet':>10} | {'PyTorch':>10} | {'ours / torch':>12}"
    print(head + "\n" + "-" * len(head))

    def row(label, a, b, spec, ratio=True):
        b_text = format(b, spec) if b is not None else "-"
        r_text = f"{a / b:12.2f}" if (b is not None and ratio) else f"{'':>12}"
        print(f"{label:<58} | {format(a, spec):>10} | {b_text:>10} | {r_text}")

    for n in (100, 32):
        o, t = jt[n]["ours"], jt[n].get("torch")
        row(f"forward pass kept for back-propagation, batch {n} (ms)", 1e3 * o[0],
            None if t is None else 1e3 * t[0], ".2f")
        row(f"J_theta^T (back-propagation), batch {n} (ms)", 1e3 * o[1],
            None if t is None else 1e3 * t[1], ".2f")
    T = theirs if torch is not None else {}
    row("training s/epoch: mini-batch steps only", ours["bare"], T.get("bare"), ".2f")
    row("training s/epoch with train()'s per-epoch monitoring", ours["monitored"],
        T.get("monitored"), ".2f")
    row(f"test accuracy after {E} epochs (%)", 100 * ours["test"],
        None if not T else 100 * T["test"], ".2f", ratio=False)
    row(f"training accuracy after {E} epochs (%)", 100 * ours["train"],
        None if not T else 100 * T["train"], ".2f", ratio=False)
    row(f"objective after {E} epochs", ours["fun"], T.get("fun"), ".5f", ratio=False)
    print()
    if torch is not None:
        gap = abs(ours["test"] - theirs["test"])
        print(f"parameters after {E} epochs: max|x_torch - x_ours| / max|x_ours| = {drift:.1e} "
              f"(same maths, round-off only); test accuracies differ by {100 * gap:.2f} points")
        fast = ours["bare"] <= 2 * theirs["bare"]
        print(f"target: ours within 2x of torch per epoch (mini-batch steps): "
              f"{ours['bare'] / theirs['bare']:.2f}x -> {'met' if fast else 'NOT met'}; "
              f"same accuracy within 0.5 points -> {'met' if gap <= 0.005 else 'NOT met'}")
    print(f"the bare loop reproduces train()'s parameters to {bare_vs_train:.0e}; "
          f"train() evaluates every epoch J and its gradient on all {Y_train.shape[1]} training "
          "images and the training and test accuracy (torch's second column does the same)")
    print(f"total run time {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
