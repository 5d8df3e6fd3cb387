"""`flask --app wsgi read FILE...`: pictures, folders of them and PDFs read from the command line
as /api/read reads them (`webapp.recognition.read_document`), into text, hOCR, ALTO, a searchable
PDF or JSON: one output file per input in `--out`, or standard output for a single input.

`--jobs N` reads in N worker processes, started with spawn (never fork: the parent's threads and
runtimes do not survive a fork), each creating the app once and so loading its LiteRT readers once.
"""

import json
import logging
import multiprocessing
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from handwriting import output
from handwriting.language import NONE
from handwriting.reader import READERS
from handwriting.segment import TooManyLetters
from webapp import errors, uploads
from webapp.api import unavailable_message
from webapp.input_errors import InputError
from webapp.model import reader_model, readers
from webapp.recognition import READING_LANGUAGES, read_document

CLI_FORMATS = list(output.FORMATS)  # txt first: the default
CONFIG_TYPES = (str, int, float, bool, type(None))


def init_app(app):
    app.cli.add_command(read_command)


def picture_files(folder):
    """The pictures and PDFs directly inside `folder` (by extension, as uploads define them), by name."""
    extensions = {f".{ext}" for ext in uploads.PAGE_EXTENSIONS}
    return sorted(path for path in folder.iterdir() if path.is_file() and path.suffix.lower() in extensions)


def expand(paths):
    """([files to read, in order], [(path, why it cannot be read)]) from the paths named."""
    files, failures = [], []
    for path in paths:
        if path.is_dir():
            found = picture_files(path)
            files.extend(found)
            if not found:
                failures.append((path, "no picture or PDF in this folder"))
        else:
            files.append(path)
    return files, failures


def read_file(path, key, language, reader):
    """(the document's bytes, None), or (None, why the file could not be read)."""
    try:
        document = read_document(Path(path).read_bytes(), language, reader, key, Path(path).name)
    except OSError as error:
        return None, error.strerror or str(error)
    except (InputError, TooManyLetters) as error:
        return None, errors.describe(error)[2]
    if key == "json":
        return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), None
    return document, None


def start_worker(config):
    """A worker process: the app created once (its models loaded once), its context kept."""
    from webapp import create_app  # webapp imports this module

    # The app's logger (Flask names it after the package): the parent has said what there is to say.
    logging.getLogger(__package__).setLevel(logging.ERROR)
    create_app(config).app_context().push()


def _read_in_worker(job):
    return read_file(*job)


def worker_config(app):
    """The running app's settings a worker needs again (the environment it inherits gives the rest):
    every plain value, and no migration (the parent's start did it)."""
    config = {key: value for key, value in app.config.items() if isinstance(value, CONFIG_TYPES)}
    return {**config, "DATABASE_MIGRATE_ON_START": False}


def read_all(files, key, language, reader, jobs):
    """Each file's (bytes, None) or (None, why), in the order of `files`, with a progress bar."""
    work = [(str(path), key, language, reader) for path in files]
    bar = {"total": len(work), "unit": "file", "file": sys.stderr, "disable": None}
    if jobs == 1 or len(work) < 2:
        return [read_file(*job) for job in tqdm(work, **bar)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(min(jobs, len(work)), start_worker, (worker_config(current_app),)) as pool:
        return list(tqdm(pool.imap(_read_in_worker, work), **bar))


def output_paths(files, out, extension):
    """{file: the output path in `out`}: the file's name with `extension`, as downloads are named;
    a file whose output another file already takes is left out."""
    paths, taken = {}, set()
    for path in files:
        target = out / output.download_name(path.name, extension)
        if target not in taken:
            paths[path] = target
            taken.add(target)
    return paths


@click.command("read")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--language", type=click.Choice(READING_LANGUAGES), default=NONE, show_default=True,
              help="The dictionary the words are decoded with.")
@click.option("--reader", type=click.Choice(READERS), default=READERS[0], show_default=True,
              help="The recognizer of each line: chosen per line, or forced.")
@click.option("--format", "key", type=click.Choice(CLI_FORMATS), default=CLI_FORMATS[0], show_default=True,
              help="Text, hOCR, ALTO XML, a searchable PDF, or /api/read's JSON.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="The folder of the outputs, one per file read (created if need be); "
                   "without it, a single file is written to standard output.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes reading at once.")
@with_appcontext
def read_command(paths, language, reader, key, out, jobs):
    """Read handwritten pages: pictures, PDFs (every page; in text, pages are separated by form
    feeds) and the pictures and PDFs in folders. Exits 1 naming the files that could not be read."""
    if not readers().available(reader):
        raise click.ClickException(unavailable_message(reader_model(reader)))
    files, failures = expand(paths)
    if out is None and len(files) > 1:
        raise click.UsageError(f"{len(files)} files to read: name a folder for them with --out.")
    extension = output.FORMATS[key].extension
    targets = output_paths(files, out, extension) if out is not None else {}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        failures += [(path, f"its output {output.download_name(path.name, extension)} is another file's")
                     for path in files if path not in targets]
        files = [path for path in files if path in targets]
    for path, (document, why) in zip(files, read_all(files, key, language, reader, jobs)):
        if why is not None:
            failures.append((path, why))
        elif out is None:
            stdout = click.get_binary_stream("stdout")
            stdout.write(document)
            stdout.flush()
        else:
            targets[path].write_bytes(document)
    if failures:
        click.echo(f"Could not read {len(failures)} of the files:", err=True)
        for path, why in failures:
            click.echo(f"  {path}: {why}", err=True)
        sys.exit(1)
