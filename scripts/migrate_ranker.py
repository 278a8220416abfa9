"""Convert a format-2 ``models/`` folder (ranker pickled in ``classifier.joblib``) to format 3
(``ranker.npz``: numpy arrays + JSON) without retraining, so every score stays the same.

    python scripts/migrate_ranker.py [models/ models/static/ ...]

Needs the training extra (scikit-learn, joblib). The pickle is unpickled only after its sha256
matches the old manifest, and the converted ranker must give the same probabilities as the pickled
one (to 1e-12) on random inputs before anything is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher import persist  # noqa: E402
from matcher.fused import CLASSIFIER_FILE, read_ranker, save_ranker  # noqa: E402

OLD_FILE = "classifier.joblib"


def _same_predictions(old, new, rng: np.random.Generator) -> None:
    for name in ("classifier", "fusion", "scope"):
        a, b = getattr(old, name), getattr(new, name)
        X = rng.normal(size=(64, b.n_features_in_))
        gap = float(np.abs(a.predict_proba(X) - b.predict_proba(X)).max())
        if gap > 1e-12:
            raise SystemExit(f"{name}: numpy and scikit-learn probabilities differ by {gap:.2e}")


def migrate(models_dir: Path) -> None:
    import joblib

    manifest = json.loads((models_dir / persist.MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format_version") == persist.FORMAT_VERSION:
        print(f"{models_dir}: already format {persist.FORMAT_VERSION}")
        return
    if manifest.get("format_version") != 2:
        raise SystemExit(f"{models_dir}: format {manifest.get('format_version')!r}; run `rolematch build`")
    path = models_dir / OLD_FILE
    if persist.sha256_file(path) != manifest["files"].get(OLD_FILE):
        raise SystemExit(f"{path} does not match its manifest; refusing to unpickle it")
    old = joblib.load(path)
    new_path = save_ranker(old, models_dir)
    _same_predictions(old, read_ranker(new_path), np.random.default_rng(0))
    files = dict(manifest["files"])
    files.pop(OLD_FILE)
    files[CLASSIFIER_FILE] = persist.sha256_file(new_path)
    manifest["files"] = dict(sorted(files.items()))
    manifest["format_version"] = persist.FORMAT_VERSION
    old_version = manifest.get("model_version")
    persist.write_manifest(models_dir, manifest)
    card = models_dir / "MODEL_CARD.md"
    if card.is_file() and old_version:
        card.write_text(card.read_text(encoding="utf-8").replace(old_version, manifest["model_version"]))
    path.unlink()
    print(f"{models_dir}: {OLD_FILE} → {CLASSIFIER_FILE}, model version {manifest['model_version']}")


def main(argv: list[str]) -> None:
    for folder in argv or [str(ROOT / "models"), str(ROOT / "models" / "static")]:
        migrate(Path(folder))


if __name__ == "__main__":
    main(sys.argv[1:])
