"""In-process latency of one canvas prediction: the app's path against Keras' model.predict.

    python -m benchmarks.latency [--runs 500]

The app's path is what /api/predict does with the bytes: open_image -> recognize (preprocessing
and the model's traced call). A 12-megapixel JPEG photo is timed too, decoded at reduced scale
as the app does and in full. The naive baselines use keras_model.predict: on the same frame
alone, and as the whole path (the same preprocessing, then predict). TensorFlow runs with the
environment gunicorn.conf.py gives the workers.
"""

import argparse
import os
import runpy
from pathlib import Path

for _setting in runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))["raw_env"]:
    os.environ.setdefault(*_setting.split("=", 1))

from benchmarks.common import canvas_png, photo_jpeg, print_table, save, summary, timed  # noqa: E402
from handwriting.ink import WORK_SIDE, image_to_frame  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp import uploads  # noqa: E402
from webapp.images import open_image  # noqa: E402
from webapp.recognition import recognize  # noqa: E402


def run(runs=500):
    """Measure each step `runs` times; return the results (also saved as results/latency.json)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "benchmark"})
    model = app.extensions["letter_model"]
    if not model.available:
        raise SystemExit(model.error)
    with app.app_context():
        limits = uploads.limits()
    png = canvas_png()
    frame = image_to_frame(open_image(png, limits))
    batch = frame[None, :, :, None]
    photo = photo_jpeg()
    photo_runs = max(10, runs // 10)

    result = {
        "runs": runs,
        "picture": "280x280 canvas PNG",
        "app_path": summary(timed(lambda: recognize(open_image(png, limits), model), runs)),
        "preprocessing": summary(timed(lambda: image_to_frame(open_image(png, limits)), runs)),
        "model_call": summary(timed(lambda: model.probabilities(frame[None]), runs)),
        "keras_predict": summary(timed(lambda: model.keras_model.predict(batch, verbose=0), runs)),
        "predict_path": summary(timed(lambda: model.keras_model.predict(
            image_to_frame(open_image(png, limits))[None, :, :, None], verbose=0), runs)),
        "photo_app_path": summary(timed(
            lambda: recognize(open_image(photo, limits, WORK_SIDE), model), photo_runs, warmup=3)),
        "photo_full_decode": summary(timed(
            lambda: recognize(open_image(photo, limits), model), photo_runs, warmup=3)),
    }
    app_p50 = result["app_path"]["p50_ms"]
    result["speedup_vs_predict_path"] = result["predict_path"]["p50_ms"] / app_p50
    result["speedup_vs_predict_alone"] = result["keras_predict"]["p50_ms"] / app_p50
    result["speedup_model_call_vs_predict"] = result["keras_predict"]["p50_ms"] / result["model_call"]["p50_ms"]
    save("latency", result)
    return result


def report(result):
    rows = [(name, result[key]["p50_ms"], result[key]["p95_ms"]) for name, key in [
        ("app path: bytes -> open_image -> recognize", "app_path"),
        ("  of which preprocessing (bytes -> frame)", "preprocessing"),
        ("  of which the model call", "model_call"),
        ("baseline: bytes -> preprocessing -> keras_model.predict", "predict_path"),
        ("baseline: keras_model.predict(frame) alone", "keras_predict"),
        ("12 MP JPEG photo: app path (decoded at reduced scale)", "photo_app_path"),
        ("12 MP JPEG photo: the same, decoded in full", "photo_full_decode"),
    ]]
    print_table(rows, ["in-process, one picture", "p50 ms", "p95 ms"])
    print(f"app path: {result['speedup_vs_predict_path']:.1f}x faster than the predict path, "
          f"{result['speedup_vs_predict_alone']:.1f}x faster than predict alone; model call vs predict: "
          f"{result['speedup_model_call_vs_predict']:.1f}x ({result['runs']} runs each)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=500, help="timed calls per measurement (default 500)")
    report(run(parser.parse_args(argv).runs))


if __name__ == "__main__":
    main()
