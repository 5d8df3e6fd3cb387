"""Where training reads data and writes the model: shared by train, evaluate, tune and benchmarks.

No TensorFlow here, so importing these facts stays cheap.
"""

from pathlib import Path

from handwriting.classifier import MODEL_FILE, MODELS_DIR  # noqa: F401 (re-exported for training)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "data"
