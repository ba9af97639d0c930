"""Fill ``data/raw`` with the registry's files, from an offline mirror or from the publisher.

Two sources, chosen by the caller (the CLI decides whether a mirror exists; this module never
picks one on its own, so "no mirror" always means "go to the publisher"):

* **mirror** – a folder laid out like ``data/raw``. Every file is copied and must match the
  registry's size and sha256 exactly.
* **publisher** – files with a direct ``url`` are downloaded. ČSÚ sometimes cuts large
  downloads short while still answering HTTP 200, so the byte count is checked against
  ``Content-Length`` and a short transfer is resumed with ``Range``. A download of the pinned
  size must have the pinned hash; a different size is a newer release and is accepted, but
  reported as not hash-pinned. ČSÚ re-versions its file links with every release: where a
  dataset registers ``link_text``, the current link is read from its product page (yearly
  pages templated by the file's year); other files without a ``url`` are reported as needing
  a manual download from the dataset's product page.

Files without a pinned size and hash (the MPSV register, a daily export) are online only:
a mirror normally lacks them, which is no error; the report names them with the command
that downloads them. Each download is kept beside the file with its date as well.

Every file is written to ``<name>.part`` in the destination folder and moved into place
with :func:`os.replace` only once it has been verified, so an interrupted or broken transfer
never replaces a good file and never leaves a half-written one under the real name.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlparse

import requests
import urllib3
from bs4 import BeautifulSoup
from tqdm import tqdm

from kpss_analysis import __version__, config
from kpss_analysis.data.checks import record_release, sha256_of
from kpss_analysis.data.registry import DATASETS, Dataset, RawFile
from kpss_analysis.errors import DataMissingError, DataValidationError, KpssError

__all__ = [
    "DownloadError",
    "FetchResult",
    "UnknownDatasetError",
    "fetch_all",
    "format_report",
    "sha256_of",
]

#: (connect, read) timeout in seconds for every HTTP request.
TIMEOUT = (15, 60)
#: Requests per file before a download is given up (the first one included).
MAX_ATTEMPTS = 5
#: Base pause in seconds before retrying after an attempt that brought no new bytes.
RETRY_DELAY = 1.0
CHUNK_SIZE = 1 << 16
USER_AGENT = f"kpss-analysis/{__version__} (+requests)"

STATUSES = ("present", "copied", "downloaded", "downloaded-newer", "manual")
NEWER_NOTE = "newer release, not hash-pinned"
#: Files named one by one in the fetch report (a first fetch copies every file: those are counted).
MAX_LISTED = 20

_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")
_YEAR_IN_NAME = re.compile(r"_(\d{4})\.[^./]+$")


class UnknownDatasetError(KpssError, KeyError):
    """A dataset key that is not in the registry."""

    def __str__(self) -> str:
        # KeyError.__str__ would repr() the message and wrap it in quotes.
        return str(self.args[0]) if self.args else ""


class DownloadError(KpssError):
    """A download from the publisher that failed (HTTP error, network, persistent truncation)."""


@dataclass
class FetchResult:
    """Outcome for one :class:`~kpss_analysis.data.registry.RawFile`.

    Attributes
    ----------
    path : str
        Path relative to the destination folder (the registry path).
    status : str
        ``"present"``, ``"copied"``, ``"downloaded"``, ``"downloaded-newer"`` or ``"manual"``.
    source : str
        Mirror file, URL, or (for ``"manual"``) the publisher page to download it from.
    detail : str
        Extra information for a person, e.g. why a file is not hash-pinned.
    """

    path: str
    status: str
    source: str
    detail: str = ""


# --------------------------------------------------------------------------- helpers


def _matches(path: Path, raw: RawFile) -> bool:
    """Whether ``path`` is exactly the pinned copy; the size check spares hashing most misses.

    An unpinned file counts as present when it exists: it only ever lands under its real name
    complete (written as ``.part`` and renamed).
    """
    if not raw.pinned:
        return path.is_file()
    try:
        if not path.is_file() or path.stat().st_size != raw.size:
            return False
    except OSError:
        return False
    return sha256_of(path) == raw.sha256


def _part_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def _today() -> _dt.date:
    """Date stamped on dated copies; a function so tests can pin it."""
    return _dt.date.today()


def _dated_path(target: Path, day: _dt.date) -> Path:
    return target.with_name(f"{target.stem}_{day.isoformat()}{target.suffix}")


def _page_for(dataset: Dataset, raw: RawFile) -> str:
    """The product page to send a person to; yearly pages are templated by the file's year."""
    if not dataset.page:
        return f"{dataset.publisher} (no product page registered for {dataset.key!r})"
    if "{year}" not in dataset.page:
        return dataset.page
    match = _YEAR_IN_NAME.search(raw.path)
    if match is None:
        # A broken link would be worse than the visible template.
        return dataset.page
    return dataset.page.replace("{year}", match.group(1))


