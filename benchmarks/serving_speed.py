"""The two serving-speed figures, measured `--repeat` times on a shared machine: medians and each run.

    python -m benchmarks.serving_speed [--repeat 3] [--runs 500] [--requests 2000]

In process, the app path of one canvas letter (`benchmarks.latency`, LiteRT): wall p50 and
minimum, and the CPU time of each stage of it and of POST /api/predict through Flask (the app's
extensions around the same path). Over HTTP, POST /api/predict under gunicorn at concurrency 16
(`benchmarks.http_load`): requests a second, and the CPU time each request costs gunicorn and the
load generator. Those two bound the rate the machine's cores can serve, whatever else runs on them:
cores × 1000 / (server + client CPU ms). Writes results/serving_speed.json only (the runs of
latency and http_load are not kept: RESULTS.md is theirs).
"""

import argparse
import contextlib
import datetime
import os
import statistics
from unittest import mock

from benchmarks import http_load, latency
from benchmarks.common import canvas_png, cpu_ms, save
from handwriting.frame import ink_to_frame
from handwriting.ink import letter_ink, to_grey
from handwriting.single_letter import recognize
from harness.clients import multipart
from webapp import api, create_app, uploads
from webapp.images import open_image

STAGES = ("decoding", "grey", "ink", "frame", "model_call", "app_path", "flask_view", "web_layer")


def stage_cpu(runs):
    """CPU ms a call of each stage of the app path (LiteRT), of the whole path (`app_path`), of
    POST /api/predict called through Flask's WSGI app with no HTTP server (`flask_view`), and of the
    same request with the picture work replaced by its result (`web_layer`: Flask and its extensions,
    the multipart parser, the JSON answer)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "benchmark", "MODEL_RUNTIME": "litert"})
    model = app.extensions["letter_model"]
    with app.app_context():
        limits = uploads.limits()
    png = canvas_png()
    image = open_image(png, limits)
    grey = to_grey(image)
    ink = letter_ink(grey)
    frame = ink_to_frame(ink)
    body, headers = multipart(png)
    client = app.test_client()
    environ = client.post("/api/predict", data=body, headers=headers, buffered=True).request.environ

    statuses = []

    def flask_view():
        environ["wsgi.input"].seek(0)
        b"".join(app.wsgi_app(dict(environ), lambda status, headers, exc_info=None: statuses.append(status)))

    flask_view()
    if statuses != ["200 OK"]:
        raise RuntimeError(f"POST /api/predict answered {statuses}")

    @contextlib.contextmanager
    def no_picture(data, max_side=None):
        yield image

    result = recognize(image, model)
    with mock.patch.object(api, "sent_image", no_picture), mock.patch.object(api, "recognize", lambda *_: result):
        web_layer = cpu_ms(flask_view, runs)
    return {
        "web_layer": web_layer,
        "decoding": cpu_ms(lambda: open_image(png, limits), runs),
        "grey": cpu_ms(lambda: to_grey(image), runs),
        "ink": cpu_ms(lambda: letter_ink(grey), runs),
        "frame": cpu_ms(lambda: ink_to_frame(ink), runs),
        "model_call": cpu_ms(lambda: model.probabilities(frame[None]), runs),
        "app_path": cpu_ms(lambda: recognize(open_image(png, limits), model), runs),
        "flask_view": cpu_ms(flask_view, runs),
    }


def measure(runs, requests):
    """One run of both figures (the load average before it included)."""
    load = os.getloadavg()[0]
    lat = latency.run("litert", runs, keep=False)
    cpu = stage_cpu(runs)
    web = http_load.run("litert", requests=requests, soak=0, keep=False)
    c16 = web["phases"][1]
    return {"load_average_before": load, "p50_ms": lat["app_path"]["p50_ms"], "min_ms": lat["app_path"]["min_ms"],
            **{f"{stage}_cpu_ms": cpu[stage] for stage in STAGES},
            "req_per_s_c16": c16["req_per_s"], "errors_c16": c16["errors"], "p50_ms_c16": c16["p50_ms"],
            "server_cpu_ms": c16["server_cpu_ms"], "client_cpu_ms": c16["client_cpu_ms"]}


def run(repeat=3, runs=500, requests=2000):
    runs_measured = [measure(runs, requests) for _ in range(repeat)]
    medians = {key: statistics.median(run[key] for run in runs_measured) for key in runs_measured[0]}
    cores = os.cpu_count()
    medians["ceiling_req_per_s"] = cores * 1000 / (medians["server_cpu_ms"] + medians["client_cpu_ms"])
    result = {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"), "cores": cores,
              "medians": medians, "runs": runs_measured}
    save("serving_speed", result)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=500, help="in-process timed calls per measurement")
    parser.add_argument("--requests", type=int, default=2000, help="HTTP requests per concurrency level")
    args = parser.parse_args(argv)
    result = run(args.repeat, args.runs, args.requests)
    for key, value in result["medians"].items():
        each = ", ".join(f"{run[key]:.2f}" for run in result["runs"]) if key in result["runs"][0] else ""
        print(f"{key:24s} {value:9.2f}   {each}")


if __name__ == "__main__":
    main()
