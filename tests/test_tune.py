import json

from fake_data import make_data_dir
from training import tune
from training.model import DEFAULT_HPARAMS, build_model, read_hparams


def test_search_writes_best_hparams_for_train_and_resumes_from_disk(tmp_path):
    data_dir = make_data_dir(tmp_path / "data")
    directory = tmp_path / "tuning"
    argv = ["--data-dir", str(data_dir), "--directory", str(directory), "--max-epochs", "2",
            "--samples-per-epoch", "260", "--batch-size", "26", "--workers", "1"]
    best = tune.main(argv)

    written = read_hparams(directory / "best-hparams.json")
    assert set(best) == set(DEFAULT_HPARAMS) and written == best
    assert build_model(written).count_params() > 0
    trials = sorted(directory.glob("letter_cnn/trial_*/trial.json"))
    records = [json.loads(t.read_text()) for t in trials]
    assert len(trials) >= 2 and all(r["status"] in ("COMPLETED", "FAILED") for r in records)
    assert max(r["score"] or 0 for r in records) > 0
    stamps = [t.stat().st_mtime_ns for t in trials]

    assert tune.main(argv) == best  # resumed: the finished search is read back, nothing retrained
    assert tune.main([*argv, "--report"]) == best
    assert [t.stat().st_mtime_ns for t in trials] == stamps
    tune.main([*argv, "--overwrite"])
    assert [t.stat().st_mtime_ns for t in trials] != stamps