def _select(keys: list[str] | None) -> list[Dataset]:
    # Read the module attribute at call time so tests can substitute a small registry.
    registry: tuple[Dataset, ...] = tuple(DATASETS)
    if keys is None:
        return list(registry)
    by_key = {dataset.key: dataset for dataset in registry}
    unknown = [key for key in keys if key not in by_key]
    if unknown:
        known = ", ".join(by_key)
        raise UnknownDatasetError(
            f"unknown dataset(s): {', '.join(map(repr, unknown))}; known datasets: {known}"
        )
    wanted = set(keys)
    # Registry order, not argument order: reports and downloads stay deterministic.
    return [dataset for dataset in registry if dataset.key in wanted]


def _verify_pinned(part: Path, raw: RawFile, source: str) -> None:
    """Raise :class:`DataValidationError` unless ``part`` is exactly the pinned copy of ``raw``."""
    size = part.stat().st_size
    if size != raw.size:
        raise DataValidationError(
            f"{raw.path}: size mismatch — expected {raw.size} bytes, got {size} bytes "
            f"(source: {source})"
        )
    digest = sha256_of(part)
    if digest != raw.sha256:
        raise DataValidationError(
            f"{raw.path}: sha256 mismatch — expected {raw.sha256}, got {digest} "
            f"(source: {source})"
        )


# --------------------------------------------------------------------------- mirror


def _copy_from_mirror(source: Path, target: Path, raw: RawFile) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    part = _part_path(target)
    try:
        # copyfile, not copy2: the mirror is read-only and its mode should not follow the data.
        shutil.copyfile(source, part)
        # Hash the copy, not the source: what has to be right is what landed on disk.
        if raw.pinned:
            _verify_pinned(part, raw, str(source))
        os.replace(part, target)
    except BaseException:
        # BaseException on purpose: Ctrl+C must not leave a .part file behind either.
        part.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- HTTP


def _response_span(response: requests.Response) -> tuple[int, int | None]:
    """Offset at which the response body starts and the full file size, if the server says."""
    if response.status_code == 206:
        match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
        if match is None:
            raise DownloadError(
                f"{response.url}: partial response without a usable Content-Range header"
            )
        total = None if match.group(3) == "*" else int(match.group(3))
        return int(match.group(1)), total
    length = response.headers.get("Content-Length")
    return 0, int(length) if length and length.isdigit() else None


