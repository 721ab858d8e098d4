import matplotlib

# Unit tests draw off screen. Not via MPLBACKEND: that would reach the notebook kernels nbval
# starts, where the inline backend must render every figure so that drawing errors surface.
matplotlib.use("Agg")
