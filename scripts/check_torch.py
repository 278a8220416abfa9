"""Install guard: rolematch needs the CPU build of torch; fail loudly if a CUDA build came in."""

import sys

import torch

if torch.version.cuda is not None:
    sys.exit(
        f"torch {torch.__version__} is a CUDA build (CUDA {torch.version.cuda}); rolematch pins the CPU build "
        "torch==2.13.0. Reinstall it with: pip install --force-reinstall torch==2.13.0"
    )
print(f"torch {torch.__version__} (CPU build): ok")
