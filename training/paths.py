"""Where training reads data and writes the model: shared by train, evaluate, tune and benchmarks.

No TensorFlow here, so importing these facts stays cheap.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "data"
MODELS_DIR = ROOT / "models"
MODEL_FILE = "letter_cnn.keras"
