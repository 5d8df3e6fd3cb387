"""In-process latency of one canvas prediction, for one model runtime (LiteRT or Keras).

    python -m benchmarks.latency [--runtime litert|keras] [--runs 500]

The app's path is what /api/predict does with the bytes: open_image -> recognize (preprocessing
and the model call) -> the top five letters. A 12-megapixel JPEG photo is timed too, decoded at
reduced scale as the app does and in full. With the Keras runtime, the naive baselines use
keras_model.predict: on the same frame alone, and as the whole path (the same preprocessing,
then predict). TensorFlow runs with the environment gunicorn.conf.py gives the workers.
"""

import argparse
import os
import runpy
from pathlib import Path

for _setting in runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))["raw_env"]:
    os.environ.setdefault(*_setting.split("=", 1))

from benchmarks.common import canvas_png, cpu_ms, photo_jpeg, print_table, save, summary, timed  # noqa: E402
from handwriting.ink import WORK_SIDE, image_to_frame  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp import uploads  # noqa: E402
from webapp.images import open_image  # noqa: E402
from handwriting.single_letter import recognize  # noqa: E402

STEPS = [  # (key, what) in the order reported
    ("app_path", "app path: bytes -> open_image -> recognize -> top 5"),
    ("preprocessing", "  of which preprocessing (bytes -> frame)"),
    ("decoding", "    of which decoding the PNG (bytes -> Pillow image)"),
    ("model_call", "  of which the model call"),
    ("predict_path", "baseline: bytes -> preprocessing -> keras_model.predict"),
    ("keras_predict", "baseline: keras_model.predict(frame) alone"),
    ("photo_app_path", "12 MP JPEG photo: app path (decoded at reduced scale)"),
    ("photo_full_decode", "12 MP JPEG photo: the same, decoded in full"),
]


def run(runtime="litert", runs=500, keep=True):
    """Measure each step `runs` times with `runtime`; return the results (with `keep`, also saved
    as results/latency_<runtime>.json)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "benchmark", "MODEL_RUNTIME": runtime})
    model = app.extensions["letter_model"]
    if not model.available:
        raise SystemExit(model.error)
    with app.app_context():
        limits = uploads.limits()
    png = canvas_png()
    frame = image_to_frame(open_image(png, limits))
    photo = photo_jpeg()
    photo_runs = max(10, runs // 10)

    result = {
        "runtime": model.runtime,
        "runs": runs,
        "picture": "280x280 canvas PNG",
        "app_path": summary(timed(lambda: recognize(open_image(png, limits), model).predictions, runs)),
        "app_path_cpu_ms": cpu_ms(lambda: recognize(open_image(png, limits), model).predictions, runs),
        "preprocessing": summary(timed(lambda: image_to_frame(open_image(png, limits)), runs)),
        "decoding": summary(timed(lambda: open_image(png, limits), runs)),
        "model_call": summary(timed(lambda: model.probabilities(frame[None]), runs)),
        "photo_app_path": summary(timed(
            lambda: recognize(open_image(photo, limits, WORK_SIDE), model), photo_runs, warmup=3)),
        "photo_full_decode": summary(timed(
            lambda: recognize(open_image(photo, limits), model), photo_runs, warmup=3)),
    }
    if runtime == "keras":
        import keras

        keras_model = keras.models.load_model(app.config["MODEL_PATH"], compile=False)
        batch = frame[None, :, :, None]
        result["keras_predict"] = summary(timed(lambda: keras_model.predict(batch, verbose=0), runs))
        result["predict_path"] = summary(timed(lambda: keras_model.predict(
            image_to_frame(open_image(png, limits))[None, :, :, None], verbose=0), runs))
        result["speedup_vs_predict_path"] = result["predict_path"]["p50_ms"] / result["app_path"]["p50_ms"]
    if keep:
        save(f"latency_{runtime}", result)
    return result


def report(result):
    rows = [(what, result[key]["p50_ms"], result[key]["p95_ms"]) for key, what in STEPS if key in result]
    print_table(rows, [f"in-process, one picture ({result['runtime']})", "p50 ms", "p95 ms"])
    print(f"app path: {result['app_path_cpu_ms']:.2f} ms of CPU a call")
    if "speedup_vs_predict_path" in result:
        print(f"app path: {result['speedup_vs_predict_path']:.1f}x faster than the predict path "
              f"({result['runs']} runs each)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtime", choices=["litert", "keras"], default="litert")
    parser.add_argument("--runs", type=int, default=500, help="timed calls per measurement (default 500)")
    args = parser.parse_args(argv)
    report(run(args.runtime, args.runs))


if __name__ == "__main__":
    main()