def _download(url: str, part: Path, *, session: requests.Session, label: str, progress: bool) -> int:
    """Stream ``url`` into ``part``, resuming short transfers; return the number of bytes.

    Raises
    ------
    DownloadError
        On an HTTP client error, or when the file is still incomplete after
        :data:`MAX_ATTEMPTS` requests.
    """
    received = 0
    total: int | None = None
    last_problem = "no response"
    with open(part, "wb") as out, tqdm(
        total=None,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=label,
        disable=not progress,
        leave=False,
    ) as bar:

        def restart() -> None:
            nonlocal received
            out.seek(0)
            out.truncate()
            received = 0

        before: int | None = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if before is not None and received == before:
                # Only back off after an attempt that brought nothing; a transfer that was
                # merely cut short should resume at once.
                time.sleep(RETRY_DELAY * (attempt - 1))
            before = received
            # identity: with gzip on the wire Content-Length and Range count compressed bytes,
            # not the bytes we write.
            headers = {"Accept-Encoding": "identity", "User-Agent": USER_AGENT}
            if received:
                headers["Range"] = f"bytes={received}-"
            try:
                with session.get(url, headers=headers, stream=True, timeout=TIMEOUT) as response:
                    status = response.status_code
                    if 400 <= status < 500 and status != 416:
                        raise DownloadError(f"{url}: HTTP {status} {response.reason}")
                    if status >= 400:
                        # 5xx is often transient; 416 means our offset is stale, so start over.
                        last_problem = f"HTTP {status} {response.reason}"
                        if status == 416:
                            restart()
                        continue
                    start, announced = _response_span(response)
                    if start != received or (
                        start and total is not None and announced not in (None, total)
                    ):
                        # Server ignored Range (200), resumed elsewhere, or the file changed
                        # under us: the bytes we hold cannot be continued.
                        restart()
                        if start != 0:
                            last_problem = f"server resumed at byte {start}, not {before}"
                            continue
                    encoded = response.headers.get("Content-Encoding", "identity").lower()
                    resumable = encoded in ("", "identity")
                    if start == 0:
                        # A compressed body cannot be checked against Content-Length.
                        total = announced if resumable else None
                        bar.reset(total=total)
                    if resumable:
                        # Undecoded reads hand over every byte that arrived before a cut;
                        # iter_content's buffered decoding would drop the last partial chunk.
                        chunks = response.raw.stream(CHUNK_SIZE, decode_content=False)
                    else:
                        chunks = response.iter_content(CHUNK_SIZE)
                    try:
                        for chunk in chunks:
                            out.write(chunk)
                            received += len(chunk)
                            bar.update(len(chunk))
                    except (urllib3.exceptions.HTTPError, requests.RequestException) as exc:
                        # The ČSÚ failure mode: connection closed before Content-Length.
                        last_problem = f"transfer cut short ({exc.__class__.__name__})"
                        if not resumable:
                            restart()
                            continue
                    else:
                        if total is None:
                            out.flush()
                            return received
                    if total is not None:
                        if received == total:
                            out.flush()
                            return received
                        if received > total:
                            raise DownloadError(
                                f"{url}: received {received} bytes, more than the announced {total}"
                            )
                        last_problem = f"short transfer: {received} of {total} bytes"
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_problem = f"{exc.__class__.__name__}: {exc}"
            except requests.RequestException as exc:
                raise DownloadError(f"{url}: {exc}") from exc
    of_total = f" of {total}" if total is not None else ""
    raise DownloadError(
        f"{url}: download incomplete after {MAX_ATTEMPTS} attempts "
        f"({received}{of_total} bytes; last problem: {last_problem})"
    )


