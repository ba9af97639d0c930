"""Tests for kpss_analysis.fetch: mirror copies, HTTP downloads with resume, manual files.

A tiny registry replaces the real one (monkeypatched ``fetch.DATASETS``) and a loopback HTTP
server stands in for the publisher, so nothing here touches the network or the real data.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import pytest
import requests

from kpss_analysis.data import fetch
from kpss_analysis.data.registry import Dataset, RawFile
from kpss_analysis.errors import DataMissingError, DataValidationError, KpssError

ALPHA = "kod,nazev\n500011,Zeleneč\n500020,Bratčice\n".encode("cp1250") * 50
BETA = bytes(range(256)) * 40  # binary, 10 240 bytes
FIXED_DAY = dt.date(2025, 3, 14)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _raw(path: str, data: bytes, url: str | None = None) -> RawFile:
    return RawFile(path, len(data), _sha(data), url=url)


def _dataset(key: str, *files: RawFile, page: str | None = None) -> Dataset:
    return Dataset(key=key, title=key, publisher="Test publisher", vintage="2024", files=files, page=page)


def _use_registry(monkeypatch: pytest.MonkeyPatch, *datasets: Dataset) -> None:
    monkeypatch.setattr(fetch, "DATASETS", tuple(datasets))


def _no_part_files(folder: Path) -> bool:
    return not any(p.name.endswith(".part") for p in folder.rglob("*"))


@pytest.fixture(autouse=True)
def _fast_and_fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "RETRY_DELAY", 0.0)
    monkeypatch.setattr(fetch, "_today", lambda: FIXED_DAY)


# --------------------------------------------------------------------------- mirror


@pytest.fixture()
def mirror_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    mirror = tmp_path / "mirror"
    (mirror / "territory").mkdir(parents=True)
    (mirror / "population" / "deep").mkdir(parents=True)
    (mirror / "territory" / "alpha.csv").write_bytes(ALPHA)
    (mirror / "population" / "deep" / "beta.bin").write_bytes(BETA)
    _use_registry(
        monkeypatch,
        _dataset("territory", _raw("territory/alpha.csv", ALPHA)),
        _dataset("population", _raw("population/deep/beta.bin", BETA)),
    )
    return mirror, tmp_path / "raw"


def test_mirror_copy_then_present_then_force(mirror_setup):
    mirror, dest = mirror_setup

    results = fetch.fetch_all(dest, mirror, progress=False)

    assert [(r.path, r.status) for r in results] == [
        ("territory/alpha.csv", "copied"),
        ("population/deep/beta.bin", "copied"),
    ]
    assert results[0].source == str(mirror / "territory" / "alpha.csv")
    assert (dest / "territory" / "alpha.csv").read_bytes() == ALPHA
    assert (dest / "population" / "deep" / "beta.bin").read_bytes() == BETA
    assert _no_part_files(dest)

    again = fetch.fetch_all(dest, mirror, progress=False)
    assert [r.status for r in again] == ["present", "present"]

    forced = fetch.fetch_all(dest, mirror, force=True, progress=False)
    assert [r.status for r in forced] == ["copied", "copied"]


def test_mirror_copy_replaces_stale_dest_file(mirror_setup):
    mirror, dest = mirror_setup
    stale = dest / "territory" / "alpha.csv"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old release")

    results = fetch.fetch_all(dest, mirror, progress=False)

    assert results[0].status == "copied"
    assert stale.read_bytes() == ALPHA


def test_keys_select_datasets_and_unknown_key_lists_known(mirror_setup):
    mirror, dest = mirror_setup

    results = fetch.fetch_all(dest, mirror, keys=["population"], progress=False)

    assert [r.path for r in results] == ["population/deep/beta.bin"]
    assert not (dest / "territory" / "alpha.csv").exists()

    with pytest.raises(KpssError) as excinfo:
        fetch.fetch_all(dest, mirror, keys=["population", "nonsense"], progress=False)
    assert isinstance(excinfo.value, KeyError)
    message = str(excinfo.value)
    assert "nonsense" in message and "territory" in message and "population" in message


def test_corrupted_mirror_file_same_size_keeps_good_dest(mirror_setup):
    mirror, dest = mirror_setup
    fetch.fetch_all(dest, mirror, progress=False)
    good = (dest / "territory" / "alpha.csv").read_bytes()
    corrupted = bytearray(ALPHA)
    corrupted[10] ^= 0xFF
    corrupted_path = mirror / "territory" / "alpha.csv"
    corrupted_path.write_bytes(bytes(corrupted))

    with pytest.raises(DataValidationError) as excinfo:
        fetch.fetch_all(dest, mirror, force=True, progress=False)

    message = str(excinfo.value)
    assert "territory/alpha.csv" in message
    assert _sha(ALPHA) in message and _sha(bytes(corrupted)) in message
    assert (dest / "territory" / "alpha.csv").read_bytes() == good == ALPHA
    assert _no_part_files(dest)


def test_truncated_mirror_file_reports_sizes_and_leaves_nothing(mirror_setup):
    mirror, dest = mirror_setup
    (mirror / "population" / "deep" / "beta.bin").write_bytes(BETA[:1000])

    with pytest.raises(DataValidationError) as excinfo:
        fetch.fetch_all(dest, mirror, keys=["population"], progress=False)

    message = str(excinfo.value)
    assert "population/deep/beta.bin" in message
    assert str(len(BETA)) in message and "1000" in message
    assert not (dest / "population" / "deep" / "beta.bin").exists()
    assert _no_part_files(dest)


def test_missing_mirror_folder(mirror_setup, tmp_path):
    _, dest = mirror_setup
    nowhere = tmp_path / "no-such-mirror"

    with pytest.raises(DataMissingError, match="no-such-mirror"):
        fetch.fetch_all(dest, nowhere, progress=False)


def test_missing_mirror_file_names_file_and_mirror_and_copies_nothing(mirror_setup):
    mirror, dest = mirror_setup
    (mirror / "population" / "deep" / "beta.bin").unlink()

    with pytest.raises(DataMissingError) as excinfo:
        fetch.fetch_all(dest, mirror, progress=False)

    message = str(excinfo.value)
    assert "population/deep/beta.bin" in message and str(mirror) in message
    # Checked up front: the file that is in the mirror was not copied either.
    assert not (dest / "territory" / "alpha.csv").exists()


def test_missing_mirror_file_is_fine_when_dest_has_it(mirror_setup):
    mirror, dest = mirror_setup
    fetch.fetch_all(dest, mirror, progress=False)
    (mirror / "population" / "deep" / "beta.bin").unlink()

    results = fetch.fetch_all(dest, mirror, progress=False)

    assert [r.status for r in results] == ["present", "present"]


def test_interrupted_copy_leaves_no_part_and_keeps_existing(mirror_setup, monkeypatch):
    mirror, dest = mirror_setup
    fetch.fetch_all(dest, mirror, progress=False)

    def interrupted_copy(src, dst, *args, **kwargs):
        Path(dst).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(fetch.shutil, "copyfile", interrupted_copy)
    with pytest.raises(KeyboardInterrupt):
        fetch.fetch_all(dest, mirror, force=True, progress=False)

    assert (dest / "territory" / "alpha.csv").read_bytes() == ALPHA
    assert _no_part_files(dest)


def test_dest_defaults_to_config_raw_dir(mirror_setup, tmp_path, monkeypatch):
    mirror, _ = mirror_setup
    monkeypatch.setenv("KPSS_DATA_DIR", str(tmp_path / "datadir"))

    fetch.fetch_all(mirror=mirror, progress=False)

    assert (tmp_path / "datadir" / "raw" / "territory" / "alpha.csv").read_bytes() == ALPHA


# --------------------------------------------------------------------------- HTTP


class _Publisher(http.server.BaseHTTPRequestHandler):
    """Serves ``files``; ``truncate`` maps a path to how many responses to cut in half."""

    files: dict[str, bytes] = {}
    truncate: dict[str, int] = {}
    ignore_range: set[str] = set()
    gzip: set[str] = set()
    requests_seen: list[tuple[str, str | None]] = []

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        pass

    def do_GET(self):  # noqa: N802 - http.server naming
        self.requests_seen.append((self.path, self.headers.get("Range")))
        data = self.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        start = 0
        range_header = self.headers.get("Range")
        if range_header and self.path not in self.ignore_range:
            start = int(range_header.removeprefix("bytes=").split("-")[0])
        body = data[start:]
        if self.path in self.gzip:
            # A server that compresses although the client asked for identity.
            start, body = 0, gzip.compress(data)
        if start:
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        if self.path in self.gzip:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.truncate.get(self.path, 0) > 0:
            self.truncate[self.path] -= 1
            # Announce everything, send half, hang up: how ČSÚ truncates with HTTP 200.
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


@pytest.fixture()
def publisher():
    handler = type(
        "Handler",
        (_Publisher,),
        {"files": {}, "truncate": {}, "ignore_range": set(), "gzip": set(), "requests_seen": []},
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield handler, base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)


@pytest.fixture()
def session():
    with requests.Session() as s:
        s.trust_env = False  # never route loopback through a proxy from the environment
        yield s


def test_download_resumes_truncated_transfer(publisher, session, tmp_path, monkeypatch):
    handler, base = publisher
    handler.files["/beta.bin"] = BETA
    handler.truncate["/beta.bin"] = 1
    url = base + "/beta.bin"
    _use_registry(monkeypatch, _dataset("population", _raw("population/beta.bin", BETA, url=url)))
    dest = tmp_path / "raw"

    results = fetch.fetch_all(dest, progress=False, session=session)

    assert [(r.path, r.status, r.source) for r in results] == [("population/beta.bin", "downloaded", url)]
    assert (dest / "population" / "beta.bin").read_bytes() == BETA
    # The second request continued where the first was cut off instead of starting over.
    assert handler.requests_seen == [("/beta.bin", None), ("/beta.bin", f"bytes={len(BETA) // 2}-")]
    dated = dest / "population" / "beta_2025-03-14.bin"
    assert dated.read_bytes() == BETA
    assert _no_part_files(dest)

    again = fetch.fetch_all(dest, progress=False, session=session)
    assert [r.status for r in again] == ["present"]
    assert len(handler.requests_seen) == 2


def _fetch_cut_alpha(publisher, session, tmp_path, monkeypatch, quirk: str):
    """Fetch alpha.csv from a publisher that cuts the first response short and has ``quirk`` (a set of the handler's)."""
    handler, base = publisher
    handler.files["/alpha.csv"] = ALPHA
    handler.truncate["/alpha.csv"] = 1
    getattr(handler, quirk).add("/alpha.csv")
    _use_registry(monkeypatch, _dataset("territory", _raw("territory/alpha.csv", ALPHA, url=base + "/alpha.csv")))
    dest = tmp_path / "raw"

    results = fetch.fetch_all(dest, progress=False, session=session)

    assert results[0].status == "downloaded"
    assert (dest / "territory" / "alpha.csv").read_bytes() == ALPHA
    return handler


def test_download_restarts_when_server_ignores_range(publisher, session, tmp_path, monkeypatch):
    _fetch_cut_alpha(publisher, session, tmp_path, monkeypatch, "ignore_range")


def test_download_decodes_a_compressed_response(publisher, session, tmp_path, monkeypatch):
    handler = _fetch_cut_alpha(publisher, session, tmp_path, monkeypatch, "gzip")
    # A cut compressed stream cannot be resumed by offset: the retry starts from scratch.
    assert [r for _, r in handler.requests_seen] == [None, None]


def test_download_gives_up_after_persistent_truncation(publisher, session, tmp_path, monkeypatch):
    handler, base = publisher
    handler.files["/beta.bin"] = BETA
    handler.truncate["/beta.bin"] = 1000
    url = base + "/beta.bin"
    _use_registry(monkeypatch, _dataset("population", _raw("population/beta.bin", BETA, url=url)))
    dest = tmp_path / "raw"

    with pytest.raises(KpssError, match="incomplete"):
        fetch.fetch_all(dest, progress=False, session=session)

    assert len(handler.requests_seen) == fetch.MAX_ATTEMPTS
    assert not (dest / "population" / "beta.bin").exists()
    assert _no_part_files(dest)


def test_download_newer_release_is_accepted_but_flagged(publisher, session, tmp_path, monkeypatch):
    handler, base = publisher
    newer = ALPHA + b"500038,Dolany\n"
    handler.files["/alpha.csv"] = newer
    url = base + "/alpha.csv"
    _use_registry(monkeypatch, _dataset("territory", _raw("territory/alpha.csv", ALPHA, url=url)))
    dest = tmp_path / "raw"

    results = fetch.fetch_all(dest, progress=True, session=session)  # bar must not break anything

    assert results[0].status == "downloaded-newer"
    assert "not hash-pinned" in results[0].detail
    assert (dest / "territory" / "alpha.csv").read_bytes() == newer
    assert (dest / "territory" / "alpha_2025-03-14.csv").read_bytes() == newer
    report = fetch.format_report(results)
    assert "1 downloaded-newer" in report
    assert "newer release, not hash-pinned" in report and "territory/alpha.csv" in report


def test_download_same_size_wrong_hash_is_rejected(publisher, session, tmp_path, monkeypatch):
    handler, base = publisher
    tampered = bytes(b ^ 0x01 for b in BETA)
    handler.files["/beta.bin"] = tampered
    url = base + "/beta.bin"
    _use_registry(monkeypatch, _dataset("population", _raw("population/beta.bin", BETA, url=url)))
    dest = tmp_path / "raw"

    with pytest.raises(DataValidationError) as excinfo:
        fetch.fetch_all(dest, progress=False, session=session)

    message = str(excinfo.value)
    assert "population/beta.bin" in message and _sha(BETA) in message and _sha(tampered) in message
    assert not (dest / "population" / "beta.bin").exists()
    assert not (dest / "population" / "beta_2025-03-14.bin").exists()
    assert _no_part_files(dest)


def test_download_http_error_is_a_kpss_error(publisher, session, tmp_path, monkeypatch):
    _, base = publisher
    url = base + "/gone.csv"
    _use_registry(monkeypatch, _dataset("territory", _raw("territory/alpha.csv", ALPHA, url=url)))
    dest = tmp_path / "raw"

    with pytest.raises(KpssError, match="404"):
        fetch.fetch_all(dest, progress=False, session=session)
    assert _no_part_files(dest) and not (dest / "territory" / "alpha.csv").exists()


# --------------------------------------------------------------------------- manual


TEMPLATE_PAGE = "https://www.example.org/pocet-obyvatel-v-obcich-k-11{year}"


def test_file_without_url_and_mirror_is_manual(tmp_path, monkeypatch):
    data_2019 = b"xlsx 2019"
    data_2020 = b"xlsx 2020"
    _use_registry(
        monkeypatch,
        _dataset(
            "population_totals",
            _raw("population/pocet_obyvatel_obce_2019.xlsx", data_2019),
            _raw("population/pocet_obyvatel_obce_2020.xlsx", data_2020),
            page=TEMPLATE_PAGE,
        ),
        _dataset("projection", _raw("projection/proj.csv", ALPHA), page="https://www.example.org/projekce"),
    )
    dest = tmp_path / "raw"
    (dest / "population").mkdir(parents=True)
    (dest / "population" / "pocet_obyvatel_obce_2020.xlsx").write_bytes(data_2020)

    results = fetch.fetch_all(dest, progress=False)

    assert [(r.path, r.status, r.source) for r in results] == [
        ("population/pocet_obyvatel_obce_2019.xlsx", "manual", "https://www.example.org/pocet-obyvatel-v-obcich-k-112019"),
        ("population/pocet_obyvatel_obce_2020.xlsx", "present", "https://www.example.org/pocet-obyvatel-v-obcich-k-112020"),
        ("projection/proj.csv", "manual", "https://www.example.org/projekce"),
    ]
    report = fetch.format_report(results)
    assert "2 manual" in report and "1 present" in report
    assert "https://www.example.org/pocet-obyvatel-v-obcich-k-112019" in report
    assert "projection/proj.csv" in report and "https://www.example.org/projekce" in report
    assert "{year}" not in report


def test_no_mirror_means_no_mirror_even_if_one_is_configured(mirror_setup, tmp_path, monkeypatch):
    mirror, dest = mirror_setup
    monkeypatch.setenv("KPSS_MIRROR", str(mirror))

    results = fetch.fetch_all(dest, progress=False)

    assert [r.status for r in results] == ["manual", "manual"]
    assert not dest.exists() or not any(dest.rglob("*.csv"))


def test_wrong_local_copy_without_source_is_manual_with_note(tmp_path, monkeypatch):
    _use_registry(monkeypatch, _dataset("projection", _raw("projection/proj.csv", ALPHA), page="https://p"))
    dest = tmp_path / "raw"
    (dest / "projection").mkdir(parents=True)
    (dest / "projection" / "proj.csv").write_bytes(b"something else")

    results = fetch.fetch_all(dest, progress=False)

    assert results[0].status == "manual"
    assert "not the pinned copy" in results[0].detail
    assert (dest / "projection" / "proj.csv").read_bytes() == b"something else"


class _OfflineSession(requests.Session):
    """A session without network: records the pages asked for and fails like a dead link."""

    def __init__(self):
        super().__init__()
        self.asked: list[str] = []

    def get(self, url, **kwargs):
        self.asked.append(url)
        raise requests.ConnectionError("network unreachable")


def test_real_registry_yearly_pages_get_their_year(tmp_path):
    """The shipped registry: every yearly ČSÚ file is resolved from its own year's page."""
    session = _OfflineSession()
    results = fetch.fetch_all(tmp_path / "raw", keys=["population_totals"], progress=False, session=session)

    assert len(results) == 21 and all(r.status == "manual" for r in results)
    for result in results:
        year = result.path.rsplit("_", 1)[1].removesuffix(".xlsx")
        assert "{" not in result.source and result.source.endswith(year)
        assert "cannot load the product page" in result.detail
    assert session.asked == [r.source for r in results]


PRODUCT_PAGE = """<html><body><table class="prilohy-publikace">
<tr><td>Počet obyvatel v regionech soudržnosti, krajích a okresech České republiky k 1. 1. 2024</td>
    <td><a href="/documents/10180/1/1300722402.xlsx/aaa?version=1.0">Excel</a></td></tr>
<tr><td>Počet obyvatel v obcích České republiky k 1. 1. 2024</td>
    <td><a href="/documents/10180/1/1300722403.pdf/bbb">PDF</a>
        <a href="/documents/10180/1/1300722403.xlsx/ccc?version=1.1">Excel</a></td></tr>
</table></body></html>"""


def test_yearly_file_is_resolved_from_the_product_page(publisher, session, tmp_path, monkeypatch):
    handler, base = publisher
    handler.files["/pocet-2024"] = PRODUCT_PAGE.encode("utf-8")
    handler.files["/documents/10180/1/1300722403.xlsx/ccc?version=1.1"] = BETA
    dataset = Dataset(key="population_totals", title="t", publisher="ČSÚ", vintage="2024",
                      files=(_raw("population/pocet_obyvatel_obce_2024.xlsx", BETA),),
                      page=base + "/pocet-{year}", link_text="v obcích")
    _use_registry(monkeypatch, dataset)

    results = fetch.fetch_all(tmp_path / "raw", progress=False, session=session)

    # The obce workbook, not the kraje/okresy one listed first, nor the PDF of the same row.
    assert [(r.status, r.source) for r in results] == [
        ("downloaded", base + "/documents/10180/1/1300722403.xlsx/ccc?version=1.1")]
    assert (tmp_path / "raw" / "population" / "pocet_obyvatel_obce_2024.xlsx").read_bytes() == BETA


def test_product_page_without_the_link_leaves_the_file_manual(publisher, session, tmp_path, monkeypatch):
    handler, base = publisher
    handler.files["/pocet-2024"] = b"<html><body><a href='/x.xlsx'>Kraje a okresy</a></body></html>"
    dataset = Dataset(key="population_totals", title="t", publisher="ČSÚ", vintage="2024",
                      files=(_raw("population/pocet_obyvatel_obce_2024.xlsx", BETA),),
                      page=base + "/pocet-{year}", link_text="v obcích")
    _use_registry(monkeypatch, dataset)

    results = fetch.fetch_all(tmp_path / "raw", progress=False, session=session)

    assert [r.status for r in results] == ["manual"]
    assert "no .xlsx link with 'v obcích'" in results[0].detail
    assert not (tmp_path / "raw" / "population").exists() or _no_part_files(tmp_path / "raw")