def _keep_dated_copy(target: Path, day: _dt.date) -> Path:
    """Put ``<stem>_<YYYY-MM-DD><suffix>`` beside ``target`` so a plan can cite "stav k …"."""
    dated = _dated_path(target, day)
    tmp = dated.with_name(dated.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        try:
            # A hard link costs no space; os.replace of the main file later gives it a new
            # inode, so the dated copy keeps its bytes.
            os.link(target, tmp)
        except OSError:
            shutil.copyfile(target, tmp)
        os.replace(tmp, dated)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dated


def _download_file(
    url: str, dest: Path, raw: RawFile, *, session: requests.Session, progress: bool
) -> FetchResult:
    target = dest / raw.path
    target.parent.mkdir(parents=True, exist_ok=True)
    part = _part_path(target)
    try:
        size = _download(url, part, session=session, label=target.name, progress=progress)
        if size == raw.size:
            _verify_pinned(part, raw, url)
            status, detail = "downloaded", ""
        else:
            # The publisher replaced the file; its numbers are checked by the build instead.
            status = "downloaded-newer"
            pins = f", registry pins {raw.size}" if raw.pinned else ""
            detail = f"{NEWER_NOTE} ({size} bytes{pins})"
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    if raw.pinned:  # the build accepts a newer release instead of the pinned copy only when recorded here
        record_release(dest, raw.path, url if status == "downloaded-newer" else None)
    dated = _keep_dated_copy(target, _today())
    detail = "; ".join(filter(None, [detail, f"dated copy {dated.name}"]))
    return FetchResult(raw.path, status, url, detail)


def resolve_link(page: str, text: str, *, session: requests.Session) -> str:
    """The current download link of a file from the publisher's product page.

    ČSÚ gives every release a new versioned link, so the page is the stable address: the
    first link to an ``.xlsx`` file whose own text or table row contains ``text``
    (case-insensitive) is taken.

    Raises
    ------
    DownloadError
        The page cannot be loaded or holds no such link.
    """
    try:
        response = session.get(page, timeout=TIMEOUT, headers={"User-Agent": USER_AGENT})
        response.raise_for_status()
    except requests.RequestException as exc:
        raise DownloadError(f"cannot load the product page {page}: {exc}") from exc
    soup = BeautifulSoup(response.text, "html.parser")
    wanted = text.casefold()
    for anchor in soup.find_all("a", href=True):
        if ".xlsx" not in urlparse(anchor["href"]).path.lower():
            continue
        context = anchor.find_parent("tr") or anchor.parent
        if wanted in anchor.get_text(" ").casefold() or wanted in context.get_text(" ").casefold():
            return urljoin(response.url, anchor["href"])
    raise DownloadError(f"no .xlsx link with {text!r} on {page}; the page layout may have changed, "
                        "download the file by hand")


# --------------------------------------------------------------------------- public API


def fetch_all(
    dest: Path | None = None,
    mirror: Path | None = None,
    *,
    keys: list[str] | None = None,
    force: bool = False,
    progress: bool = True,
    session: requests.Session | None = None,
) -> list[FetchResult]:
    """Make ``dest`` hold every raw file of the selected datasets.

    Parameters
    ----------
    dest : Path, optional
        Folder laid out like ``data/raw``; defaults to :func:`kpss_analysis.config.raw_dir`.
    mirror : Path, optional
        Folder with the same layout to copy from. ``None`` means the publisher: files with a
        ``url`` are downloaded, the others are reported as ``"manual"``. No default mirror is
        looked up here; that is the caller's decision.
    keys : list of str, optional
        Dataset keys to fetch; all registered datasets when ``None``.
    force : bool
        Fetch again even when ``dest`` already holds the pinned copy. A file that has no
        source (no mirror, no ``url``) stays ``"present"``: there is nothing to refetch it from.
    progress : bool
        Show a progress bar for downloads.
    session : requests.Session, optional
        Session for HTTP requests (proxies, auth, tests); a private one is used otherwise.

    Returns
    -------
    list of FetchResult
        One entry per raw file, in registry order; an unpinned (online-only) file that the
        mirror does not hold has none (:func:`format_report` lists it).

    Raises
    ------
    UnknownDatasetError
        A key that is not registered (message lists the known keys).
    DataMissingError
        ``mirror`` is not a folder, or it lacks a file that ``dest`` does not already hold.
        Nothing is copied in that case.
    DataValidationError
        A copied file, or a download of the pinned size, does not match the registry. The
        file in ``dest`` (if any) is left untouched.
    DownloadError
        A download failed (HTTP error, network, persistent truncation).
    """
    dest = Path(dest) if dest is not None else config.raw_dir()
    datasets = _select(keys)
    if mirror is not None:
        mirror = Path(mirror)
        if not mirror.is_dir():
            raise DataMissingError(f"mirror folder {mirror} does not exist (or is not a folder)")

    # Decide everything before touching dest, so a missing mirror file fails the whole run
    # up front instead of after half the files were copied.
    plan: list[tuple[Dataset, RawFile, bool]] = []
    for dataset in datasets:
        for raw in dataset.files:
            plan.append((dataset, raw, _matches(dest / raw.path, raw)))

    if mirror is not None:
        missing = [
            raw.path
            for _, raw, present in plan
            if (force or not present) and raw.pinned and not (mirror / raw.path).is_file()
        ]
        if missing:
            raise DataMissingError(
                f"missing in mirror {mirror}: " + ", ".join(missing)
            )

    own_session = session is None
    if own_session:
        session = requests.Session()
    results: list[FetchResult] = []
    try:
        for dataset, raw, present in plan:
            target = dest / raw.path
            if mirror is not None:
                source = mirror / raw.path
                if present and not force:
                    results.append(FetchResult(raw.path, "present", str(source)))
                    continue
                if not source.is_file():
                    continue  # online only: format_report lists it with the command to get it
                _copy_from_mirror(source, target, raw)
                if raw.pinned:
                    record_release(dest, raw.path, None)  # the pinned copy again, no newer release
                results.append(FetchResult(raw.path, "copied", str(source)))
            elif raw.url:
                if present and not force:
                    results.append(FetchResult(raw.path, "present", raw.url))
                    continue
                results.append(_download_file(raw.url, dest, raw, session=session, progress=progress))
            else:
                page = _page_for(dataset, raw)
                if present and not (force and dataset.link_text):
                    results.append(FetchResult(raw.path, "present", page))
                    continue
                if dataset.link_text:
                    try:
                        url = resolve_link(page, dataset.link_text, session=session)
                    except DownloadError as exc:
                        results.append(FetchResult(raw.path, "manual", page, str(exc)))
                        continue
                    results.append(_download_file(url, dest, raw, session=session, progress=progress))
                    continue
                detail = ""
                if target.exists():
                    detail = "a file exists in the destination but is not the pinned copy (size/sha256 differ)"
                results.append(FetchResult(raw.path, "manual", page, detail))
    finally:
        if own_session:
            session.close()
    return results


def format_report(results: list[FetchResult]) -> str:
    """Summarise fetch results for a person: counts per status, then what needs attention.

    Parameters
    ----------
    results : list of FetchResult
        Output of :func:`fetch_all`.

    Returns
    -------
    str
        A few lines of text: counts per status, files that are newer releases (not
        hash-pinned), files to download by hand with the page to get them from, and
        online-only files of the registry that this run did not fetch.
    """
    counts = Counter(result.status for result in results)
    order = [status for status in STATUSES if counts[status]] + sorted(
        status for status in counts if status not in STATUSES
    )
    summary = ", ".join(f"{counts[status]} {status}" for status in order) or "nothing to do"
    lines = [f"Raw files: {summary} ({len(results)} total)."]

    fetched = [result for result in results if result.status in ("copied", "downloaded")]
    if fetched:
        lines.append(f"Fetched ({len(fetched)}):")
        lines.extend(f"  {result.path}  <- {result.source}" for result in fetched[:MAX_LISTED])
        if len(fetched) > MAX_LISTED:
            lines.append(f"  … and {len(fetched) - MAX_LISTED} more")

    newer = [result for result in results if result.status == "downloaded-newer"]
    if newer:
        lines.append(f"Downloaded a {NEWER_NOTE} (the build validates these):")
        lines.extend(f"  {result.path}  <- {result.source}" for result in newer)

    manual = [result for result in results if result.status == "manual"]
    if manual:
        lines.append(
            f"Needs manual download ({len(manual)}; save under the raw data folder with this path):"
        )
        for result in manual:
            lines.append(f"  {result.path}")
            lines.append(f"      from {result.source}")
            if result.detail:
                lines.append(f"      note: {result.detail}")

    fetched = {result.path for result in results}
    online = [(d.key, raw.path) for d in DATASETS for raw in d.files if not raw.pinned and raw.path not in fetched]
    if online:
        keys = " ".join(dict.fromkeys(key for key, _ in online))
        lines.append(f"Online only, not in the mirror ({len(online)}; `kpss data fetch --online --only {keys}` "
                     "downloads them):")
        lines.extend(f"  {path}" for _, path in online)
    return "\n".join(lines)
